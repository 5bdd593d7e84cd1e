// The compose form and review over app.inject, real Redis and the in-process SMTP server:
// labels and field names, schema errors beside their fields with everything kept, the
// library's time zone, posting through the Producer with who did it, review by e-mail,
// contributors refused, the test mail kept out of the statistics, counters and autosave.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { localToIso, isoToLocal } from '../../src/desk/form.js';
import { DraftStore } from '../../src/desk/drafts.js';
import { fixture, waitFor } from '../support/harness.js';
import { BILINGUAL, deskEnv, getPage, makeAccount, postForm, signInAs, type DeskEnv } from './support.js';
import type { InjectedSession } from '../admin/support.js';

let env: DeskEnv;
let contributor: InjectedSession;
let librarian: InjectedSession;

beforeEach(async () => {
  env = await deskEnv();
  await makeAccount(env, 'Reading Club', 'club@students.example.edu', 'contributor');
  await makeAccount(env, 'Lin Wei', 'lin.wei@example.edu', 'librarian');
  contributor = await signInAs(env.app, 'club@students.example.edu');
  librarian = await signInAs(env.app, 'lin.wei@example.edu');
});
afterEach(async () => {
  await env.dispose();
});

const drafts = () => new DraftStore(env.s.redis, env.s.keys);
const labelOf = (body: string, name: string) => {
  const id = new RegExp(`<(?:input|textarea)[^>]*id="([^"]+)"[^>]*name="${name.replace('.', '\\.')}"`).exec(body)?.[1];
  return id ? new RegExp(`<label for="${id}">([^<]+)</label>`).exec(body)?.[1] : undefined;
};

