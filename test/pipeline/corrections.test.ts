// Issue 14's "done when": one announcement posted to every channel, then edited with a notice,
// then retracted, over HTTP, with every platform a local server speaking its API. Each
// platform gets the change it allows (in place, or the notice), never a second copy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import type { Services } from '../../src/services.js';
import { startWorkers, type RunningWorkers } from '../../workers/index.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';
import { startFakeMastodon, type FakeMastodon } from '../support/fake-mastodon.js';
import { decodeReferences, startFakeDingtalk, startFakeFeishu, startFakeWecom, type FakeRobot } from '../support/fake-chatbots.js';
import { startJsonReceiver, type JsonReceiver } from '../channels/webhooks-json/receiver.js';
import { ADMIN_TOKEN, disposeServices, fixture, startSmtp, testConfig, testServices, waitFor, type TestSmtp } from '../support/harness.js';

const DING_SECRET = 'SECdingtalk-secret-0123456789';
const FEISHU_SECRET = 'feishu-secret-0123456789';
const WEB_SECRET = 'website-secret-0123456789';
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

let slack: FakeSlack, telegram: FakeTelegram, mastodon: FakeMastodon, json: JsonReceiver, smtp: TestSmtp;
let wecom: FakeRobot<unknown>, dingtalk: FakeRobot<unknown>, feishu: FakeRobot<unknown>;
let s: Services;
let app: FastifyInstance;
let workers: RunningWorkers;
let id: string;

beforeAll(async () => {
  [slack, telegram, mastodon, json, wecom, dingtalk, feishu, smtp] = await Promise.all([
    startFakeSlack(), startFakeTelegram(), startFakeMastodon(), startJsonReceiver(WEB_SECRET),
    startFakeWecom(['k1']), startFakeDingtalk({ t1: DING_SECRET }), startFakeFeishu({ h1: FEISHU_SECRET }), startSmtp(),
  ]);
  slack.addChannel('C0LIBRARY');
  s = testServices(testConfig({
    channels: {
      email: { enabled: true, smtpUrl: smtp.url },
      rss: { enabled: true },
      slack: { enabled: true, token: slack.token, apiUrl: slack.apiUrl, targets: [{ channel: 'C0LIBRARY', topics: ['*'] }] },
      telegram: { enabled: true, token: telegram.token, apiUrl: telegram.url, targets: [{ chatId: '@example_library', topics: ['*'] }] },
      mastodon: { enabled: true, instanceUrl: mastodon.url, accessToken: mastodon.token },
      webhooks: [
        { name: 'eng-faculty', kind: 'wecom', url: wecom.url('k1'), topics: ['*'] },
        { name: 'grad-school', kind: 'dingtalk', url: dingtalk.url('t1'), secret: DING_SECRET, topics: ['hours'] },
        { name: 'staff', kind: 'feishu', url: feishu.url('h1'), secret: FEISHU_SECRET, topics: ['*'] },
        { name: 'website', kind: 'json', url: json.url, secret: WEB_SECRET, topics: ['*'] },
      ],
    },
  }));
  await s.subscribers.upsert({ channel: 'email', address: 'reader@example.edu', topics: ['*'], language: 'en', status: 'active' });
  app = await buildApp(s);
  workers = await startWorkers(s);
});

afterAll(async () => {
  await workers.close();
  await app.close();
  await disposeServices(s);
  await Promise.all([slack, telegram, mastodon, json, wecom, dingtalk, feishu, smtp].map((f) => f.close()));
});

interface View {
  status: string; revision: number; retracted: boolean;
  revisions: { revision: number; kind: string; by: string; notice?: Record<string, string> }[];
  corrections: Record<string, { total: number; sent: number; failed: number; skipped: number; queued: number }>;
  correction: { revision: number; finished: boolean } | null;
  correctable: Record<string, { edit: string; retract: string }>;
}

async function view(): Promise<View> {
  return (await app.inject({ method: 'GET', url: `/api/announcements/${id}`, headers: auth })).json() as View;
}

