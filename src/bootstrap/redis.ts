// Startup step 2: a Redis that answers. `crier start` may start a private redis-server on a
// laptop; every other command only checks and explains how to get one.
import { resolve } from 'node:path';
import type { CrierConfig } from '../config/schema.js';
import { describeRedis, redactRedisUrl, redisAnswers } from '../redis/connection.js';
import { redisServerOnPath, startRedisServer } from '../redis/server.js';
import { EXIT, ExitError } from './errors.js';

export interface PrivateRedis {
  port: number;
  /** Absolute path of its data directory. */
  dir: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost']);

/** The URL names this machine, plainly, with no credentials or TLS a private server would not have. */
export function isPlainLoopback(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'redis:' && LOOPBACK.has(u.hostname) && !u.username && !u.password;
  } catch {
    return false;
  }
}

function portOf(url: string): number {
  const p = new URL(url).port;
  return p ? Number(p) : 6379;
}

/** The one paragraph a user reads when there is no Redis. */
export function redisHelp(url: string): string {
  const where = redactRedisUrl(url);
  const why = isPlainLoopback(url)
    ? 'and redis-server is not on the PATH, so Crier cannot start a private one.'
    : 'and Crier starts a private Redis only for a plain 127.0.0.1 or localhost URL.';
  return [
    `Crier needs Redis, but nothing answers at ${where}, ${why}`,
    'Get one of these ways: run `docker compose up -d redis` in the Crier folder;',
    'or install it from your system packages (`sudo apt-get install redis-server` on Debian/Ubuntu,',
    '`brew install redis` on macOS) and run `npm start` again, which starts a private one when',
    'redis-server is on the PATH; or point Crier at a Redis you already have with',
    'REDIS_URL=redis://host:6379 (or redis.url in the configuration file).',
  ].join('\n');
}

/** What to read when a configured Redis Cluster does not answer (Crier never starts one). */
export function redisClusterHelp(config: CrierConfig): string {
  return [
    `Crier needs Redis, but nothing answers at the ${describeRedis(config.redis)}.`,
    'Check redis.cluster.nodes in the configuration file (any reachable master or replica will do:',
    'the rest of the cluster is found from it), and `redis-cli -c -h HOST -p PORT cluster info`.',
  ].join('\n');
}

/** Fails with the help paragraph (exit 1) unless Redis answers at the configured URL (or cluster). */
export async function requireRedis(config: CrierConfig): Promise<void> {
  if (await redisAnswers(config.redis)) return;
  throw new ExitError(config.redis.cluster ? redisClusterHelp(config) : redisHelp(config.redis.url), EXIT.failure);
}

/**
 * For `crier start`: uses the Redis at the URL when it answers; else, on loopback with
 * redis-server installed, starts a private persistent one that outlives this process.
 */
export async function ensureRedis(config: CrierConfig, opts: { dataDir?: string } = {}): Promise<PrivateRedis | null> {
  // A cluster is never started here: it only has to answer.
  if (config.redis.cluster) return requireRedis(config).then(() => null);
  const url = config.redis.url;
  if (await redisAnswers(url)) return null;
  if (!isPlainLoopback(url) || !redisServerOnPath()) throw new ExitError(redisHelp(url), EXIT.failure);
  const port = portOf(url);
  const dir = resolve(opts.dataDir ?? './data/redis');
  try {
    await startRedisServer({ port, dir, persistent: true, detached: true });
  } catch (err) {
    throw new ExitError(`Could not start a private redis-server on 127.0.0.1:${port}: ${(err as Error).message}\n\n${redisHelp(url)}`, EXIT.failure);
  }
  // The server listens on 127.0.0.1 only; "localhost" may resolve to ::1 first.
  if (!(await redisAnswers(url))) {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    config.redis.url = u.toString();
  }
  return { port, dir };
}

export function privateRedisNotice(p: PrivateRedis): string {
  return [
    `No Redis answered, so Crier started a private one on 127.0.0.1:${p.port}.`,
    `Its data lives in ${p.dir} (append-only file on). It keeps running after Crier stops, so`,
    `queued deliveries survive a restart; stop it with: redis-cli -p ${p.port} shutdown`,
  ].join('\n');
}
