// Shared bits of the HTTP tests: services with e-mail (outbox) and RSS on, an inject wrapper
// with a token, and a look at every key a test's prefix holds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import type { Services } from '../../src/services.js';
import { ADMIN_TOKEN, disposeServices, testConfig, testServices } from '../support/harness.js';

export interface HttpEnv {
  s: Services;
  app: FastifyInstance;
  outbox: string;
  dispose(): Promise<void>;
}

export async function httpEnv(extra: Record<string, unknown> = {}): Promise<HttpEnv> {
  const outbox = mkdtempSync(join(tmpdir(), 'crier-http-outbox-'));
  const s = testServices(testConfig({ channels: { email: { enabled: true, outbox }, rss: { enabled: true } }, ...extra }));
  const app = await buildApp(s);
  return {
    s, app, outbox,
    async dispose() {
      await app.close();
      await disposeServices(s);
      rmSync(outbox, { recursive: true, force: true });
    },
  };
}

export interface CallOptions {
  token?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
}

/** app.inject with `Authorization: Bearer <admin>` unless told otherwise; objects go as JSON. */
export function call(app: FastifyInstance, method: InjectOptions['method'], url: string, opts: CallOptions = {}): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...opts.headers };
  const token = opts.token === undefined ? ADMIN_TOKEN : opts.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let payload: string | undefined;
  if (typeof opts.body === 'string') payload = opts.body;
  else if (opts.body !== undefined) {
    payload = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  return app.inject({ method, url, headers, payload });
}

/** Every key under the test's prefix except BullMQ's per-queue "meta" key (written when a queue connects). */
export async function storedKeys(s: Services): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await s.redis.scan(cursor, 'MATCH', `${s.config.redis.prefix}:*`, 'COUNT', 1000);
    out.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return out.filter((k) => !/:bull:[^:]+:meta$/.test(k)).sort();
}

export async function dispatchJobCount(s: Services): Promise<number> {
  const c = await s.queues.dispatch.getJobCounts();
  return Object.values(c).reduce((a, b) => a + b, 0);
}

/**
 * Every key under the test's prefix with its type, whether it expires, and its whole value
 * (hash fields, set members and zset entries sorted), as one comparable line per key. Keys
 * whose name (after the prefix and ":") matches `ignore` are left out. BullMQ's "meta" key is
 * left out as in storedKeys.
 */
export async function storedSnapshot(s: Services, ignore: RegExp[] = []): Promise<Map<string, string>> {
  const prefix = `${s.config.redis.prefix}:`;
  const keys = (await storedKeys(s)).filter((k) => !ignore.some((re) => re.test(k.slice(prefix.length))));
  const out = new Map<string, string>();
  // Two pipelined round trips whatever the number of keys: types and TTLs, then the values.
  const meta = (await keys.reduce((p, k) => p.type(k).pttl(k), s.redis.pipeline()).exec()) ?? [];
  const types = keys.map((_, i) => String(meta[2 * i]?.[1]));
  const read = s.redis.pipeline();
  keys.forEach((k, i) => {
    const t = types[i];
    if (t === 'string') read.get(k);
    else if (t === 'hash') read.hgetall(k);
    else if (t === 'list') read.lrange(k, 0, -1);
    else if (t === 'set') read.smembers(k);
    else if (t === 'zset') read.zrange(k, '0', '-1', 'WITHSCORES');
    else if (t === 'stream') read.xrange(k, '-', '+');
    else read.exists(k);
  });
  const values = (await read.exec()) ?? [];
  keys.forEach((key, i) => {
    const type = types[i];
    if (type === 'none') return; // expired between SCAN and TYPE
    let value = values[i]?.[1];
    if (type === 'hash') value = Object.entries(value as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (type === 'set') value = [...(value as string[])].sort();
    const expiring = Number(meta[2 * i + 1]?.[1]) >= 0 ? 'ttl' : 'persist';
    out.set(key, `${type} ${expiring} ${JSON.stringify(value)}`);
  });
  return out;
}

/** What differs between two snapshots: added, removed and changed key names (empty when equal). */
export function snapshotDiff(before: Map<string, string>, after: Map<string, string>): string[] {
  const diff: string[] = [];
  for (const [k, v] of after) if (!before.has(k)) diff.push(`+ ${k}`);
  else if (before.get(k) !== v) diff.push(`~ ${k}`);
  for (const k of before.keys()) if (!after.has(k)) diff.push(`- ${k}`);
  return diff;
}
