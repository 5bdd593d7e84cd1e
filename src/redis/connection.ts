// One place that makes Redis connections. BullMQ workers need maxRetriesPerRequest: null
// (blocking commands must wait out a reconnect rather than fail).
import { Redis, type RedisOptions } from 'ioredis';

export interface RedisConnectOptions {
  /** For BullMQ workers and blocking reads (XREAD BLOCK). */
  blocking?: boolean;
  /** Fail fast instead of retrying forever: for probes and CLI commands. */
  failFast?: boolean;
}

export function createRedis(url: string, opts: RedisConnectOptions = {}): Redis {
  const options: RedisOptions = {
    maxRetriesPerRequest: opts.blocking ? null : opts.failFast ? 1 : 20,
    enableReadyCheck: true,
    lazyConnect: false,
  };
  if (opts.failFast) options.retryStrategy = () => null;
  const redis = new Redis(url, options);
  // Errors surface through the commands that fail; an unhandled 'error' event would crash.
  redis.on('error', () => {});
  return redis;
}

/** True when a Redis answers PING at the URL within the timeout. */
export async function redisAnswers(url: string, timeoutMs = 1500): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    enableOfflineQueue: false,
  });
  redis.on('error', () => {});
  // connectTimeout covers only the TCP connect: a port that accepts but never answers
  // (something else listening there) must not hang the probe.
  let timer: NodeJS.Timeout | undefined;
  const silent = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([redis.connect().then(async () => (await redis.ping()) === 'PONG'), silent]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
}

/** Redis URL with any password hidden, for logs. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis://(unparseable URL)';
  }
}
