// The desk's Edit and Retract of an announcement already sent (issue 14), through the forms
// (app.inject with sessions): the edit form is the compose form filled with the current
// revision; a wrong field is shown beside it and nothing changes; a saved edit reaches Slack
// and Telegram in place; a retraction needs the CSRF token and the correct permission, and
// afterwards neither edit nor retract is possible (409).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountStore } from '../../src/accounts/store.js';
import { buildApp } from '../../src/http/app.js';
import type { Services } from '../../src/services.js';
import { startWorkers, type RunningWorkers } from '../../workers/index.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';
import { ADMIN_TOKEN, disposeServices, startSmtp, testConfig, testServices, waitFor, type TestSmtp } from '../support/harness.js';
import { getPage, PASSWORD, postForm, signInAs } from '../desk/support.js';
import type { InjectedSession } from './support.js';

let slack: FakeSlack, telegram: FakeTelegram, smtp: TestSmtp;
let s: Services;
let app: FastifyInstance;
let workers: RunningWorkers;
let id: string;
let librarian: InjectedSession, contributor: InjectedSession;

const ANN = {
  title: { en: 'Library closed on Friday', zh: '周五闭馆' },
  body: { en: 'The library closes at 17:00 on Friday.', zh: '周五图书馆 17:00 闭馆。' },
  topics: ['hours'],
  channels: ['email', 'rss', 'slack', 'telegram'],
};
/** The edit form's fields for ANN with another English body. */
const EDITED = {
  'title.en': ANN.title.en, 'title.zh': ANN.title.zh,
  'body.en': 'The library closes at 16:00 on Friday.', 'body.zh': '周五图书馆 16:00 闭馆。',
  topics: ANN.topics, channels: ANN.channels,
};
const NOTICE_EN = 'Correction: we close at 16:00, not 17:00.';

const self = () => `/admin/announcements/${id}`;
const stored = async () => (await s.announcements.get(id))!;
const finished = (revision: number) => waitFor(async () => {
  const v = await s.corrector.view(await stored());
  return v.correction?.revision === revision && v.correction.finished ? v : null;
}, { timeoutMs: 30_000, what: `correction ${revision} finished` });