describe('the compose form', () => {
  it('has the contract’s labels, JSON-path names and each role’s buttons', async () => {
    const page = await getPage(env.app, '/admin/compose', contributor);
    expect(page.statusCode).toBe(200);
    const labels: Record<string, string> = {
      'title.zh': 'Title (中文)', 'title.en': 'Title (English)', 'summary.zh': 'Summary (中文)', 'summary.en': 'Summary (English)',
      'body.zh': 'Body (中文)', 'body.en': 'Body (English)', publishAt: 'Publish at', expiresAt: 'Expires at', link: 'Link',
    };
    for (const [name, label] of Object.entries(labels)) expect(labelOf(page.body, name), name).toBe(label);
    expect(page.body).toContain('<legend>Topics</legend>');
    expect(page.body).toContain('<legend>Channels</legend>');
    expect(page.body).toMatch(/<input type="checkbox" name="priority" value="urgent"[^>]*> Urgent<\/label>/);
    expect(page.body).toMatch(/type="datetime-local" id="f-publishAt" name="publishAt"/);
    // Channels default to every enabled one.
    expect(page.body).toMatch(/name="channels" value="email" checked/);
    expect(page.body).toMatch(/name="channels" value="rss" checked/);
    for (const b of ['Save draft', 'Submit for review', 'Send a test to me']) expect(page.body).toContain(`>${b}</button>`);
    expect(page.body).not.toMatch(/>Post<\/button>|>Approve</);
    const lib = await getPage(env.app, '/admin/compose', librarian);
    expect(lib.body).toContain('>Post</button>');
    expect(lib.body).not.toContain('>Submit for review</button>');
  });

  it('shows each schema issue beside its field and keeps everything typed', async () => {
    const typed = { 'title.en': 'Closed <Monday> & more', 'body.zh': '周一闭馆。', 'title.zh': '', link: 'ftp://library.example.edu/x', topics: [] as string[], channels: ['email'] };
    const res = await postForm(env.app, '/admin/compose', contributor, { ...typed, action: 'submit' });
    expect(res.statusCode).toBe(400);
    const b = res.body;
    // The link's error is right after it and described by it.
    expect(b).toMatch(/<input type="url" id="f-link" name="link" value="ftp:\/\/library.example.edu\/x" inputmode="url" aria-describedby="h-link e-link" aria-invalid="true">\s*<p class="field-error" id="e-link">must be an http\(s\) URL, e\.g\. https:\/\/library\.example\.edu\/news<\/p>/);
    expect(b).toMatch(/<fieldset class="field checks has-error" aria-describedby="e-topics">[\s\S]*?<p class="field-error" id="e-topics">must name at least one topic<\/p>/);
    // title.en without body.en, body.zh without title.zh: the languages differ.
    expect(b).toContain('id="e-body-zh">must be written in the same languages as the title (title: English; body: Chinese)');
    // Typed text kept, escaped.
    expect(b).toContain('value="Closed &lt;Monday&gt; &amp; more"');
    expect(b).toMatch(/<textarea id="f-body-zh" name="body.zh"[^>]*>周一闭馆。<\/textarea>/);
    expect(b).toMatch(/name="channels" value="email" checked/);
    expect(b).not.toMatch(/name="channels" value="rss" checked/);
    expect(b).toContain('class="error-summary"');
    // Nothing posted; the draft keeps it and is still a draft.
    expect(await env.s.redis.zcard(env.s.keys.announcementIndex)).toBe(0);
    const [d] = await drafts().list();
    expect(d.state).toBe('draft');
    expect(d.fields['title.en']).toBe('Closed <Monday> & more');
  });

  it('posts as a librarian in the library’s time zone, recording who wrote it', async () => {
    const page = await postForm(env.app, '/admin/compose', librarian, { ...BILINGUAL, publishAt: '2030-01-01T09:00', expiresAt: '2030-01-08T09:00', action: 'save' });
    expect(page.statusCode).toBe(303);
    const draftId = /draft=([a-z0-9]+)/.exec(page.headers.location as string)![1];
    const edit = await getPage(env.app, `/admin/compose?draft=${draftId}`, librarian);
    expect(edit.body).toContain('value="2030-01-01T09:00"');
    expect(edit.body).toContain('>Schedule</button>');
    const res = await postForm(env.app, '/admin/compose', librarian, { ...BILINGUAL, draft: draftId, publishAt: '2030-01-01T09:00', expiresAt: '2030-01-08T09:00', action: 'post' });
    expect(res.statusCode).toBe(303);
    const id = /\/admin\/announcements\/([^?]+)\?msg=scheduled/.exec(res.headers.location as string)![1];
    const ann = (await env.s.announcements.get(id))!;
    expect(ann).toMatchObject({ status: 'scheduled', createdBy: 'Lin Wei', createdByEmail: 'lin.wei@example.edu', publishedAt: '2030-01-01T01:00:00.000Z', expiresAt: '2030-01-08T01:00:00.000Z' });
    expect(ann.title).toEqual({ zh: BILINGUAL['title.zh'], en: BILINGUAL['title.en'] });
    expect((await drafts().get(draftId))).toMatchObject({ state: 'approved', announcementId: id });
    // A posted draft is not edited again.
    expect((await getPage(env.app, `/admin/compose?draft=${draftId}`, librarian)).headers.location).toBe(`/admin/announcements/${id}`);
  });

  it('converts datetime-local in the zone, through daylight saving', () => {
    expect(localToIso('2030-01-01T09:00', 'Asia/Shanghai')).toBe('2030-01-01T09:00:00+08:00');
    expect(localToIso('2030-07-01T09:00', 'America/New_York')).toBe('2030-07-01T09:00:00-04:00');
    expect(localToIso('2030-01-01T09:00', 'America/New_York')).toBe('2030-01-01T09:00:00-05:00');
    expect(localToIso('2030-01-01T09:00', 'Asia/Kolkata')).toBe('2030-01-01T09:00:00+05:30');
    expect(localToIso('tomorrow', 'Asia/Shanghai')).toBe('tomorrow');
    expect(isoToLocal('2030-01-01T01:00:00.000Z', 'Asia/Shanghai')).toBe('2030-01-01T09:00');
  });
});

