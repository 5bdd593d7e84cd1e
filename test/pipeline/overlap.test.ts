// Sends overlap: a delivery job keeps `limits.inFlight` sends going at once, every recipient
// still recorded once; and a platform's 429 holds back every send of the channel, not only
// the job that got it.
import { afterEach, describe, expect, it } from 'vitest';
import type { Services } from '../../src/services.js';
import type { Channel } from '../../src/types.js';
import { startWorkers, type RunningWorkers } from '../../workers/index.js';
import { startFakeTelegram, TG, type FakeTelegram } from '../support/fake-telegram.js';
import { disposeServices, finalView, testConfig, testServices } from '../support/harness.js';

let s: Services | undefined;
let workers: RunningWorkers | undefined;
let fake: FakeTelegram | undefined;

afterEach(async () => {
  await workers?.close();
  if (s) await disposeServices(s);
  await fake?.close();
  s = workers = fake = undefined;
});

const post = (svc: Services, channels: string[]) =>
  svc.producer.create({ title: { en: 'Closed Monday' }, body: { en: 'Maintenance.' }, topics: ['hours'], priority: 'normal', channels }, { createdBy: 'test' });

describe('overlapping sends', () => {
  it('keeps inFlight sends going in one job, and records every recipient once', async () => {
    s = testServices(testConfig({ channels: { rss: { enabled: true } } }));
    let now = 0;
    let peak = 0;
    const sent: string[] = [];
    const slow: Channel<string> = {
      name: 'rss',
      limits: { batchSize: 12, concurrency: 1, inFlight: 4 },
      recipientPage: async (_ann, cursor) => ({
        recipients: cursor ? [] : Array.from({ length: 12 }, (_, i) => ({ id: `r${i}`, address: `r${i}`, language: 'en' as const })),
        next: null,
      }),
      render: (_ann, r) => r.id,
      preview: (m) => m,
      async send(m) {
        peak = Math.max(peak, ++now);
        await new Promise((r) => setTimeout(r, 60));
        now -= 1;
        sent.push(m);
        return { externalId: m };
      },
    };
    s.channels.set('rss', slow);
    workers = await startWorkers(s);
    const { id } = await post(s, ['rss']);
    const view = await finalView(s, id);
    expect(view.deliveries.rss).toMatchObject({ total: 12, sent: 12, sending: 0, queued: 0 });
    expect(peak).toBe(4); // one job (concurrency 1), four lanes
    expect(sent.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `r${i}`).sort());
    const page = await s.deliveries.list(id, ['rss'], { limit: 50 });
    expect(page.items.every((r) => r.attempts === 1 && r.status === 'sent' && !r.possibleDuplicate)).toBe(true);
  });

  it('a 429 from Telegram holds every sender back for its retry_after, then all arrive', async () => {
    fake = await startFakeTelegram();
    s = testServices(testConfig({ channels: { telegram: { enabled: true, token: fake.token, apiUrl: fake.url } } }));
    // 45 subscribers: three jobs of at most 20 running at once, so holding back only the job
    // that got the 429 would not be enough.
    for (let i = 1; i <= 45; i++) {
      await s.subscribers.upsert({ channel: 'telegram', address: String(1000 + i), topics: ['hours'], language: 'en', status: 'active' });
    }
    fake.failNext('1001', TG.tooMany(1));
    workers = await startWorkers(s);
    const { id } = await post(s, ['telegram']);
    const view = await finalView(s, id);
    expect(view.deliveries.telegram).toMatchObject({ total: 45, sent: 45, failed: 0 });
    const sends = fake.calls.filter((c) => c.method === 'sendMessage');
    const refused = sends.find((c) => String(c.params.chat_id) === '1001')!;
    // Nothing went to any chat in the second after the 429 (the bot's own limit, so everyone
    // waits), except a send already past the pacer when the answer came: at 30/s, within 150 ms.
    const during = sends.filter((c) => c.at > refused.at + 150 && c.at < refused.at + 950);
    expect(during.map((c) => c.params.chat_id)).toEqual([]);
    expect(sends.filter((c) => String(c.params.chat_id) === '1001')).toHaveLength(2);
  });
});