beforeAll(async () => {
  [slack, telegram, smtp] = await Promise.all([startFakeSlack(), startFakeTelegram(), startSmtp()]);
  slack.addChannel('C0LIBRARY');
  s = testServices(testConfig({
    library: { baseUrl: 'http://crier.test', timezone: 'Asia/Shanghai' },
    channels: {
      email: { enabled: true, smtpUrl: smtp.url },
      rss: { enabled: true },
      slack: { enabled: true, token: slack.token, apiUrl: slack.apiUrl, targets: [{ channel: 'C0LIBRARY', topics: ['*'] }] },
      telegram: { enabled: true, token: telegram.token, apiUrl: telegram.url, targets: [{ chatId: '@example_library', topics: ['*'] }] },
    },
  }));
  await s.subscribers.upsert({ channel: 'email', address: 'reader@example.edu', topics: ['*'], language: 'en', status: 'active' });
  app = await buildApp(s);
  workers = await startWorkers(s);
  const accounts = new AccountStore(s.redis, s.keys);
  for (const [name, email, role] of [['Lin Wei', 'lin@example.edu', 'librarian'], ['Reading Club', 'club@example.edu', 'contributor']] as const) {
    const a = await accounts.create({ name, email, role, createdBy: 'test' });
    await accounts.setPassword(a.id, PASSWORD);
  }
  librarian = await signInAs(app, 'lin@example.edu');
  contributor = await signInAs(app, 'club@example.edu');
  const res = await app.inject({ method: 'POST', url: '/api/announcements', payload: ANN, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(res.statusCode, res.body).toBe(202);
  id = (res.json() as { id: string }).id;
  await waitFor(async () => ((await stored()).status === 'done' ? true : null), { timeoutMs: 30_000, what: 'sent' });
}, 60_000);

afterAll(async () => {
  await workers?.close();
  await app?.close();
  if (s) await disposeServices(s);
  await Promise.all([slack, telegram, smtp].map((f) => f?.close()));
});

describe('editing a sent announcement at the desk', () => {
  it('offers Edit and Retract to a librarian, in both languages, and the edit form filled with the current revision', async () => {
    const page = await getPage(app, self(), librarian);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`href="${self()}/edit"`);
    expect(page.body).toContain(`href="${self()}/retract"`);
    expect(page.body).toMatch(/<dt>Revision<\/dt><dd><span data-role="revision">1<\/span>/);
    const zh = await getPage(app, `${self()}?lang=zh`, librarian);
    expect(zh.body).toContain('>编辑</a>');
    expect(zh.body).toContain('>撤回</a>');
    const contributorPage = await getPage(app, self(), contributor);
    expect(contributorPage.statusCode).toBe(403);

    const edit = await getPage(app, `${self()}/edit`, librarian);
    expect(edit.statusCode).toBe(200);
    expect(edit.body).toContain(`action="${self()}/edit"`);
    expect(edit.body).toContain('value="Library closed on Friday"');
    expect(edit.body).toContain('>The library closes at 17:00 on Friday.</textarea>');
    expect(edit.body).toContain('Notice to readers who cannot see the change (English)');
    expect(edit.body).toContain('Notice to readers who cannot see the change (中文)');
    // E-mail cannot change a sent message: the hint names it; Slack and Telegram change in place.
    expect(edit.body).toMatch(/Sent as a new message on: E-mail \(/);
    expect(edit.body).not.toMatch(/Sent as a new message on:[^<]*Slack/);
    expect(edit.body).toContain('Save correction');
    expect(edit.body).not.toContain('name="publishAt"'); // it went out when it did
    expect(edit.body).not.toContain('name="draft"');
    expect((await getPage(app, `${self()}/edit?lang=zh`, librarian)).body).toContain('保存更正');
  });

  it('shows a wrong field beside it with a 400, and changes nothing', async () => {
    const before = (await stored()).revision ?? 1;
    const tooLong = await postForm(app, `${self()}/edit`, librarian, { ...EDITED, 'title.en': 'x'.repeat(201) });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.body).toMatch(/<div class="field has-error">\s*<label for="f-title-en">/);
    expect(tooLong.body).toMatch(/<p class="field-error" id="e-title-en">must be at most 200 characters/);
    expect(tooLong.body).toContain('The library closes at 16:00 on Friday.'); // what was typed is kept
    const badNotice = await postForm(app, `${self()}/edit`, librarian, { ...EDITED, 'notice.en': 'n'.repeat(281) });
    expect(badNotice.statusCode).toBe(400);
    expect(badNotice.body).toMatch(/<p class="field-error" id="e-notice-en">must be at most 280 characters/);
    const moved = await postForm(app, `${self()}/edit`, librarian, { ...EDITED, channels: ['email', 'rss', 'slack'] });
    expect(moved.statusCode).toBe(400);
    expect(moved.body).toMatch(/<p class="field-error" id="e-channels">cannot change once sent/);
    const after = await stored();
    expect(after.revision ?? 1).toBe(before);
    expect(after.body.en).toBe(ANN.body.en);
    expect(slack.calls.filter((c) => c.method === 'chat.update')).toHaveLength(0);
    expect(telegram.calls.filter((c) => c.method === 'editMessageText')).toHaveLength(0);
  });

  it('saves a correction as the next revision: Slack and Telegram are edited in place, e-mail gets the notice', async () => {
    const tgFirst = telegram.sent[0];
    const slackTs = slack.messages('C0LIBRARY')[0].ts;
    const res = await postForm(app, `${self()}/edit`, librarian, { ...EDITED, 'notice.en': NOTICE_EN });
    expect(res.statusCode, res.body.slice(0, 500)).toBe(303);
    expect(res.headers.location).toBe(`${self()}?msg=corrected`);
    const v = await finished(2);
    expect(v.revisions.map((r) => [r.revision, r.kind, r.by])).toEqual([[1, 'post', 'admin'], [2, 'edit', 'Lin Wei']]);
    expect((await stored()).body.en).toBe(EDITED['body.en']);
    const edits = telegram.calls.filter((c) => c.method === 'editMessageText');
    expect(edits).toHaveLength(1);
    expect(Number(edits[0].params.message_id)).toBe(tgFirst.messageId);
    expect(telegram.message(tgFirst.chatId, tgFirst.messageId)!.text).toContain('16:00');
    expect(telegram.sent).toHaveLength(1);
    expect(slack.calls.filter((c) => c.method === 'chat.update')).toHaveLength(1);
    expect(slack.find('C0LIBRARY', slackTs)!.edits).toBe(1);
    expect(slack.messages('C0LIBRARY')).toHaveLength(1);
    await waitFor(async () => (smtp.received.length === 2 ? true : null), { what: 'the notice e-mail' });
    expect(smtp.received[1].parsed.text).toContain(NOTICE_EN);

    // The page after the redirect: the flash, revision 2, the history and the correction's progress.
    const page = await getPage(app, res.headers.location as string, librarian);
    expect(page.body).toContain('Correction saved.');
    expect(page.body).toMatch(/<span data-role="revision">2<\/span>/);
    expect(page.body).toContain('<h2 id="history-h">History</h2>');
    expect(page.body).toMatch(/<tr data-revision="2" data-kind="edit">.*Edited.*Lin Wei.*Correction: we close at 16:00/s);
    expect(page.body).toMatch(/data-cor="[^"]+" data-revision="2"/);
    expect(page.body).toMatch(/<li data-channel="telegram" data-way="in_place">[\s\S]*?Changed in place/);
    expect(page.body).toMatch(/<li data-channel="email" data-way="notice">[\s\S]*?Cannot be edited on this platform — readers get the notice\./);
    expect(page.body).not.toMatch(/>[^<]*in_place[^<]*</); // the code word stays in attributes
    const zh = await getPage(app, `${self()}?lang=zh`, librarian);
    expect(zh.body).toContain('修改记录');
    expect(zh.body).toContain('此平台无法修改已发消息——读者会收到更正说明。');
    // Live updates carry the correction's counts.
    const sum = await app.inject({ method: 'GET', url: `/admin/api/announcements/${id}/summary`, headers: { cookie: librarian.cookie } });
    expect(sum.json()).toMatchObject({ correction: { revision: 2, finished: true, channels: { telegram: { sent: 1 }, slack: { sent: 1 } } } });
  }, 60_000);
});

describe('retracting at the desk', () => {
  it('says what happens on each channel, in both languages', async () => {
    const page = await getPage(app, `${self()}/retract`, librarian);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Slack: deleted. Readers no longer see it.');
    expect(page.body).toContain('Telegram: deleted.');
    expect(page.body).toContain('RSS feed and news page: deleted.');
    expect(page.body).toContain('E-mail: a sent message cannot be deleted here. Readers get your notice if you write one below; otherwise nothing is sent.');
    expect(page.body).toContain('>Retract announcement</button>');
    const zh = await getPage(app, `${self()}/retract?lang=zh`, librarian);
    expect(zh.body).toContain('>撤回公告</button>');
  });

  it('refuses a contributor (403) and a form without its CSRF token', async () => {
    expect((await getPage(app, `${self()}/retract`, contributor)).statusCode).toBe(403);
    expect((await getPage(app, `${self()}/edit`, contributor)).statusCode).toBe(403);
    expect((await postForm(app, `${self()}/retract`, contributor, {})).statusCode).toBe(403);
    expect((await postForm(app, `${self()}/edit`, contributor, EDITED)).statusCode).toBe(403);
    const noToken = await app.inject({
      method: 'POST', url: `${self()}/retract`, payload: 'notice.en=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', cookie: librarian.cookie },
    });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.body).toContain('security token');
    const ann = await stored();
    expect(ann.retracted).toBeFalsy();
    expect(ann.revision).toBe(2);
  });

  it('retracts: deleted from Slack and Telegram; then edit and retract answer 409 with a plain message', async () => {
    const res = await postForm(app, `${self()}/retract`, librarian, { 'notice.en': 'This notice was withdrawn.' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`${self()}?msg=retracted`);
    await finished(3);
    expect((await stored()).retracted).toBe(true);
    expect(telegram.calls.filter((c) => c.method === 'deleteMessage')).toHaveLength(1);
    expect(slack.calls.filter((c) => c.method === 'chat.delete')).toHaveLength(1);

    const page = await getPage(app, self(), librarian);
    expect(page.body).toContain('<span class="badge retracted">Retracted</span>');
    expect(page.body).not.toContain(`href="${self()}/edit"`);
    expect(page.body).not.toContain(`href="${self()}/retract"`);
    expect(page.body).toMatch(/<tr data-revision="3" data-kind="retract">.*Retracted.*This notice was withdrawn\./s);

    for (const r of [await getPage(app, `${self()}/edit`, librarian), await postForm(app, `${self()}/edit`, librarian, EDITED),
      await getPage(app, `${self()}/retract`, librarian), await postForm(app, `${self()}/retract`, librarian, {})]) {
      expect(r.statusCode).toBe(409);
      expect(r.body).toContain('This announcement was retracted. It can no longer be edited or retracted again.');
    }
    expect((await getPage(app, `${self()}/edit?lang=zh`, librarian)).body).toContain('这条公告已撤回');
    expect((await stored()).revision).toBe(3);
  }, 60_000);
});