describe('contributors and review', () => {
  it('refuses a contributor’s forged post, approve and return', async () => {
    const post = await postForm(env.app, '/admin/compose', contributor, { ...BILINGUAL, action: 'post' });
    expect(post.statusCode).toBe(403);
    const d = await drafts().create({ id: 'someone', name: 'Someone' }, { ...BILINGUAL });
    Object.assign(d, { state: 'submitted' });
    await drafts().save(d);
    expect((await postForm(env.app, `/admin/drafts/${d.id}/approve`, contributor, {})).statusCode).toBe(403);
    expect((await postForm(env.app, `/admin/drafts/${d.id}/return`, contributor, { comment: 'no' })).statusCode).toBe(403);
    expect((await postForm(env.app, '/api/announcements', undefined, {})).statusCode).toBe(401);
    expect(await env.s.redis.zcard(env.s.keys.announcementIndex)).toBe(0);
    expect((await drafts().get(d.id))!.state).toBe('submitted');
    // Someone else's draft is neither listed nor opened for a contributor.
    expect((await getPage(env.app, '/admin/drafts', contributor)).body).not.toContain(d.id);
    expect((await getPage(env.app, `/admin/drafts/${d.id}`, contributor)).statusCode).toBe(404);
    expect((await getPage(env.app, `/admin/compose?draft=${d.id}`, contributor)).statusCode).toBe(404);
  });

  it('returns with a comment, resubmits, approves through the Producer, and mails the author each time', async () => {
    const sub = await postForm(env.app, '/admin/compose', contributor, { ...BILINGUAL, action: 'submit' });
    expect(sub.headers.location).toBe('/admin/drafts?msg=submitted');
    const [d] = await drafts().list();
    expect(d).toMatchObject({ state: 'submitted', authorName: 'Reading Club', authorEmail: 'club@students.example.edu' });
    const review = await getPage(env.app, `/admin/drafts/${d.id}`, librarian);
    expect(review.body).toContain('>Approve</button>');
    expect(review.body).toContain('<label for="comment">Comment</label>');
    expect(review.body).toContain('>Return with comment</button>');
    expect((await getPage(env.app, `/admin/drafts/${d.id}`, contributor)).body).not.toContain('>Approve</button>');

    await postForm(env.app, `/admin/drafts/${d.id}/return`, librarian, { comment: 'Please add the closing time on Sunday.' });
    const returned = await waitFor(() => env.smtp.received.find((m) => m.parsed.subject?.startsWith('Returned')), { what: 'the returned mail' });
    expect(returned.envelopeTo).toEqual(['club@students.example.edu']);
    expect(returned.parsed.text).toContain('Please add the closing time on Sunday.');
    const mine = await getPage(env.app, '/admin/drafts', contributor);
    expect(mine.body).toContain('Please add the closing time on Sunday.');
    expect((await getPage(env.app, `/admin/compose?draft=${d.id}`, contributor)).body).toContain('Please add the closing time on Sunday.');

    const edited = { ...BILINGUAL, 'body.en': `${BILINGUAL['body.en']} On Sundays until 21:00.`, draft: d.id };
    await postForm(env.app, '/admin/compose', contributor, { ...edited, action: 'submit' });
    expect((await drafts().get(d.id))!.state).toBe('submitted');
    // The librarian opens the resubmitted draft again: its Approve carries the version read.
    const reread = await getPage(env.app, `/admin/drafts/${d.id}`, librarian);
    const rev = /name="rev" value="(\d+)"/.exec(reread.body)![1];
    const ok = await postForm(env.app, `/admin/drafts/${d.id}/approve`, librarian, { rev });
    const id = /\/admin\/announcements\/([^?]+)/.exec(ok.headers.location as string)![1];
    const ann = (await env.s.announcements.get(id))!; // no workers here: delivery is the browser test's
    expect(ann.status).toBe('queued');
    expect(ann).toMatchObject({ createdBy: 'Reading Club', createdByEmail: 'club@students.example.edu', approvedBy: 'Lin Wei' });
    expect(ann.body.en).toContain('On Sundays until 21:00.');
    expect((await drafts().get(d.id))).toMatchObject({ state: 'approved', reviewedBy: 'Lin Wei', announcementId: id });
    const approved = await waitFor(() => env.smtp.received.find((m) => m.parsed.subject?.startsWith('Approved')), { what: 'the approval mail' });
    expect(approved.envelopeTo).toEqual(['club@students.example.edu']);
    // Approving twice posts nothing more.
    await postForm(env.app, `/admin/drafts/${d.id}/approve`, librarian, { rev });
    expect(await env.s.redis.zcard(env.s.keys.announcementIndex)).toBe(1);
  });

  it('refuses to approve text that changed after the reviewer opened it, in the page’s language', async () => {
    await postForm(env.app, '/admin/compose', contributor, { ...BILINGUAL, action: 'submit' });
    const [d] = await drafts().list();
    const review = await getPage(env.app, `/admin/drafts/${d.id}`, librarian);
    const seen = /name="rev" value="(\d+)"/.exec(review.body)?.[1];
    expect(seen).toBeDefined();
    // The author changes the text while the reviewer reads it (autosave keeps it submitted).
    const changed = 'From this Saturday the rooms close at 18:00.';
    await postForm(env.app, '/admin/api/compose/autosave', contributor, { ...BILINGUAL, 'body.en': changed, draft: d.id }, 'application/json');
    expect((await drafts().get(d.id))!.state).toBe('submitted');

    const stale = await postForm(env.app, `/admin/drafts/${d.id}/approve`, librarian, { rev: seen! });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('This draft changed after you opened it');
    expect(stale.body).toContain('Nothing was posted');
    expect(stale.body).toContain(changed); // the current text, to read before approving again
    const zh = await postForm(env.app, `/admin/drafts/${d.id}/approve?lang=zh`, librarian, { rev: seen! });
    expect(zh.statusCode).toBe(409);
    expect(zh.body).toContain('这份草稿在您打开后已被修改');
    expect(zh.body).toContain('没有发布任何内容');
    // No version at all (an old page, a forged form) is not taken as the current one either.
    expect((await postForm(env.app, `/admin/drafts/${d.id}/approve`, librarian, {})).statusCode).toBe(409);
    const json = await postForm(env.app, `/admin/drafts/${d.id}/approve`, librarian, { rev: seen! }, 'application/json');
    expect(json.statusCode).toBe(409);
    expect(json.json()).toMatchObject({ error: 'draft_changed' });
    expect(await env.s.redis.zcard(env.s.keys.announcementIndex)).toBe(0);
    expect((await drafts().get(d.id))).toMatchObject({ state: 'submitted' });
    expect(env.smtp.received.filter((m) => m.parsed.subject?.startsWith('Approved'))).toHaveLength(0);

    // The 409 page's own Approve carries the current version: that one posts the text shown.
    const current = /name="rev" value="(\d+)"/.exec(stale.body)?.[1];
    expect(current).not.toBe(seen);
    const ok = await postForm(env.app, `/admin/drafts/${d.id}/approve`, librarian, { rev: current! });
    expect(ok.statusCode).toBe(303);
    const id = /\/admin\/announcements\/([^?]+)/.exec(ok.headers.location as string)![1];
    expect((await env.s.announcements.get(id))!.body.en).toBe(changed);
    expect((await drafts().get(d.id))).toMatchObject({ state: 'approved', announcementId: id, reviewedBy: 'Lin Wei' });
  });

  it('publishes nothing when the draft changes between the approve’s check and its post', async () => {
    await postForm(env.app, '/admin/compose', contributor, { ...BILINGUAL, action: 'submit' });
    const [d] = await drafts().list();
    const review = await getPage(env.app, `/admin/drafts/${d.id}`, librarian);
    const seen = /name="rev" value="(\d+)"/.exec(review.body)![1];
    // The author's save lands just after the approve has read the draft.
    const store = drafts();
    const get = DraftStore.prototype.get;
    const spy = vi.spyOn(DraftStore.prototype, 'get').mockImplementation(async function (this: DraftStore, id: string) {
      const read = await get.call(this, id);
      spy.mockRestore();
      const edit = (await store.get(id))!;
      edit.fields = { ...edit.fields, 'body.en': 'Edited at the last moment.' };
      await store.save(edit);
      return read;
    });
    try {
      const res = await postForm(env.app, `/admin/drafts/${d.id}/approve`, librarian, { rev: seen });
      expect(res.statusCode).toBe(409);
      expect(res.body).toContain('Edited at the last moment.');
    } finally {
      spy.mockRestore();
    }
    expect(await env.s.redis.zcard(env.s.keys.announcementIndex)).toBe(0);
    expect((await drafts().get(d.id))).toMatchObject({ state: 'submitted', fields: { 'body.en': 'Edited at the last moment.' } });
  });

  it('puts the draft back to waiting for review when the post itself fails', async () => {
    await postForm(env.app, '/admin/compose', contributor, { ...BILINGUAL, action: 'submit' });
    const [d] = await drafts().list();
    const seen = /name="rev" value="(\d+)"/.exec((await getPage(env.app, `/admin/drafts/${d.id}`, librarian)).body)![1];
    vi.spyOn(env.s.producer, 'create').mockRejectedValueOnce(new Error('Redis went away'));
    expect((await postForm(env.app, `/admin/drafts/${d.id}/approve`, librarian, { rev: seen })).statusCode).toBe(500);
    expect((await drafts().get(d.id))).toMatchObject({ state: 'submitted', fields: d.fields });
    expect(await env.s.redis.zcard(env.s.keys.announcementIndex)).toBe(0);
    const again = /name="rev" value="(\d+)"/.exec((await getPage(env.app, `/admin/drafts/${d.id}`, librarian)).body)![1];
    expect((await postForm(env.app, `/admin/drafts/${d.id}/approve`, librarian, { rev: again })).statusCode).toBe(303);
    expect((await drafts().get(d.id))!.state).toBe('approved');
  });

  it('tells the author when a librarian posts their submitted draft from compose instead of Approve', async () => {
    await postForm(env.app, '/admin/compose', contributor, { ...BILINGUAL, action: 'submit' });
    const [d] = await drafts().list();
    const res = await postForm(env.app, '/admin/compose', librarian, { ...BILINGUAL, draft: d.id, action: 'post' });
    expect(res.statusCode).toBe(303);
    expect((await drafts().get(d.id))).toMatchObject({ state: 'approved', reviewedBy: 'Lin Wei' });
    const approved = await waitFor(() => env.smtp.received.find((m) => m.parsed.subject?.startsWith('Approved')), { what: 'the approval mail' });
    expect(approved.envelopeTo).toEqual(['club@students.example.edu']);
    expect(env.smtp.received.filter((m) => m.parsed.subject?.startsWith('Approved'))).toHaveLength(1);
  });
});