const finished = (revision: number) => waitFor(async () => {
  const v = await view();
  return v.correction?.revision === revision && v.correction.finished ? v : null;
}, { timeoutMs: 30_000, what: `correction ${revision} finished` });

async function rssXml(): Promise<string> {
  return (await app.inject({ method: 'GET', url: '/feeds/rss.xml?lang=en' })).body;
}

const NOTICE = { en: 'Correction: the library closes at 16:00, not 17:00.', zh: '更正：闭馆时间为16:00，而非17:00。' };

describe('corrections on every channel', () => {
  it('posts once everywhere, with a reference for every message', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/announcements', payload: fixture('holiday-hours'), headers: auth });
    expect(res.statusCode).toBe(202);
    id = (res.json() as { id: string }).id;
    await waitFor(async () => ((await view()).status === 'done' ? true : null), { timeoutMs: 30_000, what: 'sent' });
    const log = await app.inject({ method: 'GET', url: `/api/announcements/${id}/deliveries?limit=100`, headers: auth });
    const items = (log.json() as { items: { channel: string; kind: string; revision: number; ref?: unknown; sentAt?: string }[] }).items;
    expect(items).toHaveLength(9);
    for (const item of items) {
      expect(item.kind, item.channel).toBe('send');
      expect(item.revision, item.channel).toBe(1);
      // The group robots' webhooks answer no message id: nothing to refer to (they get notices).
      const robot = ['webhook:eng-faculty', 'webhook:grad-school', 'webhook:staff'].includes(item.channel);
      if (!robot) expect(item.ref, item.channel).toBeTruthy();
      expect(Date.parse(item.sentAt!), item.channel).toBeGreaterThan(0);
    }
    expect((await view()).revision).toBe(1);
  });

  it('an edit with a notice changes the message in place where the platform allows, and sends the notice elsewhere', async () => {
    const edited = fixture('holiday-hours') as { body: Record<string, string> };
    edited.body = { en: 'The library is open **09:00–16:00** every day of the holiday.', zh: '假期每天开放时间为 **09:00–16:00**。' };
    const slackTs = slack.messages('C0LIBRARY')[0].ts;
    const tgFirst = telegram.sent[0];
    const statusId = mastodon.statuses[0].id;
    const res = await app.inject({ method: 'PUT', url: `/api/announcements/${id}`, payload: { ...edited, notice: NOTICE }, headers: auth });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({ id, revision: 2 });
    const v = await finished(2);

    for (const [channel, c] of Object.entries(v.corrections)) {
      expect(c, channel).toMatchObject({ total: 1, sent: 1, failed: 0 });
    }
    // Slack: chat.update of the original ts, no new message.
    expect(slack.messages('C0LIBRARY')).toHaveLength(1);
    expect(slack.calls.filter((c) => c.method === 'chat.update')).toHaveLength(1);
    expect(slack.find('C0LIBRARY', slackTs)!.edits).toBe(1);
    const nowOnSlack = slack.find('C0LIBRARY', slackTs)!;
    expect(JSON.stringify([nowOnSlack.text, nowOnSlack.blocks])).toContain('09:00–16:00');
    // Telegram: editMessageText of the original message id, no new message.
    expect(telegram.sent).toHaveLength(1);
    const edit = telegram.calls.filter((c) => c.method === 'editMessageText');
    expect(edit).toHaveLength(1);
    expect(Number(edit[0].params.message_id)).toBe(tgFirst.messageId);
    expect(telegram.message(tgFirst.chatId, tgFirst.messageId)!.text).toContain('09:00–16:00');
    // Mastodon: a PUT of the original status.
    expect(mastodon.statuses).toHaveLength(1);
    expect(mastodon.statuses[0].id).toBe(statusId);
    expect(mastodon.statuses[0].edits).toHaveLength(1);
    expect(mastodon.statuses[0].edits[0].text).toContain('09:00–16:00');
    // The feed: the same guid, the new text.
    const xml = await rssXml();
    expect(xml.match(/<item>/g)).toHaveLength(1);
    expect(xml).toContain(`<guid isPermaLink="false">${id}</guid>`);
    expect(xml).toContain('09:00–16:00');
    // The JSON webhook: a signed update event.
    const events = json.accepted();
    expect(events).toHaveLength(2);
    expect(events[1].signatureValid).toBe(true);
    expect(events[1].json).toMatchObject({ event: 'announcement.updated', revision: 2 });
    // E-mail and the robots: the notice, as a new message; e-mail threads under the original.
    expect(smtp.received).toHaveLength(2);
    const [original, notice] = smtp.received.map((m) => m.parsed);
    expect(notice.subject).toContain('Correction');
    expect(notice.text).toContain(NOTICE.en);
    expect(notice.inReplyTo).toBe(original.messageId);
    for (const robot of [wecom, dingtalk, feishu]) {
      expect(robot.messages).toHaveLength(2);
      expect(decodeReferences(JSON.stringify(robot.messages[1].message))).toContain('16:00');
    }
    expect(v.revisions.map((r) => [r.revision, r.kind])).toEqual([[1, 'post'], [2, 'edit']]);
    expect(v.revisions[1].notice).toEqual(NOTICE);
    // The correction's own log: what each platform did.
    const log = await app.inject({ method: 'GET', url: `/api/announcements/${id}/deliveries?revision=2&limit=100`, headers: auth });
    const kinds = Object.fromEntries((log.json() as { items: { channel: string; kind: string }[] }).items.map((i) => [i.channel, i.kind]));
    expect(kinds).toMatchObject({ slack: 'edit', telegram: 'edit', mastodon: 'edit', email: 'notice', 'webhook:staff': 'notice', 'webhook:website': 'edit' });
  });

  it('a retraction deletes where the platform allows, drops the feed item, and sends the notices; an edit afterwards is refused', async () => {
    const notice = { en: 'This event was called off.' };
    const res = await app.inject({ method: 'POST', url: `/api/announcements/${id}/retract`, payload: { notice }, headers: auth });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({ id, status: 'retracted', revision: 3 });
    const v = await finished(3);
    expect(v.retracted).toBe(true);
    for (const [channel, c] of Object.entries(v.corrections)) expect(c, channel).toMatchObject({ total: 1, sent: 1, failed: 0 });
    expect(slack.calls.filter((c) => c.method === 'chat.delete')).toHaveLength(1);
    expect(slack.messages('C0LIBRARY').filter((m) => !m.deleted)).toHaveLength(0);
    expect(telegram.calls.filter((c) => c.method === 'deleteMessage')).toHaveLength(1);
    expect(telegram.message(telegram.sent[0].chatId, telegram.sent[0].messageId)).toBeUndefined();
    expect(mastodon.statuses[0].deleted).toBe(true);
    expect(await rssXml()).not.toContain('<item>');
    expect(json.accepted()[2].json).toMatchObject({ event: 'announcement.retracted', revision: 3 });
    expect(smtp.received).toHaveLength(3);
    for (const robot of [wecom, dingtalk, feishu]) expect(robot.messages).toHaveLength(3);
    // No platform got a second copy of the announcement itself.
    expect(telegram.sent).toHaveLength(1);
    expect(mastodon.statuses).toHaveLength(1);

    const again = await app.inject({ method: 'PUT', url: `/api/announcements/${id}`, payload: fixture('holiday-hours'), headers: auth });
    expect(again.statusCode).toBe(409);
    const twice = await app.inject({ method: 'POST', url: `/api/announcements/${id}/retract`, headers: auth });
    expect(twice.statusCode).toBe(409);
    expect(v.correctable).toMatchObject({ slack: { retract: 'in_place' }, email: { retract: 'notice' }, 'webhook:eng-faculty': { retract: 'notice' } });
  });
});
