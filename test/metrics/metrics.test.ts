// GET /metrics after real fan-outs through the workers, on the real Redis: the numbers are
// fleet-wide (kept in Redis, read at scrape time), so a process that sent nothing reports the
// sends of the others, and two worker processes add to the same totals.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { validateAnnouncement } from '../../src/announcement/schema.js';
import type { CrierConfig } from '../../src/config/schema.js';
import { buildApp } from '../../src/http/app.js';
import { LATENCY_BUCKETS } from '../../src/metrics/stats.js';
import type { Services } from '../../src/services.js';
import { startWorkers, type RunningWorkers } from '../../workers/index.js';
import {
  ADMIN_TOKEN, LIBRARIAN_TOKEN, deletePrefix, fixture, startSmtp, testConfig, testServices, waitFor, type TestSmtp,
} from '../support/harness.js';
import { parsePrometheusText, type Exposition } from './prom-text.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function outboxDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'crier-metrics-outbox-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** One "process": its own Services (connections) over the shared configuration. */
function processOf(config: CrierConfig): Services {
  const s = testServices(config);
  cleanups.push(() => s.close());
  return s;
}

async function appOf(s: Services): Promise<FastifyInstance> {
  const app = await buildApp(s);
  cleanups.push(() => app.close());
  return app;
}

async function workersOf(s: Services): Promise<RunningWorkers> {
  const w = await startWorkers(s);
  cleanups.push(() => w.close());
  return w;
}

function shared(config: CrierConfig): CrierConfig {
  // Registered first, so it runs last: every process is closed before the keys go.
  cleanups.push(() => deletePrefix(config.redis.url, config.redis.prefix));
  return config;
}

async function post(s: Services, name = 'holiday-hours', extra: Record<string, unknown> = {}): Promise<string> {
  const v = validateAnnouncement(s.producer.schema, { ...fixture(name), topics: ['hours'], ...extra });
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return (await s.producer.create(v.value, { createdBy: 'test' })).id;
}

async function subscribe(s: Services, addresses: string[]): Promise<void> {
  for (const address of addresses) await s.subscribers.upsert({ channel: 'email', address, topics: ['*'], language: 'en', status: 'active' });
}

async function final(s: Services, id: string) {
  return waitFor(async () => {
    const v = await s.producer.view(id);
    return v && ['done', 'done_with_failures'].includes(v.status) ? v : null;
  }, { what: `announcement ${id} final`, timeoutMs: 30_000 });
}

async function scrape(app: FastifyInstance, headers: Record<string, string> = {}): Promise<Exposition> {
  const res = await app.inject({ method: 'GET', url: '/metrics', headers });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parsePrometheusText(res.body);
}

/** Scrapes until `ok` holds (a worker records a send's latency just after the send is logged). */
async function scrapeUntil(app: FastifyInstance, ok: (m: Exposition) => boolean, what: string): Promise<Exposition> {
  return waitFor(async () => {
    const m = await scrape(app);
    return ok(m) ? m : null;
  }, { what, timeoutMs: 15_000 });
}

const LE = [...LATENCY_BUCKETS.map(String), '+Inf'];

/** The histogram of a channel is well formed: every bucket, cumulative, +Inf = _count. */
function expectHistogram(m: Exposition, channel: string, count: number): void {
  const buckets = LE.map((le) => m.get('crier_delivery_latency_seconds_bucket', { channel, le }));
  expect(buckets.every((b) => typeof b === 'number'), `buckets of ${channel}`).toBe(true);
  for (let i = 1; i < buckets.length; i++) expect(buckets[i]!).toBeGreaterThanOrEqual(buckets[i - 1]!);
  expect(buckets.at(-1)).toBe(count);
  expect(m.get('crier_delivery_latency_seconds_count', { channel })).toBe(count);
}