describe('send a test to me', () => {
  it('mails the rendered draft to the signed-in person, marked as a test, counted nowhere', async () => {
    const res = await postForm(env.app, '/admin/compose', contributor, { ...BILINGUAL, action: 'test' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('A test was sent to club@students.example.edu');
    const mail = await waitFor(() => env.smtp.received.find((m) => m.envelopeTo.includes('club@students.example.edu')), { what: 'the test mail' });
    expect(mail.parsed.subject).toMatch(/^\[TEST\] /);
    expect(mail.parsed.subject).toContain(BILINGUAL['title.en']);
    expect(mail.parsed.text).toContain('23:00');
    expect(mail.parsed.headers.get('list-unsubscribe')).toBeUndefined();
    expect(await env.s.redis.zcard(env.s.keys.announcementIndex)).toBe(0);
    expect(await env.s.redis.hgetall(env.s.keys.stats)).toEqual({});
    expect(await env.s.redis.keys(`${env.s.config.redis.prefix}:dlv:*`)).toEqual([]);
  });
});

describe('preview, counters and autosave (the page script’s endpoints)', () => {
  it('counts as each platform counts and flags the long notice', async () => {
    const e = await deskEnv({
      channels: {
        email: { enabled: false }, rss: { enabled: true },
        telegram: { enabled: true, token: '123:abc', apiUrl: 'http://127.0.0.1:9', targets: [{ chatId: '@lib', topics: ['*'] }], bot: { enabled: false } },
        mastodon: { enabled: true, instanceUrl: 'http://127.0.0.1:9', accessToken: 'x', topics: ['*'] },
        webhooks: [{ name: 'eng', kind: 'wecom', url: 'http://127.0.0.1:9/cgi-bin/webhook/send?key=k', topics: ['*'] }],
      },
    });
    try {
      await makeAccount(e, 'Lin Wei', 'lin.wei@example.edu', 'librarian');
      const sess = await signInAs(e.app, 'lin.wei@example.edu');
      const long = fixture('long-notice') as { title: Record<string, string>; body: Record<string, string>; topics: string[]; link: string };
      const fields = { 'title.zh': long.title.zh, 'title.en': long.title.en, 'body.zh': long.body.zh, 'body.en': long.body.en, topics: long.topics, link: long.link, channels: ['telegram', 'mastodon', 'webhook:eng'] };
      const res = await postForm(e.app, '/admin/api/compose/preview', sess, fields, 'application/json');
      expect(res.statusCode).toBe(200);
      const r = res.json() as { counters: Array<{ platform: string; count: number; max: number; over: boolean }>; previews: Array<{ channel: string; text: string }> };
      const by = Object.fromEntries(r.counters.map((c) => [c.platform, c]));
      expect(Object.keys(by).sort()).toEqual(['mastodon', 'telegram', 'wecom']);
      expect(by.telegram).toMatchObject({ max: 4096, over: true });
      expect(by.mastodon).toMatchObject({ max: 500, over: true });
      expect(by.wecom).toMatchObject({ max: 4096, over: true });
      // UTF-16 units vs bytes: the same Chinese text counts three times as much in bytes.
      expect(by.wecom.count).toBeGreaterThan(by.telegram.count);
      expect(by.telegram.count).toBeGreaterThan(long.body.zh.length + long.body.en.length);
      // The previews are what the channels send: Telegram in parts, Mastodon and WeCom cut.
      const tg = r.previews.find((p) => p.channel === 'telegram')!.text;
      expect(tg).toContain('(1/');
      expect(r.previews.map((p) => p.channel).sort()).toEqual(['mastodon', 'telegram', 'webhook:eng']);
      const short = await postForm(e.app, '/admin/api/compose/preview', sess, { ...BILINGUAL, channels: ['telegram'] }, 'application/json');
      const s = short.json() as { counters: Array<{ platform: string; count: number; over: boolean }> };
      expect(s.counters.every((c) => !c.over)).toBe(true);
      // A link counts 23 on Mastodon, whatever its length.
      const link = 'https://library.example.edu/' + 'x'.repeat(200);
      const withLink = await postForm(e.app, '/admin/api/compose/preview', sess, { 'title.en': 'T', 'body.en': `See ${link}`, topics: ['hours'], link }, 'application/json');
      const m = (withLink.json() as { counters: Array<{ platform: string; count: number }> }).counters.find((c) => c.platform === 'mastodon')!;
      expect(m.count).toBe('T'.length + 1 + 'See '.length + 23 + 2 + 23);
    } finally {
      await e.dispose();
    }
  });

  it('autosaves a new draft, then the same one, and never someone else’s', async () => {
    const first = await postForm(env.app, '/admin/api/compose/autosave', contributor, { 'title.en': 'Half writ' }, 'application/json');
    const { id } = first.json() as { id: string };
    await postForm(env.app, '/admin/api/compose/autosave', contributor, { draft: id, 'title.en': 'Half written' }, 'application/json');
    expect((await drafts().list()).map((d) => [d.id, d.fields['title.en']])).toEqual([[id, 'Half written']]);
    const other = await drafts().create({ id: 'someone', name: 'Someone' }, { 'title.en': 'Theirs' });
    const refused = await postForm(env.app, '/admin/api/compose/autosave', contributor, { draft: other.id, 'title.en': 'Mine now' }, 'application/json');
    expect(refused.statusCode).toBe(409);
    expect((await drafts().get(other.id))!.fields['title.en']).toBe('Theirs');
    // Without the CSRF token: refused.
    const noCsrf = await postForm(env.app, '/admin/api/compose/autosave', { cookie: contributor.cookie, csrf: '' }, { 'title.en': 'x' }, 'application/json');
    expect(noCsrf.statusCode).toBe(403);
  });
});

describe('templates', () => {
  it('saves a draft as a template and starts a new one from it, without its times', async () => {
    const noName = await postForm(env.app, '/admin/compose', librarian, { ...BILINGUAL, action: 'template' });
    expect(noName.statusCode).toBe(400);
    const res = await postForm(env.app, '/admin/compose', librarian, { ...BILINGUAL, publishAt: '2030-01-01T09:00', templateName: 'Weekend hours', action: 'template' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Saved as the template “Weekend hours”');
    // Anyone can start from it, a contributor too.
    const page = await getPage(env.app, '/admin/compose', contributor);
    const id = /<option value="(t[a-z0-9]+)">Weekend hours<\/option>/.exec(page.body)?.[1];
    expect(id).toBeTruthy();
    expect(page.body).toContain('<label for="template">Start from a template</label>');
    const fresh = await getPage(env.app, `/admin/compose?template=${id}`, contributor);
    expect(fresh.body).toContain(`value="${BILINGUAL['title.en']}"`);
    expect(fresh.body).toMatch(/<textarea id="f-body-zh" name="body.zh"[^>]*>从本周六起/);
    expect(fresh.body).toMatch(/name="topics" value="hours" checked/);
    expect(fresh.body).toContain('id="f-publishAt" name="publishAt" value=""');
    // Starting from it made no draft yet; the template is unchanged by edits of drafts.
    expect((await drafts().list({ authorId: (await env.accounts.byEmail('club@students.example.edu'))!.id })).length).toBe(0);
  });
});

describe('the same preview as crier preview', () => {
  it('shows on the page exactly what the command prints for the same announcement', async () => {
    const holiday = fixture('holiday-hours') as Record<string, unknown> & { title: Record<string, string>; body: Record<string, string>; topics: string[] };
    const dir = mkdtempSync(join(tmpdir(), 'crier-preview-'));
    const c = env.s.config;
    const file = join(dir, 'ann.json');
    writeFileSync(file, JSON.stringify({ title: holiday.title, body: holiday.body, topics: holiday.topics, channels: ['rss', 'email'] }));
    const cfg = join(dir, 'crier.yaml');
    writeFileSync(cfg, [
      'library: { baseUrl: "http://crier.test", timezone: "Asia/Shanghai" }',
      `redis: { url: "${c.redis.url}", prefix: "${c.redis.prefix}" }`,
      `topics: ${JSON.stringify(c.topics)}`,
      `channels: { email: { enabled: true, smtpUrl: "${c.channels.email.smtpUrl}" }, rss: { enabled: true } }`,
    ].join('\n'));
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    try {
      expect(await runCli(['node', 'crier', 'preview', file, '--config', cfg])).toBe(0);
    } finally {
      log.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
    // Both say when they were made ("published <now>"): the only part that may differ.
    const noTimes = (t: string) => t.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<now>');
    const printed = noTimes(out.join('\n'));
    const fields = { 'title.zh': holiday.title.zh ?? '', 'title.en': holiday.title.en ?? '', 'body.zh': holiday.body.zh ?? '', 'body.en': holiday.body.en ?? '', topics: holiday.topics, channels: ['rss', 'email'] };
    const res = await postForm(env.app, '/admin/api/compose/preview', librarian, fields, 'application/json');
    const previews = (res.json() as { previews: Array<{ channel: string; text: string }> }).previews;
    expect(previews.map((p) => p.channel)).toEqual(['rss', 'email']);
    for (const p of previews) {
      expect(p.text.length).toBeGreaterThan(50);
      expect(printed).toContain(noTimes(p.text));
    }
  });
});
