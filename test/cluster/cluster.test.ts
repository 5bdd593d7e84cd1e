// Crier on a Redis Cluster (redis.cluster): a local cluster of 3 masters started from
// redis-server processes for this file, and the layout the README shows, in one test process:
// an HTTP "serve" process, a worker for e-mail and one for RSS (crier worker --channels …),
// each with its own connections. A real fan-out to 200 e-mail subscribers through an SMTP
// server, a failure and its retry; every key of the deployment in one slot.
import type { FastifyInstance } from 'fastify';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, type CrierConfig } from '../../src/config/schema.js';
import { buildApp } from '../../src/http/app.js';
import { clusterArgs, redisAnswers, scanKeys, scanTargets } from '../../src/redis/connection.js';
import type { Services } from '../../src/services.js';
import { startWorkers, type RunningWorkers } from '../../workers/index.js';
import { ADMIN_TOKEN, finalView, postFixture, startSmtp, testConfig, testServices, uniquePrefix, waitFor, type TestSmtp } from '../support/harness.js';
import { startRedisCluster, type TestRedisCluster } from '../support/redis-cluster.js';
import { parsePrometheusText } from '../metrics/prom-text.js';

const SUBSCRIBERS = 200;

let cluster: TestRedisCluster;
let startupMs = 0;

