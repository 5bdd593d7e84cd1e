// Issue 3's "done when": one post of the holiday-hours fixture over HTTP, every channel built
// by the real registry from configuration, each platform a local server speaking its API.
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
import { ADMIN_TOKEN, disposeServices, fixture, testConfig, testServices, waitFor } from '../support/harness.js';

const ZH = '国庆假期图书馆开放时间调整';
const EN = 'Opening hours during the National Day holiday';
const DING_SECRET = 'SECdingtalk-secret-0123456789';
const FEISHU_SECRET = 'feishu-secret-0123456789';
const WEB_SECRET = 'website-secret-0123456789';

let slack: FakeSlack, telegram: FakeTelegram, mastodon: FakeMastodon, json: JsonReceiver;
let wecom: FakeRobot<unknown>, dingtalk: FakeRobot<unknown>, feishu: FakeRobot<unknown>;
let s: Services;
let app: FastifyInstance;
let workers: RunningWorkers;

beforeAll(async () => {
  [slack, telegram, mastodon, json, wecom, dingtalk, feishu] = await Promise.all([
    startFakeSlack(), startFakeTelegram(), startFakeMastodon(), startJsonReceiver(WEB_SECRET),
    startFakeWecom(['k1']), startFakeDingtalk({ t1: DING_SECRET }), startFakeFeishu({ h1: FEISHU_SECRET }),
  ]);
  slack.addChannel('C0LIBRARY');
  s = testServices(testConfig({
    channels: {
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
  app = await buildApp(s);
  workers = await startWorkers(s);
});

afterAll(async () => {
  await workers.close();
  await app.close();
  await disposeServices(s);
  await Promise.all([slack, telegram, mastodon, json, wecom, dingtalk, feishu].map((f) => f.close()));
});

const bothLanguages = (text: string) => text.includes(ZH) && text.includes(EN) && text.indexOf(ZH) < text.indexOf(EN);

describe('one announcement, every channel', () => {
  it('reaches Slack, Telegram, Mastodon, WeCom, DingTalk, Feishu and the JSON webhook once each, in both languages', async () => {
    const res = await app.inject({
      method: 'POST', url: '/api/announcements', payload: fixture('holiday-hours'),
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(res.statusCode).toBe(202);
    const { id } = res.json() as { id: string };
    const view = await waitFor(async () => {
      const r = await app.inject({ method: 'GET', url: `/api/announcements/${id}`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      const body = r.json() as { status: string; deliveries: Record<string, { sent: number; total: number }> };
      return ['done', 'done_with_failures'].includes(body.status) ? body : null;
    }, { timeoutMs: 30_000, what: 'announcement final' });

    expect(view.status).toBe('done');
    expect(Object.keys(view.deliveries).sort()).toEqual([
      'mastodon', 'slack', 'telegram', 'webhook:eng-faculty', 'webhook:grad-school', 'webhook:staff', 'webhook:website',
    ]);
    for (const [channel, counts] of Object.entries(view.deliveries)) expect(counts, channel).toMatchObject({ total: 1, sent: 1 });

    expect(slack.messages('C0LIBRARY')).toHaveLength(1);
    expect(bothLanguages(JSON.stringify(slack.messages('C0LIBRARY')[0].params.blocks))).toBe(true);
    expect(telegram.sent).toHaveLength(1);
    expect(bothLanguages(telegram.sent[0].text)).toBe(true);
    expect(mastodon.statuses).toHaveLength(1);
    expect(bothLanguages(mastodon.statuses[0].text)).toBe(true);
    for (const robot of [wecom, dingtalk, feishu]) {
      expect(robot.messages).toHaveLength(1);
      expect(bothLanguages(decodeReferences(JSON.stringify(robot.messages[0].message)))).toBe(true);
    }
    // The fakes refuse unsigned or wrongly signed requests, so an accepted message is a valid signature.
    expect(dingtalk.requests).toHaveLength(1);
    expect(feishu.requests).toHaveLength(1);
    expect(json.accepted()).toHaveLength(1);
    expect(json.accepted()[0].signatureValid).toBe(true);
    expect(json.accepted()[0].json.titles).toEqual({ zh: ZH, en: EN });
  });
});
