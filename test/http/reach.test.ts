// Reach per channel in GET /api/announcements/:id and on the dashboard page, and the delivery
// log as CSV: e-mail counts people delivered to (not the failures), the feed counts as one
// "group", Telegram tells its subscribers (people) from its broadcast chats (groups).
import { ctxFor } from '../support/channel-context.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramChannel } from '../../channels/telegram/channel.js';
import { buildApp } from '../../src/http/app.js';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../src/services.js';
import { startWorkers, type RunningWorkers } from '../../workers/index.js';
import { injectSignIn } from '../admin/support.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';
import { ADMIN_TOKEN, disposeServices, startSmtp, testConfig, testServices, type TestSmtp } from '../support/harness.js';
import { waitDone } from '../subscriptions/helpers.js';

let s: Services;
let app: FastifyInstance;
let workers: RunningWorkers;
let smtp: TestSmtp;
let fake: FakeTelegram;
let id: string;

beforeAll(async () => {
  smtp = await startSmtp();
  fake = await startFakeTelegram();
  s = testServices(testConfig({
    alerts: { enabled: false },
    channels: {
      email: { enabled: true, smtpUrl: smtp.url }, rss: { enabled: true },
      telegram: { enabled: true, token: fake.token, apiUrl: fake.url, targets: [{ chatId: '@library_news', topics: ['*'] }] },
    },
  }));
  const tg = createTelegramChannel(ctxFor(s.config, 'telegram', { redis: s.redis, keys: s.keys, subscribers: s.subscribers, log: s.log }));
  s.channels.set(tg.name, tg);
  for (const a of ['a', 'b', 'c']) await s.subscribers.upsert({ channel: 'email', address: `${a}@example.edu`, topics: ['*'], language: 'en', status: 'active' });
  await s.subscribers.upsert({ channel: 'email', address: '=bad@example.edu', topics: ['*'], language: 'en', status: 'active' });
  smtp.replies.set('=bad@example.edu', '550 5.1.1 No such user');
  await s.subscribers.upsert({ channel: 'telegram', address: '5001', topics: ['*'], language: 'en', status: 'active' });
  workers = await startWorkers(s);
  app = await buildApp(s);
  ({ id } = await s.producer.create({ title: { en: 'Reach test' }, body: { en: 'Body.' }, topics: ['hours'], priority: 'normal' }, { createdBy: 't' }));
  await waitDone(s, id);
}, 30_000);

afterAll(async () => {
  await workers?.close();
  await app?.close();
  await disposeServices(s);
  await smtp.close();
  await fake.close();
});

describe('reach', () => {
  it('is in GET /api/announcements/:id beside the unchanged delivery counts', async () => {
    const res = await app.inject({ method: 'GET', url: `/api/announcements/${id}`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const body = res.json() as { reach: Record<string, unknown>; deliveries: Record<string, { sent: number; failed: number }> };
    expect(body.reach).toEqual({ email: { people: 3, groups: 0 }, rss: { people: 0, groups: 1 }, telegram: { people: 1, groups: 1 } });
    expect(body.deliveries.email).toMatchObject({ sent: 3, failed: 1 });
  });

  it('is on the dashboard page, with the delivery log as CSV (formula cells defused)', async () => {
    const sess = await injectSignIn(app, ADMIN_TOKEN);
    const page = await app.inject({ method: 'GET', url: `/admin/announcements/${id}`, headers: { cookie: sess.cookie, accept: 'text/html' } });
    expect(page.body).toContain('<tr data-channel="telegram"><th scope="row">Telegram</th><td class="num" data-n="people">1</td><td class="num" data-n="groups">1</td></tr>');
    expect(page.body).toContain(`<a href="/admin/announcements/${id}/deliveries.csv">`);
    const csv = await app.inject({ method: 'GET', url: `/admin/announcements/${id}/deliveries.csv`, headers: { cookie: sess.cookie } });
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('channel,recipient,address,status,attempts,error,externalId,updatedAt');
    expect(lines).toHaveLength(1 + 4 + 1 + 2);
    expect(lines.find((l) => l.includes('bad@'))).toMatch(/^email,\w+,'=bad@example\.edu,failed,/);
    expect((await app.inject({ method: 'GET', url: `/admin/announcements/${id}/deliveries.csv` })).statusCode).not.toBe(200);
  });
});
