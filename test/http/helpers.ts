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
