// An admin's retry batches failed deliveries as the fan-out does, by the channel's own limit:
// Telegram takes at most 20 recipients a job (each at most one message a second per chat), so a
// retry of 100 failed Telegram deliveries must not make jobs of delivery.batchSize (50 here).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateAnnouncement } from '../../src/announcement/schema.js';
import type { DeliverJob } from '../../src/queue/queues.js';
import type { Services } from '../../src/services.js';
import { disposeServices, testConfig, testServices } from '../support/harness.js';

let s: Services;

beforeEach(() => {
  s = testServices(testConfig({
    channels: { telegram: { enabled: true, token: '123:test-token', apiUrl: 'http://127.0.0.1:9' }, rss: { enabled: true } },
    delivery: { attempts: 3, backoffMs: 20, batchSize: 50, pageSize: 100 },
  }));
});
afterEach(() => disposeServices(s));

describe('retry batches', () => {
  it('retries 100 failed Telegram deliveries in jobs of at most 20 recipients, every one once', async () => {
    const v = validateAnnouncement(s.producer.schema, { title: { en: 't' }, body: { en: 'b' }, topics: ['hours'], channels: ['telegram'] });
    if (!v.ok) throw new Error(JSON.stringify(v.issues));
    // Scheduled far ahead, and no workers: only the retry queues anything.
    const { id } = await s.producer.create({ ...v.value, publishAt: '2031-01-01T00:00:00.000Z' }, { createdBy: 'test' });
    const recipients = Array.from({ length: 100 }, (_, i) => ({ id: `c${i}`, address: String(1000 + i), language: 'en' as const }));
    await s.deliveries.enqueueMany(id, 'telegram', recipients);
    for (const r of recipients) await s.deliveries.transition(id, 'telegram', r.id, 'failed', ['queued'], { error: 'Telegram 502' });

    expect(await s.producer.retryFailed(id)).toEqual({ requeued: 100 });
    const jobs = await s.queues.deliver('telegram').getJobs(['waiting', 'prioritized']);
    const sizes = jobs.map((j) => (j.data as DeliverJob).recipients.length);
    expect(Math.max(...sizes)).toBe(20);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(100);
    expect(new Set(jobs.flatMap((j) => (j.data as DeliverJob).recipients.map((r) => r.id))).size).toBe(100);
  });
});
