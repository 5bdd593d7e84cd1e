// Issue 15: secrets never leak. Every channel is configured with a distinctive secret (tokens,
// signing secrets, robot keys inside webhook URLs, the SMTP password inside smtpUrl, the
// subscription token secret, API tokens), each pointing at a local fake, and a fan-out runs over
// every channel with a failure on each (errors produced and logged). None of the secrets, nor
// their URL-encoded forms, may then appear in the log, the delivery log's errors, any dashboard
// page (bull-board's job JSON included), the API's answers, /metrics, or anything stored in
// Redis under the test's prefix. A dashboard session's cookie id is checked the same way.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TELEGRAM_WEBHOOK_PATH } from '../../channels/telegram/bot/index.js';
import { formatBanner } from '../../src/bootstrap/banner.js';
import { buildApp } from '../../src/http/app.js';
import type { Services } from '../../src/services.js';
import { createLogger } from '../../src/util/log.js';
import { createServices } from '../../src/services.js';
import { startWorkers, type RunningWorkers } from '../../workers/index.js';
import { injectSignIn, type InjectedSession } from '../admin/support.js';
import { startJsonReceiver, type JsonReceiver } from '../channels/webhooks-json/receiver.js';
import { startFakeDingtalk, startFakeFeishu, startFakeWecom, type FakeRobot } from '../support/fake-chatbots.js';
import { startFakeMastodon, type FakeMastodon } from '../support/fake-mastodon.js';
import { slackReply, startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { startFakeTelegram, TG, type FakeTelegram } from '../support/fake-telegram.js';
import { deletePrefix, finalView, startSmtp, testConfig, waitFor, type TestSmtp } from '../support/harness.js';

// Distinctive values; some with characters URL-encoding changes (":" "+" "=" "/").
const SECRET = {
  adminToken: 'ADMIN-TOKEN-s3cr3t-aaaaaaaaaaaaaaaa',
  librarianToken: 'LIBRARIAN-TOKEN-s3cr3t-bbbbbbbbbbbbb',
  slackToken: 'xoxb-SLACK-s3cr3t-cccccccccccccccc',
  telegramToken: '777000:TELEGRAM_s3cr3t-dddddddddddddddd',
  telegramWebhook: 'TGWEBHOOK-s3cr3t-eeeeeeeeeeeeeeee',
  mastodonToken: 'MASTODON-s3cr3t-ffffffffffffffff',
  wecomKey: 'WECOMKEY-s3cr3t-gggggggggggggggg',
  wecomBadKey: 'WECOMBADKEY-s3cr3t-hhhhhhhhhhhhhhh',
  wecomDeadKey: 'WECOMDEADKEY-s3cr3t-iiiiiiiiiiiiii',
  dingtalkToken: 'DINGTOKEN-s3cr3t-jjjjjjjjjjjjjjjj',
  dingtalkSecret: 'SECDINGSIGN-s3cr3t+kkkkkkkkkkkkkk=',
  dingtalkWrongSecret: 'SECDINGWRONG-s3cr3t+llllllllllll=',
  feishuHook: 'FEISHUHOOK-s3cr3t-mmmmmmmmmmmmmmm',
  feishuSecret: 'FEISHUSIGN-s3cr3t+nnnnnnnnnnnnnnn=',
  feishuWrongSecret: 'FEISHUWRONG-s3cr3t+ooooooooooooo=',
  jsonSecret: 'JSONHOOK-s3cr3t+pppppppppppppppp=',
  jsonWrongSecret: 'JSONWRONG-s3cr3t+qqqqqqqqqqqqqqq=',
  smtpPassword: 'SMTP-PASS-s3cr3t/rrrrrrrrrrrrrrrr',
  subscriptionSecret: 'SUBSCRIPTION-s3cr3t-ssssssssssssss',
  /** Only in the start banner's check (the test Redis has no password). */
  redisPassword: 'REDIS-PASS-s3cr3t-tttttttttttttttt',
};
/** Each secret as it could appear: itself and URL-encoded (twice, for a URL inside a URL). */
const needles = (values: Record<string, string>): [string, string][] =>
  Object.entries(values).flatMap(([name, v]) => [...new Set([v, encodeURIComponent(v), encodeURIComponent(encodeURIComponent(v))])].map((n): [string, string] => [name, n]))
    // Every secret in base64 too (a header or a job's data could carry it so); the SMTP password
    // also as AUTH PLAIN sends it.
    .concat(Object.entries(values).map(([name, v]): [string, string] => [name, b64(v)]))
    .concat([['smtpPassword', b64(`\0crier\0${SECRET.smtpPassword}`)]]);
function b64(v: string): string {
  return Buffer.from(v, 'utf8').toString('base64');
}

/** Names of the secrets found in `text` (empty when none). */
function leaks(text: string, values: Record<string, string>): string[] {
  return [...new Set(needles(values).filter(([, n]) => text.includes(n)).map(([name]) => name))];
}

let smtp: TestSmtp, slack: FakeSlack, telegram: FakeTelegram, mastodon: FakeMastodon;
let wecom: FakeRobot<unknown>, dingtalk: FakeRobot<unknown>, feishu: FakeRobot<unknown>;
let jsonOk: JsonReceiver, jsonBad: JsonReceiver;
let s: Services;
let app: FastifyInstance;
let workers: RunningWorkers;
let outbox: string;
const logLines: string[] = [];
const ids: string[] = [];
let admin: InjectedSession;

beforeAll(async () => {
  outbox = mkdtempSync(join(tmpdir(), 'crier-secrets-'));
  [smtp, slack, telegram, mastodon, wecom, dingtalk, feishu, jsonOk, jsonBad] = await Promise.all([
    startSmtp(), startFakeSlack({ token: SECRET.slackToken }), startFakeTelegram({ token: SECRET.telegramToken }),
    startFakeMastodon({ token: SECRET.mastodonToken }), startFakeWecom([SECRET.wecomKey]),
    startFakeDingtalk({ [SECRET.dingtalkToken]: SECRET.dingtalkSecret }), startFakeFeishu({ [SECRET.feishuHook]: SECRET.feishuSecret }),
    startJsonReceiver(SECRET.jsonSecret), startJsonReceiver(SECRET.jsonSecret),
  ]);
  slack.addChannel('C0LIBRARY');
  // Failures: an unknown Slack channel, a Telegram chat that is gone, Mastodon's 500s (first
  // announcement), a WeCom key the platform does not know and one on a closed port, wrong
  // DingTalk/Feishu/JSON signatures, and an SMTP address refused.
  slack.script('C0GONE', slackReply.error('channel_not_found'));
  // Retried answers make the Slack client log (through Crier's logger) before it succeeds.
  slack.script('C0LIBRARY', slackReply.serverError(), slackReply.rateLimited(1));
  telegram.failAlways('@gone_chat', TG.chatNotFound);
  mastodon.script.push({ kind: '500' }, { kind: '500' }, { kind: '500' });
  smtp.replies.set('gone@example.edu', '550 5.1.1 No such user');

  const smtpUrl = `${smtp.url.replace('smtp://', `smtp://crier:${encodeURIComponent(SECRET.smtpPassword)}@`)}`;
  const config = testConfig({
    library: { baseUrl: 'https://crier.test' },
    auth: { tokens: [{ name: 'systems', role: 'admin', token: SECRET.adminToken }, { name: 'desk', role: 'librarian', token: SECRET.librarianToken }] },
    subscriptions: { secret: SECRET.subscriptionSecret, minFillSeconds: 0 },
    metrics: { public: true },
    delivery: { attempts: 3, backoffMs: 20, batchSize: 10, pageSize: 25 },
    channels: {
      email: { enabled: true, smtpUrl, perSecond: 100 },
      rss: { enabled: true },
      slack: { enabled: true, token: SECRET.slackToken, apiUrl: slack.apiUrl, targets: [{ channel: 'C0LIBRARY' }, { channel: 'C0GONE' }] },
      telegram: {
        enabled: true, token: SECRET.telegramToken, apiUrl: telegram.url, targets: [{ chatId: '@example_library' }, { chatId: '@gone_chat' }],
        bot: { enabled: true, mode: 'webhook', webhookSecret: SECRET.telegramWebhook, username: 'library_test_bot' },
      },
      mastodon: { enabled: true, instanceUrl: mastodon.url, accessToken: SECRET.mastodonToken },
      webhooks: [
        { name: 'wecom-ok', kind: 'wecom', url: wecom.url(SECRET.wecomKey) },
        { name: 'wecom-unknown', kind: 'wecom', url: wecom.url(SECRET.wecomBadKey) },
        { name: 'wecom-dead', kind: 'wecom', url: `http://127.0.0.1:${await closedPort()}/cgi-bin/webhook/send?key=${SECRET.wecomDeadKey}` },
        { name: 'ding-ok', kind: 'dingtalk', url: dingtalk.url(SECRET.dingtalkToken), secret: SECRET.dingtalkSecret },
        { name: 'ding-wrong', kind: 'dingtalk', url: dingtalk.url(SECRET.dingtalkToken), secret: SECRET.dingtalkWrongSecret },
        { name: 'feishu-ok', kind: 'feishu', url: feishu.url(SECRET.feishuHook), secret: SECRET.feishuSecret },
        { name: 'feishu-wrong', kind: 'feishu', url: feishu.url(SECRET.feishuHook), secret: SECRET.feishuWrongSecret },
        { name: 'json-ok', kind: 'json', url: jsonOk.url, secret: SECRET.jsonSecret },
        { name: 'json-wrong', kind: 'json', url: jsonBad.url, secret: SECRET.jsonWrongSecret },
      ],
    },
  });
  // Everything logged, at debug level, into memory.
  s = createServices(config, { log: createLogger('crier', 'debug', (line) => logLines.push(line)) });
  for (const address of ['reader@example.edu', 'gone@example.edu']) {
    await s.subscribers.upsert({ channel: 'email', address, topics: ['*'], language: 'both', status: 'active' });
  }
  app = await buildApp(s);
  workers = await startWorkers(s, { concurrency: 4 });
  admin = await injectSignIn(app, SECRET.adminToken);
}, 60_000);

afterAll(async () => {
  await workers?.close();
  await app?.close();
  if (s) {
    await s.close();
    await deletePrefix(s.config.redis.url, s.config.redis.prefix);
  }
  await Promise.all([smtp, slack, telegram, mastodon, wecom, dingtalk, feishu, jsonOk, jsonBad].map((f) => f?.close()));
  rmSync(outbox, { recursive: true, force: true });
});

const bearer = (token = SECRET.adminToken) => ({ authorization: `Bearer ${token}` });

async function postAnnouncement(app: FastifyInstance, title: string): Promise<string> {
  const res = await app.inject({
    method: 'POST', url: '/api/announcements', headers: bearer(),
    payload: { title: { en: `${title} ${VISIBLE}`, zh: '图书馆通知' }, body: { en: 'The **Central Library** closes early.', zh: '总馆提前闭馆。' }, topics: ['hours'], link: 'https://library.example.edu/n/1' },
  });
  expect(res.statusCode, res.body).toBe(202);
  return (res.json() as { id: string }).id;
}

/** Every value under the test's prefix, as text (strings, hashes, lists, sets, sorted sets, streams). */
async function redisDump(s: Services): Promise<{ key: string; text: string }[]> {
  const out: { key: string; text: string }[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await s.redis.scan(cursor, 'MATCH', `${s.config.redis.prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const type = await s.redis.type(key);
      let value: unknown;
      if (type === 'string') value = await s.redis.get(key);
      else if (type === 'hash') value = await s.redis.hgetall(key);
      else if (type === 'list') value = await s.redis.lrange(key, 0, -1);
      else if (type === 'set') value = await s.redis.smembers(key);
      else if (type === 'zset') value = await s.redis.zrange(key, '0', '-1', 'WITHSCORES');
      else if (type === 'stream') value = await s.redis.xrange(key, '-', '+');
      else value = `(${type})`;
      out.push({ key, text: `${key} ${JSON.stringify(value)}` });
    }
  } while (cursor !== '0');
  return out;
}

/** An SMTP server that offers AUTH and refuses every login (535). */
async function refusingSmtp(): Promise<{ url: (user: string, pass: string) => string; tried: string[]; close(): Promise<void> }> {
  const tried: string[] = [];
  const server = new SMTPServer({
    authOptional: false, allowInsecureAuth: true, disabledCommands: ['STARTTLS'], logger: false,
    onAuth(auth, _session, cb) {
      tried.push(auth.username ?? '');
      cb(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
    },
  });
  server.on('error', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: (user, pass) => `smtp://${user}:${encodeURIComponent(pass)}@127.0.0.1:${port}`,
    tried,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A port nothing listens on (connection refused). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** What one running setup offers to look at. */
interface Env { s: Services; app: FastifyInstance; admin: InjectedSession; ids: string[]; logLines: string[] }
const secretsOf = (env: Env): Record<string, string> => ({
  ...SECRET, sessionId: env.admin.cookie.replace(/^crier_session=/, ''),
});
/** In every announcement's title: each scan below must find it where announcements show, or it looks at nothing. */
const VISIBLE = 'Visible-marker-7f3a';

/** The leak checks, run on each setup: log, API, dashboard and bull-board, Redis. */
function leakChecks(envOf: () => Env): void {
  it('keeps them out of the log', () => {
    const env = envOf();
    const found = env.logLines.flatMap((line) => leaks(line, secretsOf(env)).map((name) => `${name}: ${line.slice(0, 300)}`));
    expect(found).toEqual([]);
  });

  it('keeps them out of the API answers, /metrics, /health, the feed and the public pages', async () => {
    const { app, ids } = envOf();
    const visible = new Set<string>();
    const urls = ['/api/announcements', '/api/subscribers', '/api/subscribers/stats', '/api/subscribers/export', '/metrics', '/health', '/feeds/rss.xml', '/news', '/', '/subscribe'];
    for (const id of ids) urls.push(`/api/announcements/${id}`, `/api/announcements/${id}/deliveries?limit=500`, `/news/${id}`);
    const found: string[] = [];
    for (const url of urls) {
      const res = await app.inject({ method: 'GET', url, headers: bearer() });
      expect(res.statusCode, url).toBeLessThan(500);
      found.push(...leaks(`${JSON.stringify(res.headers)}\n${res.body}`, secretsOf(envOf())).map((n) => `${url}: ${n}`));
      if (res.body.includes(VISIBLE)) visible.add(url.split('?')[0]);
    }
    expect(found).toEqual([]);
    expect([...visible]).toEqual(expect.arrayContaining(['/api/announcements', '/feeds/rss.xml', ...ids.map((id) => `/api/announcements/${id}`)]));
  });

  it('keeps them out of every dashboard page, bull-board and its job JSON included', async () => {
    const { s, app, admin, ids } = envOf();
    const urls = [
      '/admin', '/admin/upcoming', '/admin/queues-overview', '/admin/subscribers', '/admin/subscribers/list', '/admin/subscribers/export.csv',
      '/admin/subscribers/import', '/admin/accounts', '/admin/compose', '/admin/drafts', '/admin/queues', '/admin/queues/',
      '/admin/queues/api/queues', '/admin/queues/api/redis/stats', '/admin/queues/api/job-schedulers',
    ];
    for (const id of ids) {
      urls.push(`/admin/announcements/${id}`, `/admin/announcements/${id}/deliveries.csv`, `/admin/api/announcements/${id}/summary`, `/admin/fragments/announcement-row/${id}`);
    }
    // The correction forms of those still correctable (a retracted one answers 409 there).
    for (const id of ids) if (!(await s.announcements.get(id))?.retracted) urls.push(`/admin/announcements/${id}/edit`, `/admin/announcements/${id}/retract`);
    const subs = await app.inject({ method: 'GET', url: '/api/subscribers', headers: bearer() });
    for (const sub of (subs.json() as { items: { id: string }[] }).items) urls.push(`/admin/subscribers/${sub.id}`);
    // bull-board: every queue, every status, and each job's detail and logs.
    const queues = [s.queues.dispatch, ...[...s.channels.keys()].map((ch) => s.queues.deliver(ch))];
    for (const queue of queues) {
      const q = encodeURIComponent(queue.name);
      urls.push(`/admin/queues/queue/${q}`);
      for (const status of ['latest', 'completed', 'failed', 'delayed', 'waiting', 'active', 'paused', 'prioritized', 'waiting-children']) {
        urls.push(`/admin/queues/api/queues?activeQueue=${q}&status=${status}&page=1&jobsPerPage=300`);
      }
      for (const job of await queue.getJobs()) {
        if (job?.id) urls.push(`/admin/queues/api/queues/${q}/${job.id}`, `/admin/queues/api/queues/${q}/${job.id}/logs`);
      }
    }
    const found: string[] = [];
    const visible = new Set<string>();
    let jobJson = 0;
    for (const url of urls) {
      const res = await app.inject({ method: 'GET', url, headers: { cookie: admin.cookie, accept: 'text/html' } });
      expect(res.statusCode, url).toBe(200);
      if (url.includes('/api/queues?') && res.body.includes('"data"')) jobJson++;
      if (res.body.includes(VISIBLE)) visible.add(url);
      found.push(...leaks(`${JSON.stringify(res.headers)}\n${res.body}`, secretsOf(envOf())).map((n) => `${url}: ${n}`));
    }
    expect(jobJson, 'bull-board returned job data').toBeGreaterThan(0);
    expect([...visible]).toEqual(expect.arrayContaining(['/admin', ...ids.map((id) => `/admin/announcements/${id}`)]));
    expect(found).toEqual([]);
  });

  it('keeps them out of the delivery log, the job data and every value stored in Redis', async () => {
    const env = envOf();
    const dump = await redisDump(env.s);
    expect(dump.some((d) => d.key.includes(':bull:')), 'job data is in the dump').toBe(true);
    expect(dump.some((d) => d.text.includes(VISIBLE)), 'announcements are in the dump').toBe(true);
    const found = dump.flatMap((d) => leaks(d.text, secretsOf(env)).map((n) => `${d.key}: ${n}: ${d.text.slice(0, 300)}`));
    expect(found).toEqual([]);
  });
}

describe('secrets never leak: platforms answering errors (issue 15)', () => {
  it('runs a fan-out over every channel with a failure on each', async () => {
    // The Telegram webhook: once with a wrong secret, once with the right one.
    const update = { update_id: 9001, message: { message_id: 1, date: 0, chat: { id: 4242, type: 'private' }, from: { id: 4242, is_bot: false, first_name: 'Li' }, text: '/start' } };
    expect((await app.inject({ method: 'POST', url: TELEGRAM_WEBHOOK_PATH, payload: update, headers: { 'x-telegram-bot-api-secret-token': 'wrong-secret' } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: TELEGRAM_WEBHOOK_PATH, payload: update, headers: { 'x-telegram-bot-api-secret-token': SECRET.telegramWebhook } })).statusCode).toBe(200);
    await waitFor(() => telegram.sent.some((m) => m.chatId === '4242'), { what: 'the bot welcomed 4242' });
    // The bot's answer to a second chat fails (Telegram 403): the bot logs the failed update.
    telegram.failAlways('4343', TG.blocked);
    const failing = { update_id: 9002, message: { ...update.message, chat: { id: 4343, type: 'private' }, from: { ...update.message.from, id: 4343 } } };
    await app.inject({ method: 'POST', url: TELEGRAM_WEBHOOK_PATH, payload: failing, headers: { 'x-telegram-bot-api-secret-token': SECRET.telegramWebhook } });
    await waitFor(() => logLines.some((l) => l.includes('telegram-bot] update failed')), { what: 'the bot logged its failure' });
    // A wrong API token and a wrong token on the sign-in form are logged refusals, if anything.
    expect((await app.inject({ method: 'GET', url: '/api/announcements', headers: bearer('not-the-token-0000000000') })).statusCode).toBe(401);
    // A public subscription request (a confirmation mail with a signed link).
    expect((await app.inject({ method: 'POST', url: '/api/subscribers', payload: { email: 'new@example.edu', topics: ['hours'], language: 'en' }, headers: { 'content-type': 'application/json' } })).statusCode).toBe(202);

    ids.push(await postAnnouncement(app, 'Early closing (Mastodon failing)'));
    const first = await finalView(s, ids[0], 60_000);
    ids.push(await postAnnouncement(app, 'Early closing again'));
    const second = await finalView(s, ids[1], 60_000);
    expect(first.status).toBe('done_with_failures');
    expect(second.status).toBe('done_with_failures');
    const failedChannels = new Set<string>();
    for (const id of ids) {
      const res = await app.inject({ method: 'GET', url: `/api/announcements/${id}/deliveries?status=failed&limit=500`, headers: bearer() });
      for (const item of (res.json() as { items: { channel: string; error?: string }[] }).items) {
        failedChannels.add(item.channel);
        expect(item.error, `${item.channel} failure has an error message`).toBeTruthy();
      }
    }
    expect([...failedChannels].sort()).toEqual([
      'email', 'mastodon', 'slack', 'telegram', 'webhook:ding-wrong', 'webhook:feishu-wrong', 'webhook:json-wrong', 'webhook:wecom-dead', 'webhook:wecom-unknown',
    ]);
    // And the deliveries that should succeed did (the secrets were used, not just stored).
    expect(slack.messages('C0LIBRARY').length).toBeGreaterThan(0);
    expect(telegram.sent.some((m) => m.chatId === '@example_library')).toBe(true);
    expect(mastodon.statuses.length).toBe(1);
    expect(wecom.messages.length).toBeGreaterThan(0);
    expect(dingtalk.messages.length).toBeGreaterThan(0);
    expect(feishu.messages.length).toBeGreaterThan(0);
    expect(jsonOk.accepted().length).toBeGreaterThan(0);
    await waitFor(() => smtp.received.some((m) => m.envelopeTo.includes('reader@example.edu')), { what: 'mail to reader' });

    // A retraction whose deletions fail on Slack, Telegram and Mastodon: the correction worker logs each.
    slack.scriptMethod('chat.delete', 'C0LIBRARY', slackReply.error('cant_delete_message'));
    telegram.failNextCall('deleteMessage', '@example_library', TG.unauthorized);
    mastodon.deleteScript.push({ kind: '403' });
    const retract = await app.inject({ method: 'POST', url: `/api/announcements/${ids[1]}/retract`, headers: bearer(), payload: {} });
    expect(retract.statusCode, retract.body).toBe(202);
    await waitFor(() => ['slack', 'telegram', 'mastodon'].every((ch) => logLines.some((l) => l.includes('correction failed') && l.includes(`channel="${ch}"`))), {
      what: 'failed deletions logged', timeoutMs: 30_000,
    });
    // Delivery failures go to the delivery log (checked in Redis and over the API below); the
    // log gets the Slack client's retries, the webhook's refusal and whatever else warns.
    expect(logLines.some((l) => / (warn|error) /.test(l)), 'warnings were logged').toBe(true);
  }, 90_000);

  leakChecks(() => ({ s, app, admin, ids, logLines }));

  it('keeps them out of the start banner (a Redis password in redis.url included)', () => {
    const config = { ...s.config, redis: { ...s.config.redis, url: `redis://:${SECRET.redisPassword}@127.0.0.1:6379` } };
    const banner = formatBanner({ loaded: { config, source: '/etc/crier/crier.yaml' }, role: 'HTTP server, workers', httpUrl: 'http://127.0.0.1:8080', workerChannels: [...s.channels.keys()] });
    expect(banner).toContain('webhook:wecom-ok');
    expect(leaks(banner, SECRET)).toEqual([]);
  });
});

// The same secrets, every platform unreachable (connection refused): network errors carry URLs,
// and a Telegram or robot URL carries its token or key. The SMTP server refuses the login.
describe('secrets never leak: platforms unreachable (issue 15)', () => {
  const env = { logLines: [] as string[], ids: [] as string[] } as unknown as Env & { workers: RunningWorkers };
  let refusing: Awaited<ReturnType<typeof refusingSmtp>>;

  beforeAll(async () => {
    const dead = `http://127.0.0.1:${await closedPort()}`;
    refusing = await refusingSmtp();
    const config = testConfig({
      library: { baseUrl: 'https://crier.test' },
      auth: { tokens: [{ name: 'systems', role: 'admin', token: SECRET.adminToken }, { name: 'desk', role: 'librarian', token: SECRET.librarianToken }] },
      subscriptions: { secret: SECRET.subscriptionSecret },
      delivery: { attempts: 2, backoffMs: 20, batchSize: 10, pageSize: 25 },
      channels: {
        email: { enabled: true, smtpUrl: refusing.url('crier', SECRET.smtpPassword) },
        rss: { enabled: true },
        slack: { enabled: true, token: SECRET.slackToken, apiUrl: `${dead}/api/`, targets: [{ channel: 'C0LIBRARY' }] },
        telegram: {
          enabled: true, token: SECRET.telegramToken, apiUrl: dead, targets: [{ chatId: '@example_library' }],
          bot: { enabled: true, mode: 'webhook', webhookSecret: SECRET.telegramWebhook },
        },
        mastodon: { enabled: true, instanceUrl: dead, accessToken: SECRET.mastodonToken },
        webhooks: [
          { name: 'wecom', kind: 'wecom', url: `${dead}/cgi-bin/webhook/send?key=${SECRET.wecomKey}` },
          { name: 'ding', kind: 'dingtalk', url: `${dead}/robot/send?access_token=${SECRET.dingtalkToken}`, secret: SECRET.dingtalkSecret },
          { name: 'feishu', kind: 'feishu', url: `${dead}/open-apis/bot/v2/hook/${SECRET.feishuHook}`, secret: SECRET.feishuSecret },
          { name: 'json', kind: 'json', url: `${dead}/hook`, secret: SECRET.jsonSecret },
        ],
      },
    });
    env.s = createServices(config, { log: createLogger('crier', 'debug', (line) => env.logLines.push(line)) });
    await env.s.subscribers.upsert({ channel: 'email', address: 'reader@example.edu', topics: ['*'], language: 'both', status: 'active' });
    env.app = await buildApp(env.s);
    env.workers = await startWorkers(env.s, { concurrency: 4 });
    env.admin = await injectSignIn(env.app, SECRET.adminToken);
    // The bot cannot answer either: its failure is logged.
    const update = { update_id: 9101, message: { message_id: 1, date: 0, chat: { id: 4545, type: 'private' }, from: { id: 4545, is_bot: false, first_name: 'Li' }, text: '/start' } };
    await env.app.inject({ method: 'POST', url: TELEGRAM_WEBHOOK_PATH, payload: update, headers: { 'x-telegram-bot-api-secret-token': SECRET.telegramWebhook } });
  }, 60_000);

  afterAll(async () => {
    await env.workers?.close();
    await env.app?.close();
    if (env.s) {
      await env.s.close();
      await deletePrefix(env.s.config.redis.url, env.s.config.redis.prefix);
    }
    await refusing?.close();
  });

  it('fails every channel with a network error', async () => {
    env.ids.push(await postAnnouncement(env.app, 'Nobody answers'));
    const view = await finalView(env.s, env.ids[0], 60_000);
    expect(view.status).toBe('done_with_failures');
    const res = await env.app.inject({ method: 'GET', url: `/api/announcements/${env.ids[0]}/deliveries?status=failed&limit=500`, headers: bearer() });
    const items = (res.json() as { items: { channel: string; error?: string }[] }).items;
    expect(items.map((i) => i.channel).sort()).toEqual(['email', 'mastodon', 'slack', 'telegram', 'webhook:ding', 'webhook:feishu', 'webhook:json', 'webhook:wecom']);
    await waitFor(() => env.logLines.some((l) => l.includes('telegram-bot] update failed')), { what: 'the bot logged its failure' });
    expect(refusing.tried).toContain('crier');
    expect(items.find((i) => i.channel === 'email')?.error).toMatch(/SMTP authentication failed/);
  }, 90_000);

  leakChecks(() => env);
});