beforeAll(async () => {
  const t0 = Date.now();
  cluster = await startRedisCluster(3);
  startupMs = Date.now() - t0;
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

function clusterConfig(raw: Record<string, unknown> = {}): CrierConfig {
  return testConfig({ ...raw, redis: { cluster: { nodes: cluster.nodes }, prefix: `{${uniquePrefix('cl')}}` } });
}

/** A plain cluster client, as an operator's redis-cli -c would see the data. */
function probe(): Cluster {
  const c = new Cluster(...clusterArgs(cluster.nodes, { maxRetriesPerRequest: 3 }));
  c.on('error', () => {});
  return c;
}

describe('redis.cluster configuration', () => {
  const base = { library: { baseUrl: 'http://crier.test' }, topics: [{ id: 'hours', name: { en: 'Hours', zh: '开放时间' } }] };
  const nodes = ['redis://10.0.0.1:7000', { host: '10.0.0.2', port: 7000 }];

  it('refuses a prefix without a hash tag, naming redis.prefix', () => {
    const r = configSchema.safeParse({ ...base, redis: { prefix: 'crier', cluster: { nodes } } });
    expect(r.success).toBe(false);
    const issue = r.error!.issues.find((i) => i.path.join('.') === 'redis.prefix');
    expect(issue?.message).toContain('redis.prefix');
    expect(issue?.message).toContain('"{crier}"');
    // An empty tag hashes the whole key: no better than none.
    expect(configSchema.safeParse({ ...base, redis: { prefix: 'crier{}', cluster: { nodes } } }).success).toBe(false);
  });

  it('defaults the prefix to {crier} with a cluster, and keeps "crier" without one', () => {
    expect(configSchema.parse({ ...base, redis: { cluster: { nodes } } }).redis.prefix).toBe('{crier}');
    expect(configSchema.parse({ ...base, redis: { prefix: 'campus-{north}', cluster: { nodes } } }).redis.prefix).toBe('campus-{north}');
    expect(configSchema.parse(base).redis.prefix).toBe('crier');
  });

  it('takes nodes as URLs or host and port, and rejects anything else', () => {
    expect(configSchema.safeParse({ ...base, redis: { cluster: { nodes: [] } } }).success).toBe(false);
    expect(configSchema.safeParse({ ...base, redis: { cluster: { nodes: ['10.0.0.1:7000'] } } }).success).toBe(false);
    const [seeds, opts] = clusterArgs(['rediss://:s3cret@10.0.0.1:7000', { host: '10.0.0.2', port: 7001 }], { maxRetriesPerRequest: null });
    expect(seeds).toEqual([{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }]);
    expect(opts.redisOptions).toMatchObject({ password: 's3cret', tls: {}, maxRetriesPerRequest: null });
  });
});

describe('Crier on a 3-master Redis Cluster', { timeout: 90_000 }, () => {
  let smtp: TestSmtp;
  let config: CrierConfig;
  const procs: Services[] = [];
  const running: RunningWorkers[] = [];
  let app: FastifyInstance;

  beforeAll(async () => {
    smtp = await startSmtp();
    config = clusterConfig({ channels: { email: { enabled: true, smtpUrl: smtp.url }, rss: { enabled: true } }, delivery: { batchSize: 25, pageSize: 50 } });
    const [serve, emailWorker, rssWorker] = [testServices(config), testServices(config), testServices(config)];
    procs.push(serve, emailWorker, rssWorker);
    app = await buildApp(serve);
    running.push(await startWorkers(emailWorker, { channels: ['email'] }), await startWorkers(rssWorker, { channels: ['rss'] }));
  });

  afterAll(async () => {
    await Promise.all(running.map((w) => w.close()));
    await app?.close();
    await Promise.all(procs.map((s) => s.close()));
    await smtp?.close();
  });

  it('started in a few seconds and answers the startup probe', async () => {
    expect(startupMs).toBeLessThan(10_000);
    expect(await redisAnswers(config.redis)).toBe(true);
    expect(await redisAnswers({ url: 'redis://127.0.0.1:1', cluster: { nodes: [{ host: '127.0.0.1', port: 1 }] } }, 300)).toBe(false);
  });

  it('fans out to 200 subscribers, retries a failure, and keeps every key in one slot', async () => {
    const serve = procs[0];
    const addresses = Array.from({ length: SUBSCRIBERS }, (_, i) => `reader${i}@example.edu`);
    for (let i = 0; i < addresses.length; i += 50) {
      await Promise.all(addresses.slice(i, i + 50).map((address) => serve.subscribers.upsert({ channel: 'email', address, topics: ['*'], language: 'en', status: 'active' })));
    }
    smtp.replies.set('reader7@example.edu', '452 4.2.2 Mailbox full');

    const { id } = await postFixture(serve, 'holiday-hours', { channels: ['email', 'rss'] });
    const view = await finalView(serve, id, 60_000);
    expect(view.status).toBe('done_with_failures');
    expect(view.deliveries.email).toMatchObject({ total: SUBSCRIBERS, sent: SUBSCRIBERS - 1, failed: 1, queued: 0, sending: 0 });
    expect(view.deliveries.rss).toMatchObject({ total: 1, sent: 1 });
    expect(new Set(smtp.received.map((m) => m.envelopeTo[0])).size).toBe(SUBSCRIBERS - 1);

    // An admin's retry, on the serve process: this time the server accepts.
    smtp.replies.delete('reader7@example.edu');
    expect(await serve.producer.retryFailed(id)).toEqual({ requeued: 1 });
    const after = await waitFor(async () => {
      const v = await serve.producer.view(id);
      return v?.status === 'done' ? v : null;
    }, { what: 'done after the retry', timeoutMs: 30_000 });
    expect(after.deliveries.email).toMatchObject({ total: SUBSCRIBERS, sent: SUBSCRIBERS, failed: 0 });
    expect(smtp.received.filter((m) => m.envelopeTo[0] === 'reader7@example.edu')).toHaveLength(1);

    // /metrics on the serve process counts what the workers did (BullMQ counts and Crier's stats on the cluster).
    const m = await waitFor(async () => {
      const res = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(res.statusCode, res.body).toBe(200);
      const e = parsePrometheusText(res.body);
      return e.get('crier_delivery_latency_seconds_count', { channel: 'email' }) === SUBSCRIBERS ? e : null;
    }, { what: 'latency of every sent e-mail in /metrics' });
    expect(m.get('crier_deliveries_total', { channel: 'email', status: 'sent' })).toBe(SUBSCRIBERS);
    expect(m.get('crier_deliveries_total', { channel: 'email', status: 'failed' })).toBe(1);
    // Attempts 1 and 2 of the full mailbox went back to the queue; attempt 3 failed it.
    expect(m.get('crier_retries_total', { channel: 'email' })).toBe(2);
    expect(m.get('crier_deliveries_total', { channel: 'rss', status: 'sent' })).toBe(1);
    expect(m.get('crier_announcements', { status: 'done' })).toBe(1);
    expect(m.get('crier_queue_jobs', { queue: 'deliver-email', state: 'failed' })).toBe(0);

    // Every key of the deployment, Crier's and BullMQ's, lives in one slot on one master.
    const c = probe();
    try {
      await waitFor(async () => (c.status === 'ready' ? true : null), { what: 'probe ready' });
      const keys = await scanKeys(c, `${config.redis.prefix}:*`);
      expect(keys).toContain(serve.keys.announcement(id));
      expect(keys).toContain(serve.keys.stats);
      expect(keys.some((k) => k.startsWith(`${config.redis.prefix}:bull:deliver-email:`))).toBe(true);
      expect(keys.some((k) => k.startsWith(`${config.redis.prefix}:bull:dispatch:`))).toBe(true);
      const sample = [...new Set([serve.keys.announcement(id), serve.keys.stats, serve.keys.events, serve.keys.activeSubscribers('email'), ...keys.filter((_, i) => i % 7 === 0)])];
      const slots = new Set(await Promise.all(sample.map((k) => c.cluster('KEYSLOT', k))));
      expect(slots.size).toBe(1);
      const perMaster = await Promise.all(scanTargets(c).map(async (node) => (await node.scan('0', 'MATCH', `${config.redis.prefix}:*`, 'COUNT', 10_000))[1].length));
      expect(perMaster.filter((n) => n > 0)).toHaveLength(1);
      expect(scanTargets(c)).toHaveLength(3);
    } finally {
      c.disconnect();
    }
  });
});
