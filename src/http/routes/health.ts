// GET /health: 200 when Redis answers PING within a second, 503 otherwise. Never hangs: a
// connection known to be down answers at once, a slow one is cut off by the timeout.
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Services } from '../../services.js';

export const HEALTH_TIMEOUT_MS = 1000;

export interface RedisWatch {
  /** False from a lost connection until it is ready again (true while the first connect is under way). */
  up(): boolean;
  stop(): void;
}

/**
 * Follows the connection's events. ioredis queues commands while it reconnects (and passes
 * through "connecting" on each try), so its status alone cannot tell "down" from "starting".
 */
export function watchRedis(redis: Redis): RedisWatch {
  let up = !['reconnecting', 'close', 'end'].includes(redis.status);
  const onUp = () => {
    up = true;
  };
  const onDown = () => {
    up = false;
  };
  redis.on('ready', onUp);
  redis.on('close', onDown);
  redis.on('end', onDown);
  return {
    up: () => up,
    stop() {
      redis.off('ready', onUp);
      redis.off('close', onDown);
      redis.off('end', onDown);
    },
  };
}

export async function redisHealth(redis: Redis, watch: RedisWatch, timeoutMs = HEALTH_TIMEOUT_MS): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (!watch.up()) return { ok: false, reason: `not connected (${redis.status})` };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
  });
  const ping = redis.ping().then(
    (r) => (r === 'PONG' ? null : 'unexpected answer to PING'),
    (err: Error) => `PING failed: ${err.message.split('\n')[0].slice(0, 120)}`,
  );
  try {
    const problem = await Promise.race([ping, timeout]);
    return problem === null ? { ok: true } : { ok: false, reason: problem };
  } finally {
    clearTimeout(timer);
  }
}

export async function healthRoutes(app: FastifyInstance, opts: { s: Pick<Services, 'redis'>; watch: RedisWatch }): Promise<void> {
  app.get('/health', async (_req, reply) => {
    const r = await redisHealth(opts.s.redis, opts.watch);
    reply.header('Cache-Control', 'no-store');
    if (r.ok) return { status: 'ok' };
    return reply.code(503).send({ status: 'unavailable', redis: r.reason });
  });
}
