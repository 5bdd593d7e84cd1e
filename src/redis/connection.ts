// One place that makes Redis connections: a single Redis (redis.url) or a Redis Cluster
// (redis.cluster.nodes). BullMQ workers need maxRetriesPerRequest: null (blocking commands
// must wait out a reconnect rather than fail); on a cluster that setting goes to every node's
// connection (redisOptions), and reconnecting the cluster as a whole follows the same rule.
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

/** A connection Crier works with: the command methods of both are the same. */
export type RedisClient = Redis | Cluster;

export interface RedisConnectOptions {
  /** For BullMQ workers and blocking reads (XREAD BLOCK). */
  blocking?: boolean;
  /** Fail fast instead of retrying forever: for probes and CLI commands. */
  failFast?: boolean;
  /**
   * For commands that must work with Redis down: connect only when a command is issued, and
   * give up at once when nothing answers (the command fails, nothing retries).
   */
  offline?: boolean;
}

export interface RedisClusterNode {
  host: string;
  port: number;
}

/** The `redis` section of the configuration, as far as connecting goes. */
export interface RedisTargetSection {
  url: string;
  cluster?: { nodes: (string | RedisClusterNode)[] } | undefined;
}

/** A URL (one Redis) or the configuration's `redis` section (one Redis or a cluster). */
export type RedisTarget = string | RedisTargetSection;

export function createRedis(target: string, opts?: RedisConnectOptions): Redis;
export function createRedis(target: RedisTarget, opts?: RedisConnectOptions): RedisClient;
export function createRedis(target: RedisTarget, opts: RedisConnectOptions = {}): RedisClient {
  const options: RedisOptions = {
    maxRetriesPerRequest: opts.blocking ? null : opts.failFast ? 1 : 20,
    enableReadyCheck: true,
    lazyConnect: false,
  };
  if (opts.failFast) options.retryStrategy = () => null;
  if (opts.offline) Object.assign(options, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: true });
  const cluster = typeof target === 'string' ? undefined : target.cluster;
  const clusterExtra: ClusterOptions = {
    ...(opts.failFast || opts.offline ? { clusterRetryStrategy: () => null } : {}),
    ...(opts.offline ? { lazyConnect: true } : {}),
  };
  const redis: RedisClient = cluster
    ? new Cluster(...clusterArgs(cluster.nodes, options, clusterExtra))
    : new Redis(typeof target === 'string' ? target : target.url, options);
  // Errors surface through the commands that fail; an unhandled 'error' event would crash.
  redis.on('error', () => {});
  return redis;
}

/**
 * The client as the type the stores and channels are written against. A Cluster has the same
 * command methods (including defineCommand, multi and pipeline, which need all keys of one
 * call in one slot: Crier's hash-tagged prefix sees to that), the same connection events
 * ('ready', 'close', 'end') and a compatible `status`. What differs is keyspace-wide commands
 * such as SCAN and KEYS, which see one node only: use scanTargets/scanKeys for those.
 */
export function asCommandClient(redis: RedisClient): Redis {
  return redis as Redis;
}

/**
 * Seed nodes and options for ioredis's Cluster. A node given as a URL brings its credentials
 * and TLS (rediss://) for every node: a cluster has one password and one TLS setting.
 */
export function clusterArgs(
  nodes: (string | RedisClusterNode)[],
  redisOptions: RedisOptions,
  extra: ClusterOptions = {},
): [RedisClusterNode[], ClusterOptions] {
  const shared: RedisOptions = {};
  const seeds = nodes.map((n) => {
    if (typeof n !== 'string') return { host: n.host, port: n.port };
    const u = new URL(n);
    if (u.username) shared.username = decodeURIComponent(u.username);
    if (u.password) shared.password = decodeURIComponent(u.password);
    if (u.protocol === 'rediss:') shared.tls = {};
    return { host: u.hostname, port: u.port ? Number(u.port) : 6379 };
  });
  return [seeds, { enableReadyCheck: true, ...extra, redisOptions: { ...redisOptions, ...shared } }];
}

/**
 * Every master of a cluster, or the one Redis: SCAN and KEYS see only the node they run on,
 * so a scan over all keys runs once per entry here.
 */
export function scanTargets(redis: RedisClient): Redis[] {
  return redis instanceof Cluster ? redis.nodes('master') : [redis];
}

/** Every key matching `pattern`, on one Redis or on every master of a cluster. */
export async function scanKeys(redis: RedisClient, pattern: string, count = 1000): Promise<string[]> {
  const out: string[] = [];
  for (const node of scanTargets(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      out.push(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
  return out;
}

/** True when a Redis (or a cluster, through its seed nodes) answers PING within the timeout. */
export async function redisAnswers(target: RedisTarget, timeoutMs = 1500): Promise<boolean> {
  const probeOptions: RedisOptions = {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    enableOfflineQueue: false,
  };
  const cluster = typeof target === 'string' ? undefined : target.cluster;
  // A cluster client needs its offline queue while it learns the slots after connect().
  const redis: RedisClient = cluster
    ? new Cluster(...clusterArgs(cluster.nodes, { ...probeOptions, enableOfflineQueue: true }, { lazyConnect: true, clusterRetryStrategy: () => null }))
    : new Redis(typeof target === 'string' ? target : target.url, probeOptions);
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

/** Where Crier connects, for logs and help texts: the redacted URL, or the cluster's seed nodes. */
export function describeRedis(target: RedisTarget): string {
  if (typeof target === 'string') return redactRedisUrl(target);
  if (!target.cluster) return redactRedisUrl(target.url);
  const [seeds] = clusterArgs(target.cluster.nodes, {});
  return `Redis Cluster (seed nodes ${seeds.map((n) => `${n.host}:${n.port}`).join(', ')})`;
}