describe('before it went out', () => {
  it('edits a scheduled announcement in place (its time in the form, no notice) and retracting it cancels it', async () => {
    const later = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const res = await app.inject({ method: 'POST', url: '/api/announcements', payload: { ...ANN, channels: ['rss'], publishAt: later }, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const sid = (res.json() as { id: string }).id;
    const form = await getPage(app, `/admin/announcements/${sid}/edit`, librarian);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('name="publishAt"');
    expect(form.body).not.toContain('name="notice.en"');
    expect(form.body).toContain('It has not gone out yet');
    const publishAt = /name="publishAt" value="([^"]+)"/.exec(form.body)![1];
    const saved = await postForm(app, `/admin/announcements/${sid}/edit`, librarian, { ...EDITED, 'title.en': 'Library closed on Saturday', channels: ['rss'], publishAt });
    expect(saved.statusCode, saved.body.slice(0, 400)).toBe(303);
    expect(saved.headers.location).toBe(`/admin/announcements/${sid}?msg=edited`);
    const ann = (await s.announcements.get(sid))!;
    expect([ann.status, ann.title.en]).toEqual(['scheduled', 'Library closed on Saturday']);
    expect((await getPage(app, `/admin/announcements/${sid}/retract`, librarian)).body).toContain('retracting cancels it, and nothing is sent');
    const gone = await postForm(app, `/admin/announcements/${sid}/retract`, librarian, {});
    expect(gone.headers.location).toBe(`/admin/announcements/${sid}?msg=cancelled`);
    expect((await s.announcements.get(sid))!.status).toBe('cancelled');
    expect((await getPage(app, `/admin/announcements/${sid}/edit`, librarian)).statusCode).toBe(409);
  });
});