describe('GET /metrics', { timeout: 90_000 }, () => {
  it('counts a real fan-out fleet-wide: deliveries, latency, rate-limit waits, queue depths, announcements', async () => {
    const outbox = outboxDir();
    // 5 e-mails a second over every worker: five sends in one batch wait ~0.8 s in all.
    const config = shared(testConfig({ channels: { email: { enabled: true, outbox, perSecond: 5 }, rss: { enabled: true } } }));
    const http = processOf(config); // the HTTP process: runs no worker, sends nothing itself
    const app = await appOf(http);
    const worker = processOf(config);
    await subscribe(worker, ['a@example.edu', 'b@example.edu', 'c@example.edu', 'd@example.edu', 'e@example.edu']);

    // Before any worker runs: every series is there, at zero, and the dispatch job waits.
    const id = await post(http);
    const before = await scrape(app);
    for (const channel of ['email', 'rss']) {
      for (const status of ['queued', 'sent', 'failed', 'skipped']) expect(before.get('crier_deliveries_total', { channel, status })).toBe(0);
      expect(before.get('crier_retries_total', { channel })).toBe(0);
      expect(before.get('crier_rate_limit_wait_seconds_total', { channel })).toBe(0);
      expectHistogram(before, channel, 0);
    }
    // Normal priority: BullMQ keeps the job as "prioritized".
    expect(before.get('crier_queue_jobs', { queue: 'dispatch', state: 'prioritized' })).toBe(1);
    expect(before.get('crier_announcements', { status: 'queued' })).toBe(1);
    expect(before.get('crier_announcements', { status: 'done' })).toBe(0);

    await workersOf(worker);
    const view = await final(worker, id);
    expect(view.status).toBe('done');
    const m = await scrapeUntil(app, (x) => x.get('crier_delivery_latency_seconds_count', { channel: 'email' }) === 5, 'five e-mail latencies');

    expect(m.types.get('crier_deliveries_total')).toBe('counter');
    expect(m.types.get('crier_delivery_latency_seconds')).toBe('histogram');
    expect(m.types.get('crier_retries_total')).toBe('counter');
    expect(m.types.get('crier_rate_limit_wait_seconds_total')).toBe('counter');
    expect(m.types.get('crier_queue_jobs')).toBe('gauge');
    expect(m.types.get('crier_announcements')).toBe('gauge');

    expect(m.get('crier_deliveries_total', { channel: 'email', status: 'queued' })).toBe(5);
    expect(m.get('crier_deliveries_total', { channel: 'email', status: 'sent' })).toBe(5);
    expect(m.get('crier_deliveries_total', { channel: 'email', status: 'failed' })).toBe(0);
    expect(m.get('crier_deliveries_total', { channel: 'email', status: 'skipped' })).toBe(0);
    expect(m.get('crier_deliveries_total', { channel: 'rss', status: 'queued' })).toBe(1);
    expect(m.get('crier_deliveries_total', { channel: 'rss', status: 'sent' })).toBe(1);
    // The same numbers as the delivery log.
    expect(m.get('crier_deliveries_total', { channel: 'email', status: 'sent' })).toBe(view.deliveries.email.sent);

    expectHistogram(m, 'email', 5);
    expectHistogram(await scrapeUntil(app, (x) => x.get('crier_delivery_latency_seconds_count', { channel: 'rss' }) === 1, 'the feed latency'), 'rss', 1);
    const sum = m.get('crier_delivery_latency_seconds_sum', { channel: 'email' })!;
    expect(sum).toBeGreaterThan(0);
    expect(sum).toBeLessThan(5 * 30);
    // Queued to sent took at least the rate limit's spacing for the later ones: not all under 0.1 s.
    expect(m.get('crier_delivery_latency_seconds_bucket', { channel: 'email', le: '0.1' })!).toBeLessThan(5);

    expect(m.get('crier_retries_total', { channel: 'email' })).toBe(0);
    const waited = m.get('crier_rate_limit_wait_seconds_total', { channel: 'email' })!;
    expect(waited).toBeGreaterThan(0.3);
    expect(waited).toBeLessThan(5);

    // Queue gauges: dispatch and each enabled channel's delivery queue, every state, now empty.
    const drained = await scrapeUntil(app, (x) => x.select('crier_queue_jobs').every((s) => s.value === 0), 'empty queues');
    for (const queue of ['dispatch', 'deliver-email', 'deliver-rss']) {
      for (const state of ['waiting', 'prioritized', 'active', 'delayed', 'failed']) expect(drained.get('crier_queue_jobs', { queue, state })).toBe(0);
      expect(drained.get('crier_queue_paused', { queue })).toBe(0);
    }
    expect(drained.select('crier_queue_jobs')).toHaveLength(15);
    expect(drained.get('crier_announcements', { status: 'done' })).toBe(1);
    expect(drained.get('crier_announcements', { status: 'queued' })).toBe(0);

    // The serving process's own metrics, under crier_process_.
    expect(m.types.get('crier_process_process_cpu_user_seconds_total')).toBe('counter');
    expect(m.types.get('crier_process_nodejs_heap_size_used_bytes')).toBe('gauge');
    expect([...m.types.keys()].every((name) => name.startsWith('crier_'))).toBe(true);
  });

  it('counts a failed delivery as failed and a retryable failure as a retry', async () => {
    const smtp: TestSmtp = await startSmtp();
    cleanups.push(() => smtp.close());
    smtp.replies.set('gone@example.edu', '550 5.1.1 No such user here');
    smtp.replies.set('flaky@example.edu', (n) => (n < 3 ? '451 4.3.0 Mailbox busy, try later' : undefined));
    const config = shared(testConfig({ channels: { email: { enabled: true, smtpUrl: smtp.url } } }));
    const s = processOf(config);
    const app = await appOf(s);
    await subscribe(s, ['fine@example.edu', 'gone@example.edu', 'flaky@example.edu']);
    await workersOf(s);
    const view = await final(s, await post(s));
    expect(view.deliveries.email).toMatchObject({ total: 3, sent: 2, failed: 1 });

    const m = await scrapeUntil(app, (x) => x.get('crier_delivery_latency_seconds_count', { channel: 'email' }) === 2, 'two latencies');
    expect(m.get('crier_deliveries_total', { channel: 'email', status: 'queued' })).toBe(3);
    expect(m.get('crier_deliveries_total', { channel: 'email', status: 'sent' })).toBe(2);
    expect(m.get('crier_deliveries_total', { channel: 'email', status: 'failed' })).toBe(1);
    expect(m.get('crier_retries_total', { channel: 'email' })).toBe(2); // flaky: 451 twice, then accepted
    expectHistogram(m, 'email', 2);
    expect(m.get('crier_announcements', { status: 'done_with_failures' })).toBe(1);
  });

  it('adds up the sends of two worker processes; any process serves the same fleet-wide numbers', async () => {
    const outbox = outboxDir();
    const config = shared(testConfig({ channels: { email: { enabled: true, outbox }, rss: { enabled: true } } }));
    const a = processOf(config);
    const b = processOf(config);
    const http = processOf(config);
    await subscribe(a, ['one@example.edu', 'two@example.edu', 'three@example.edu']);

    // Process A's workers send the first announcement, then stop; B's send the second.
    const wa = await workersOf(a);
    await final(a, await post(http));
    await wa.close();
    await workersOf(b);
    await final(b, await post(http, 'storm-closure', { topics: ['hours'] }));

    const fromHttp = await scrapeUntil(await appOf(http), (x) => x.get('crier_delivery_latency_seconds_count', { channel: 'email' }) === 6, 'six e-mail latencies');
    expect(fromHttp.get('crier_deliveries_total', { channel: 'email', status: 'sent' })).toBe(6);
    expect(fromHttp.get('crier_deliveries_total', { channel: 'email', status: 'queued' })).toBe(6);
    expect(fromHttp.get('crier_deliveries_total', { channel: 'rss', status: 'sent' })).toBe(2);
    expectHistogram(fromHttp, 'email', 6);

    // Process A (its workers stopped before the second announcement) reports the same totals.
    const fromA = await scrape(await appOf(a));
    const own = (x: Exposition) =>
      x.samples.filter((s) => s.name.startsWith('crier_') && !s.name.startsWith('crier_process_')).map((s) => `${s.name}${JSON.stringify(s.labels)} ${s.value}`);
    expect(own(fromA)).toEqual(own(fromHttp));
  });

  it('each Services has its own registry, process metrics included, cleared by close()', async () => {
    const config = shared(testConfig({ channels: { email: { enabled: true, outbox: outboxDir() } } }));
    const a = processOf(config);
    const b = processOf(config);
    const cpu = 'crier_process_process_cpu_user_seconds_total';
    expect(a.metrics).toBe(a.metrics);
    expect(a.metrics.registry).not.toBe(b.metrics.registry);
    expect(a.metrics.registry.getSingleMetric(cpu)).toBeDefined();
    expect(a.metrics.registry.getSingleMetric(cpu)).not.toBe(b.metrics.registry.getSingleMetric(cpu));
    const registry = b.metrics.registry;
    await b.close();
    expect(registry.getMetricsAsArray()).toEqual([]);
    expect(a.metrics.registry.getSingleMetric(cpu)).toBeDefined();
  });

  it('with metrics.public false answers 401 without a token, 403 to a librarian, 200 to an admin', async () => {
    const outbox = outboxDir();
    const closed = shared(testConfig({ channels: { email: { enabled: true, outbox } }, metrics: { public: false } }));
    const app = await appOf(processOf(closed));
    const anon = await app.inject({ method: 'GET', url: '/metrics' });
    expect(anon.statusCode).toBe(401);
    expect(anon.headers['www-authenticate']).toBe('Bearer');
    expect(anon.json()).toMatchObject({ error: 'unauthorized' });
    expect(anon.body).not.toContain('crier_');
    const wrong = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer not-a-token-at-all-0000' } });
    expect(wrong.statusCode).toBe(401);
    const librarian = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${LIBRARIAN_TOKEN}` } });
    expect(librarian.statusCode).toBe(403);
    const admin = await scrape(app, { authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(admin.get('crier_deliveries_total', { channel: 'email', status: 'sent' })).toBe(0);

    // The default: public.
    const open = shared(testConfig({ channels: { email: { enabled: true, outbox } } }));
    expect(open.metrics.public).toBe(true);
    const openApp = await appOf(processOf(open));
    expect((await openApp.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
  });
});
