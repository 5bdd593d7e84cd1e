// Redis stays bounded: once an announcement is final, everything it left (the announcement,
// its history and counters, the delivery and correction logs, fan-out cursors, Telegram part
// ids, BullMQ jobs, events, feed and index entries) is gone after delivery.retentionDays.
// Run with a retention of a few seconds; BullMQ removes finished jobs by age when later jobs
// of the same queue finish, so a second announcement follows the first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { feedAnnouncements } from '../../src/feed/rss.js';
import { validateAnnouncement } from '../../src/announcement/schema.js';
import type { Services } from '../../src/services.js';
import { startWorkers, type RunningWorkers } from '../../workers/index.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';
import { disposeServices, fixture, startSmtp, testConfig, testServices, waitFor, type TestSmtp } from '../support/harness.js';

const RETENTION_S = 4;

let s: Services;
let workers: RunningWorkers;
let telegram: FakeTelegram;
let smtp: TestSmtp;
let probe: Redis;

beforeAll(async () => {
  [telegram, smtp] = await Promise.all([startFakeTelegram(), startSmtp()]);
  s = testServices(testConfig({
    channels: {
      email: { enabled: true, smtpUrl: smtp.url },
      rss: { enabled: true },
      telegram: { enabled: true, token: telegram.token, apiUrl: telegram.url },
    },
    delivery: { attempts: 3, backoffMs: 20, batchSize: 10, pageSize: 25, retentionDays: RETENTION_S / 86_400 },
  }));
  probe = new Redis(s.config.redis.url);
  for (let i = 0; i < 3; i++) {
    await s.subscribers.upsert({ channel: 'email', address: `reader${i}@example.edu`, topics: ['hours'], language: 'both', status: 'active' });
    await s.subscribers.upsert({ channel: 'telegram', address: String(9100 + i), topics: ['hours'], language: 'en', status: 'active' });
  }
  workers = await startWorkers(s);
});

afterAll(async () => {
  await workers?.close();
  probe?.disconnect();
  await disposeServices(s);
  await Promise.all([telegram.close(), smtp.close()]);
});

async function post(name: string, over: Record<string, unknown> = {}): Promise<string> {
  const v = validateAnnouncement(s.producer.schema, { ...fixture(name), topics: ['hours'], channels: ['email', 'rss', 'telegram'], ...over });
  if (!v.ok) throw new Error(`${name} invalid`);
  const { id } = await s.producer.create(v.value, { createdBy: 'test' });
  await waitFor(async () => (['done', 'done_with_failures'].includes((await s.producer.view(id))?.status ?? '') ? true : null), { timeoutMs: 20_000, what: `${name} sent` });
  return id;
}

/** Every place under the test's prefix that still names `id`: key names, members, fields, values, stream entries. */
async function tracesOf(id: string): Promise<string[]> {
  const prefix = `${s.config.redis.prefix}:`;
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await probe.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', '500');
    cursor = next;
    for (const key of keys) {
      const name = key.slice(prefix.length);
      if (name.includes(id)) { found.push(name); continue; }
      const type = await probe.type(key);
      let content: string[] = [];
      if (type === 'zset') content = await probe.zrange(key, '0', '-1');
      else if (type === 'set') content = await probe.smembers(key);
      else if (type === 'list') content = await probe.lrange(key, 0, -1);
      else if (type === 'hash') content = Object.entries(await probe.hgetall(key)).flat();
      else if (type === 'string') content = [(await probe.get(key)) ?? ''];
      else if (type === 'stream') content = (await probe.xrange(key, '-', '+')).flatMap(([, fields]) => fields);
      if (content.some((c) => c.includes(id))) found.push(`${name} (${type})`);
    }
  } while (cursor !== '0');
  return found.sort();
}

describe('retention', () => {
  it('leaves nothing of an announcement in Redis once its retention has passed', async () => {
    const first = await post('holiday-hours');
    // A correction renews the period for the announcement and its delivery log alike, so a
    // later correction still finds the messages it acts on.
    await new Promise((r) => setTimeout(r, 1500));
    const logTtlBefore = await probe.pttl(s.keys.deliveries(first, 'telegram'));
    // One that the public archive shows for another minute: kept until then, past the retention.
    const lasting = await post('database-trial', { expiresAt: new Date(Date.now() + 60_000).toISOString() });
    expect(await probe.ttl(s.keys.announcement(lasting))).toBeGreaterThan(50);
    // Its delivery log too: it can still be corrected while it is shown.
    expect(await probe.ttl(s.keys.deliveries(lasting, 'telegram'))).toBeGreaterThan(50);
    // Corrections too: their records, counters and history must expire with the rest.
    const edited = validateAnnouncement(s.producer.schema, { ...fixture('holiday-hours'), topics: ['hours'], channels: ['email', 'rss', 'telegram'], body: { en: 'Open **09:00–16:00**.', zh: '**09:00–16:00** 开放。' } });
    if (!edited.ok) throw new Error('edit invalid');
    expect(await s.corrector.edit(first, edited.value, { by: 'test', notice: { en: 'We close at 16:00.' } })).toMatchObject({ ok: true, revision: 2 });
    expect(await probe.pttl(s.keys.deliveries(first, 'telegram'))).toBeGreaterThan(logTtlBefore + 1000);
    await waitFor(async () => ((await s.corrections.progress(first, 2, ['email', 'rss', 'telegram'])).finished ? true : null), { timeoutMs: 20_000, what: 'correction finished' });
    // And then retracted: a second correction, its records under revision 3.
    expect(await s.corrector.retract(first, { by: 'test', notice: { en: 'Withdrawn.' } })).toMatchObject({ ok: true, revision: 3 });
    await waitFor(async () => ((await s.corrections.progress(first, 3, ['email', 'rss', 'telegram'])).finished ? true : null), { timeoutMs: 20_000, what: 'retraction finished' });

    // While retained: the announcement, its history and both logs are there, counting down.
    const annKey = s.keys.announcement(first);
    const ttl = await probe.ttl(annKey);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(RETENTION_S);
    expect((await s.announcements.revisions({ id: first, createdAt: '', createdBy: '' })).map((r) => r.kind)).toEqual(['post', 'edit', 'retract']);
    expect(await probe.exists(s.keys.deliveries(first, 'email'), s.keys.corrections(first, 2, 'telegram'), s.keys.corrections(first, 3, 'telegram'), s.keys.counters(first))).toBe(4);
    expect((await tracesOf(first)).length).toBeGreaterThan(5);

    await waitFor(async () => ((await probe.exists(annKey)) === 0 ? true : null), { timeoutMs: (RETENTION_S + 5) * 1000, what: 'the announcement expired' });
    await new Promise((r) => setTimeout(r, 1100));
    // Later work through the same queues lets BullMQ remove the first one's finished jobs by age;
    // the readers of the index and the feed drop the entries they find expired.
    const second = await post('storm-closure');
    // Posting swept the oldest index entries: gone before any reader pages that far back.
    expect(await probe.zscore(s.keys.announcementIndex, first)).toBeNull();
    expect((await s.announcements.list({ limit: 100 })).items.map((a) => a.id)).toEqual([second, lasting]);
    expect((await feedAnnouncements(s, { limit: 10 })).map((a) => a.id).sort()).toEqual([second, lasting].sort());

    // BullMQ's own event streams are capped by BullMQ (streams.events.maxLen), not by age.
    const traces = (await tracesOf(first)).filter((t) => !/^bull:[^:]+:events \(stream\)$/.test(t));
    expect(traces).toEqual([]);
    expect(await s.producer.view(first)).toBeNull();
  }, 60_000);
});
