// The Redis side of the metrics: what the delivery log's Lua counts on each state change, what
// the worker-side recorders write, and how the hash reads back (pure).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../src/redis/connection.js';
import { makeKeys } from '../../src/redis/keys.js';
import {
  bucketFor, parseStats, readStats, recordRateLimitWait, recordRetry, LATENCY_BUCKETS,
} from '../../src/metrics/stats.js';
import type { Services } from '../../src/services.js';
import { disposeServices, testConfig, testServices } from '../support/harness.js';

describe('latency buckets', () => {
  it('puts a latency in the first bucket whose bound is not below it, +Inf past the last', () => {
    expect(LATENCY_BUCKETS).toEqual([0.1, 0.5, 1, 5, 15, 60, 300, 1800]);
    expect(bucketFor(0)).toBe('0.1');
    expect(bucketFor(0.1)).toBe('0.1');
    expect(bucketFor(0.1001)).toBe('0.5');
    expect(bucketFor(59.9)).toBe('60');
    expect(bucketFor(1800)).toBe('1800');
    expect(bucketFor(1800.001)).toBe('+Inf');
  });

  it('reads the hash back: cumulative buckets, seconds from milliseconds, zeros for quiet channels', () => {
    const stats = parseStats(
      {
        'dlv|email|queued': '7', 'dlv|email|sent': '5', 'dlv|email|failed': '1', 'dlv|email|sending': '9',
        'lat|email|0.1': '2', 'lat|email|5': '1', 'lat|email|+Inf': '2', 'lat_sum_ms|email': '7250', 'lat_n|email': '5',
        'retry|email': '3', 'rlwait_ms|email': '1500', 'retry|webhook:staff': '1', 'junk': 'x', 'other|': '1',
      },
      ['email', 'rss'],
    );
    expect([...stats.keys()]).toEqual(['email', 'rss', 'webhook:staff']);
    const email = stats.get('email')!;
    expect(email.deliveries).toEqual({ queued: 7, sent: 5, failed: 1, skipped: 0 }); // "sending" is not a counted state
    expect(email.retries).toBe(3);
    expect(email.rateLimitWaitSeconds).toBe(1.5);
    expect(email.latency.count).toBe(5);
    expect(email.latency.sumSeconds).toBe(7.25);
    expect(email.latency.cumulative).toEqual([
      { le: '0.1', count: 2 }, { le: '0.5', count: 2 }, { le: '1', count: 2 }, { le: '5', count: 3 },
      { le: '15', count: 3 }, { le: '60', count: 3 }, { le: '300', count: 3 }, { le: '1800', count: 3 }, { le: '+Inf', count: 5 },
    ]);
    const rss = stats.get('rss')!;
    expect(rss.deliveries).toEqual({ queued: 0, sent: 0, failed: 0, skipped: 0 });
    expect(rss.latency.cumulative.every((b) => b.count === 0)).toBe(true);
    expect(stats.get('webhook:staff')!.retries).toBe(1);
  });
});

describe('counters in Redis', () => {
  let s: Services;
  beforeAll(() => {
    s = testServices(testConfig({ channels: { rss: { enabled: true } } }));
  });
  afterAll(async () => {
    await disposeServices(s);
  });

  const field = async (f: string) => Number((await s.redis.hget(s.keys.stats, f)) ?? 0);

  it('the delivery log counts entering the queue and each final state, atomically with the change', async () => {
    const ann = 'a-stats-1';
    const created = await s.deliveries.enqueueMany(ann, 'email', [
      { id: 'r1', address: 'one@example.edu', language: 'en' },
      { id: 'r2', address: 'two@example.edu', language: 'en' },
      { id: 'r3', address: 'three@example.edu', language: 'en' },
    ]);
    expect(created).toBe(3);
    // A repeated page creates nothing and counts nothing.
    expect(await s.deliveries.enqueueMany(ann, 'email', [{ id: 'r1', address: 'one@example.edu', language: 'en' }])).toBe(0);
    expect(await field('dlv|email|queued')).toBe(3);
    const r1 = await s.deliveries.get(ann, 'email', 'r1');
    expect(r1!.updatedAt).toBeTruthy();
    expect((r1 as unknown as { queuedAt: string }).queuedAt).toBe(r1!.updatedAt);

    // r1: sent. r2: a retryable failure goes back to the queue (not counted as queued again), then fails.
    for (const r of ['r1', 'r2', 'r3']) await s.deliveries.transition(ann, 'email', r, 'sending', ['queued']);
    const sent = await s.deliveries.transition(ann, 'email', 'r1', 'sent', ['sending']);
    expect((sent.record as unknown as { queuedAt: string }).queuedAt).toBe(r1!.updatedAt); // kept through sending
    await s.deliveries.transition(ann, 'email', 'r2', 'queued', ['sending'], { error: '451 busy' });
    await s.deliveries.transition(ann, 'email', 'r2', 'sending', ['queued']);
    await s.deliveries.transition(ann, 'email', 'r2', 'failed', ['sending'], { error: '550 no such user' });
    await s.deliveries.transition(ann, 'email', 'r3', 'skipped', ['sending']);
    // A transition that does not apply counts nothing.
    expect((await s.deliveries.transition(ann, 'email', 'r1', 'sent', ['sending'])).applied).toBe(false);
    expect(await field('dlv|email|queued')).toBe(3);
    expect(await field('dlv|email|sent')).toBe(1);
    expect(await field('dlv|email|failed')).toBe(1);
    expect(await field('dlv|email|skipped')).toBe(1);
    expect(await field('dlv|email|sending')).toBe(0);

    // Retrying the failed one (POST …/retry) puts it in the queue again: counted, clock restarted.
    await new Promise((r) => setTimeout(r, 5));
    const requeued = await s.deliveries.transition(ann, 'email', 'r2', 'queued', ['failed']);
    expect(requeued.applied).toBe(true);
    expect(await field('dlv|email|queued')).toBe(4);
    const q2 = (requeued.record as unknown as { queuedAt: string }).queuedAt;
    expect(Date.parse(q2)).toBeGreaterThan(Date.parse(r1!.updatedAt));
  });

  it('observes latency from queued to sent in the delivery Lua, by Redis clock, in integer milliseconds', async () => {
    const ann = 'a-lat-1';
    await s.deliveries.enqueueMany(ann, 'rss', [
      { id: 'fast', address: 'rss', language: 'en' },
      { id: 'slow', address: 'rss', language: 'en' },
    ]);
    // "slow" waited 7 s in the queue: move its start back instead of sleeping.
    const key = s.keys.deliveries(ann, 'rss');
    const slow = JSON.parse((await s.redis.hget(key, 'slow'))!) as { queuedAtMs: number };
    expect(typeof slow.queuedAtMs).toBe('number');
    await s.redis.hset(key, 'slow', JSON.stringify({ ...slow, queuedAtMs: slow.queuedAtMs - 7_000 }));
    for (const r of ['fast', 'slow']) {
      await s.deliveries.transition(ann, 'rss', r, 'sending', ['queued']);
      await s.deliveries.transition(ann, 'rss', r, 'sent', ['sending']);
    }
    // A failure is not a latency.
    await s.deliveries.enqueueMany(ann, 'rss', [{ id: 'lost', address: 'rss', language: 'en' }]);
    await s.deliveries.transition(ann, 'rss', 'lost', 'sending', ['queued']);
    await s.deliveries.transition(ann, 'rss', 'lost', 'failed', ['sending'], { error: 'x' });
    await recordRetry(s, 'rss');
    await recordRateLimitWait(s, 'rss', 120);
    await recordRateLimitWait(s, 'rss', 0);
    const rss = (await readStats(s.redis, s.keys, ['rss'])).get('rss')!;
    expect(rss.latency.count).toBe(2);
    expect(rss.latency.sumSeconds).toBeGreaterThanOrEqual(7);
    expect(rss.latency.sumSeconds).toBeLessThan(12);
    expect(rss.latency.cumulative.find((b) => b.le === '1')!.count).toBe(1);
    expect(rss.latency.cumulative.find((b) => b.le === '5')!.count).toBe(1);
    expect(rss.latency.cumulative.find((b) => b.le === '15')!.count).toBe(2);
    expect(rss.retries).toBe(1);
    expect(rss.rateLimitWaitSeconds).toBe(0.12);
  });

  it('never throws when Redis is gone: a metric must not turn a sent message into a retry', async () => {
    const dead = createRedis('redis://127.0.0.1:1', { failFast: true });
    const warnings: string[] = [];
    const deps = { redis: dead, keys: makeKeys('nowhere'), log: { ...s.log, warn: (m: string) => void warnings.push(m) } };
    try {
      await expect(recordRetry(deps, 'email')).resolves.toBeUndefined();
      await expect(recordRateLimitWait(deps, 'email', 10)).resolves.toBeUndefined();
      expect(warnings).toHaveLength(2);
    } finally {
      dead.disconnect();
    }
  });
});
