// The desk in a real Chromium against the real server and workers: an admin invites a
// contributor, who sets a password, writes a bilingual draft and submits it; a librarian
// returns it with a comment; the contributor edits and resubmits; the librarian approves; the
// announcement reaches the local Slack and SMTP servers. Also: the counters on the long
// notice, a schema error beside its field with the text kept, a contributor's forged POST
// refused, and axe on every desk page as each role.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, redisUrl, startSmtp, waitFor, type TestSmtp } from '../support/harness.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { axeProblems, deskAccount, deskConfig, onlyChannels, signInWithPassword } from './desk-support.js';
import { launchChromium, startDashboard, type Dashboard } from './support.js';

let smtp: TestSmtp;
let slack: FakeSlack;
let d: Dashboard;
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
const axe: string[] = [];

let setupError: Error | undefined;
function ready(): void {
  if (setupError) throw setupError;
}

beforeAll(async () => {
  try {
    smtp = await startSmtp();
    slack = await startFakeSlack();
    slack.addChannel('C0DESK');
    d = await startDashboard(deskConfig(redisUrl(), smtp.url, { apiUrl: slack.apiUrl, token: slack.token, channel: 'C0DESK' }));
    await d.s.subscribers.upsert({ channel: 'email', address: 'reader@students.example.edu', topics: ['events'], language: 'both', status: 'active' });
    await deskAccount(d, 'Ada Admin', 'ada@example.edu', 'admin');
    await deskAccount(d, 'Lin Wei', 'lin.wei@example.edu', 'librarian');
    browser = await launchChromium();
    context = browser.context;
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
  } catch (err) {
    setupError = err as Error;
  }
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await d?.close();
  await slack?.close();
  await smtp?.close();
});

const check = async (what: string) => axe.push(...(await axeProblems(page, what)));
const url = (p: string) => `${d.url}${p}`;

describe('the desk in a browser', () => {
  it('takes a student team’s draft from invitation through review to Slack and e-mail', async () => {
    ready();
    // The admin invites the team.
    await page.goto(url('/admin/login'));
    await check('sign-in page');
    await signInWithPassword(page, d.url, 'ada@example.edu');
    await page.goto(url('/admin/accounts'));
    await check('accounts (admin)');
    await page.getByLabel('Name', { exact: true }).fill('Reading Club');
    await page.getByLabel('E-mail', { exact: true }).fill('club@students.example.edu');
    await page.getByLabel('Role', { exact: true }).selectOption('contributor');
    await Promise.all([page.waitForURL(/msg=invited/), page.getByRole('button', { name: 'Send invitation' }).click()]);
    await expect.poll(() => page.locator('table').textContent()).toContain('club@students.example.edu');
    await page.goto(url('/admin/compose'));
    await check('compose (admin)');

    // The team sets a password from the mailed link.
    const invite = await waitFor(() => smtp.received.find((m) => m.envelopeTo.includes('club@students.example.edu')), { what: 'the invitation' });
    const link = /http:\/\/crier\.test(\/admin\/set-password\?token=[A-Za-z0-9_-]+)/.exec(invite.parsed.text ?? '')![1];
    await context.clearCookies();
    await page.goto(url(link));
    await check('set-password page');
    await page.getByLabel('Password', { exact: true }).fill('reading club 2030!');
    await page.getByLabel('Repeat password', { exact: true }).fill('reading club 2030!');
    await Promise.all([page.waitForURL(/\/admin\/drafts/), page.getByRole('button', { name: 'Set password' }).click()]);
    await check('drafts (contributor, empty)');

    // …writes a bilingual draft and submits it.
    await page.getByRole('link', { name: 'Write a new announcement' }).click();
    await page.waitForURL(/\/admin\/compose/);
    expect(await page.getByRole('button', { name: 'Post' }).count()).toBe(0);
    await page.getByLabel('Title (中文)').fill('读书会：十一月共读《围城》');
    await page.getByLabel('Title (English)').fill('Reading club: Fortress Besieged in November');
    await page.getByLabel('Body (中文)').fill('每周四 19:00，**二楼研讨室**。欢迎参加！');
    await page.getByLabel('Body (English)').fill('Thursdays at 19:00 in the **second-floor seminar room**. Everyone welcome!');
    await page.getByLabel('Events · 活动').check();
    await onlyChannels(page, ['email', 'slack', 'rss']);
    await check('compose (contributor)');
    await Promise.all([page.waitForURL(/msg=submitted/), page.getByRole('button', { name: 'Submit for review' }).click()]);
    await expect.poll(() => page.locator('.draft-row').textContent()).toContain('Waiting for review');
    await check('drafts (contributor)');

    // A librarian returns it with a comment.
    await signInWithPassword(page, d.url, 'lin.wei@example.edu');
    await page.goto(url('/admin/drafts'));
    await check('drafts (librarian)');
    await page.getByRole('link', { name: 'Reading club: Fortress Besieged in November' }).click();
    await check('review (librarian)');
    await page.getByLabel('Comment', { exact: true }).fill('Please say whether the book is provided.');
    await Promise.all([page.waitForURL(/msg=returned/), page.getByRole('button', { name: 'Return with comment' }).click()]);

    // The team sees the comment, edits and resubmits.
    await signInWithPassword(page, d.url, 'club@students.example.edu', 'reading club 2030!');
    await expect.poll(() => page.locator('.draft-row').textContent()).toContain('Please say whether the book is provided.');
    await page.getByRole('link', { name: 'Reading club: Fortress Besieged in November' }).click();
    await page.getByRole('link', { name: 'Edit' }).click();
    await expect.poll(() => page.locator('.comment').textContent()).toContain('Please say whether the book is provided.');
    await page.getByLabel('Body (English)').fill('Thursdays at 19:00 in the **second-floor seminar room**. Copies are provided. Everyone welcome!');
    await Promise.all([page.waitForURL(/msg=submitted/), page.getByRole('button', { name: 'Submit for review' }).click()]);
    const returnedMail = smtp.received.find((m) => m.parsed.subject?.startsWith('Returned'));
    expect(returnedMail?.envelopeTo).toEqual(['club@students.example.edu']);

    // The librarian approves; it goes out.
    await signInWithPassword(page, d.url, 'lin.wei@example.edu');
    await page.goto(url('/admin/drafts'));
    await page.getByRole('link', { name: 'Reading club: Fortress Besieged in November' }).click();
    await Promise.all([page.waitForURL(/\/admin\/announcements\//), page.getByRole('button', { name: 'Approve' }).click()]);
    const annId = new URL(page.url()).pathname.split('/').pop()!;
    const posted = await waitFor(() => slack.messages('C0DESK')[0], { what: 'the Slack message', timeoutMs: 15_000 });
    expect(JSON.stringify(posted)).toContain('Copies are provided');
    const mail = await waitFor(() => smtp.received.find((m) => m.envelopeTo.includes('reader@students.example.edu')), { what: 'the subscriber mail', timeoutMs: 15_000 });
    expect(mail.parsed.subject).toContain('读书会');
    expect(mail.parsed.text).toContain('Copies are provided');
    const ann = (await d.s.announcements.get(annId))!;
    expect(ann).toMatchObject({ createdBy: 'Reading Club', createdByEmail: 'club@students.example.edu', approvedBy: 'Lin Wei' });
    expect(ann.channels.sort()).toEqual(['email', 'rss', 'slack']);
    await waitFor(() => smtp.received.find((m) => m.parsed.subject?.startsWith('Approved') && m.envelopeTo.includes('club@students.example.edu')), { what: 'the approval mail' });
  }, 90_000);

  it('counts the long notice as each platform does and turns the counters red as one types', async () => {
    ready();
    await signInWithPassword(page, d.url, 'lin.wei@example.edu');
    await page.goto(url('/admin/compose'));
    await check('compose (librarian)');
    const counter = (p: string) => page.locator(`#counters [data-platform="${p}"]`);
    await page.getByLabel('Title (English)').fill('Short');
    await page.getByLabel('Body (English)').fill('Open until 22:00.');
    await page.getByLabel('Opening hours · 开放时间').check();
    await expect.poll(() => counter('telegram').getAttribute('class')).not.toMatch(/over/);
    const long = fixture('long-notice') as { title: Record<string, string>; body: Record<string, string>; link: string };
    await page.getByLabel('Title (中文)').fill(long.title.zh);
    await page.getByLabel('Title (English)').fill(long.title.en);
    await page.getByLabel('Body (中文)').fill(long.body.zh);
    await page.getByLabel('Body (English)').fill(long.body.en);
    await page.getByLabel('Link', { exact: true }).fill(long.link);
    for (const p of ['telegram', 'mastodon', 'wecom']) await expect.poll(() => counter(p).getAttribute('class'), { timeout: 5000 }).toMatch(/over/);
    await expect.poll(() => counter('telegram').textContent()).toContain('sent as several messages');
    // The red is the page's colour for danger, not only a class name.
    expect(await page.evaluate("getComputedStyle(document.querySelector('#counters [data-platform=wecom] .c-num')).color")).toBe('rgb(180, 35, 24)');
    const tg = Number((await counter('telegram').locator('[data-n="count"]').textContent())!.replace(/,/g, ''));
    expect(tg).toBeGreaterThan(4096);
    await expect.poll(() => page.locator('#previews details[data-channel="telegram"] pre').textContent()).toContain('(1/2)');
    // Autosaved meanwhile: the address now names a draft that holds the text.
    await page.waitForURL(/\?draft=d[a-z0-9]+/, { timeout: 15_000 });
    await check('compose (librarian, long notice)');
  }, 60_000);

  it('shows a schema error beside its field with everything typed kept (no script needed)', async () => {
    ready();
    await signInWithPassword(page, d.url, 'lin.wei@example.edu');
    await page.goto(url('/admin/compose'));
    await page.getByLabel('Title (English)').fill('Library closed on Monday');
    await page.getByLabel('Body (English)').fill('All branches are closed on Monday.');
    await page.getByLabel('Link', { exact: true }).fill('ftp://library.example.edu/notice');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Post' }).click()]);
    const link = page.getByLabel('Link', { exact: true });
    expect(await link.inputValue()).toBe('ftp://library.example.edu/notice');
    expect(await link.getAttribute('aria-invalid')).toBe('true');
    // Its accessible description: the texts its aria-describedby names, the error among them.
    const description = await page.evaluate(
      "document.getElementById('f-link').getAttribute('aria-describedby').split(' ').map((id) => document.getElementById(id).textContent).join(' ')",
    );
    expect(description).toMatch(/must be an http\(s\) URL/);
    // The error is the element right after the field.
    expect(await page.evaluate("document.getElementById('f-link').nextElementSibling.textContent")).toBe('must be an http(s) URL, e.g. https://library.example.edu/news');
    expect(await page.locator('#e-topics').textContent()).toBe('must name at least one topic');
    expect(await page.getByLabel('Title (English)').inputValue()).toBe('Library closed on Monday');
    expect(await page.getByLabel('Body (English)').inputValue()).toBe('All branches are closed on Monday.');
    await check('compose with errors (librarian)');
    expect(await d.s.redis.zcard(d.s.keys.announcementIndex)).toBe(1); // only the approved one of the first test
  });

  it('gives a contributor no post or approve button and refuses a forged one', async () => {
    ready();
    await signInWithPassword(page, d.url, 'club@students.example.edu', 'reading club 2030!');
    await page.goto(url('/admin/compose'));
    expect(await page.getByRole('button', { name: /^(Post|Schedule|Approve)$/ }).count()).toBe(0);
    // The page's own CSRF token and cookie: only the role is wrong.
    const status = await page.evaluate(`(async () => {
      const csrf = document.querySelector('input[name="_csrf"]').value;
      const body = new URLSearchParams({ _csrf: csrf, action: 'post', 'title.en': 'Forged', 'body.en': 'x', topics: 'hours' });
      const res = await fetch('/admin/compose', { method: 'POST', body, headers: { accept: 'text/html' } });
      return res.status;
    })()`);
    expect(status).toBe(403);
    const drafts = await page.evaluate(async () => (await fetch('/admin/drafts', { headers: { accept: 'text/html' } })).status);
    expect(drafts).toBe(200);
    expect((await page.goto(url('/admin/accounts')))!.status()).toBe(403);
    expect((await page.goto(url('/admin/queues-overview')))!.status()).toBe(403);
    expect(await d.s.redis.zcard(d.s.keys.announcementIndex)).toBe(1);
  });

  it('reschedules from Upcoming, and shows the desk in Chinese after the switch', async () => {
    ready();
    await signInWithPassword(page, d.url, 'lin.wei@example.edu');
    await page.goto(url('/admin/compose'));
    await page.getByLabel('Title (English)').fill('Freshman library tour');
    await page.getByLabel('Body (English)').fill('Meet at the main entrance.');
    await page.getByLabel('Training · 培训').check();
    await onlyChannels(page, ['rss']);
    await page.getByLabel('Publish at').fill('2030-09-01T10:00');
    expect(await page.locator('#post-button').textContent()).toBe('Schedule');
    await Promise.all([page.waitForURL(/msg=scheduled/), page.getByRole('button', { name: 'Schedule' }).click()]);
    const id = new URL(page.url()).pathname.split('/').pop()!;
    await page.goto(url('/admin/upcoming'));
    await check('upcoming (librarian)');
    await page.locator(`#when-${id}`).fill('2030-09-02T15:30');
    await Promise.all([page.waitForURL(/msg=rescheduled/), page.locator(`[data-ann="${id}"]`).getByRole('button', { name: 'Reschedule' }).click()]);
    expect((await d.s.announcements.get(id))!.publishedAt).toBe('2030-09-02T07:30:00.000Z');

    await Promise.all([page.waitForURL(/\/admin\/upcoming/), page.getByRole('button', { name: '中文' }).click()]);
    expect(await page.locator('h1').textContent()).toBe('待发布');
    await check('upcoming (librarian, Chinese)');
    await page.goto(url('/admin/compose'));
    expect(await page.getByLabel('标题（中文）').count()).toBe(1);
    expect(await page.getByLabel('正文（英文）').getAttribute('name')).toBe('body.en');
    await check('compose (librarian, Chinese)');
    await page.goto(url('/admin/drafts'));
    await check('drafts (librarian, Chinese)');
    await Promise.all([page.waitForURL(/\/admin\/drafts/), page.getByRole('button', { name: 'English' }).click()]);
    expect(await page.locator('h1').textContent()).toBe('Drafts and review');
  }, 60_000);

  it('passes axe for the remaining pages and roles: an admin’s drafts, a returned draft, a phone', async () => {
    ready();
    await signInWithPassword(page, d.url, 'ada@example.edu');
    await page.goto(url('/admin/drafts'));
    await check('drafts (admin)');
    await signInWithPassword(page, d.url, 'club@students.example.edu', 'reading club 2030!');
    await page.goto(url('/admin/drafts'));
    await page.getByRole('link', { name: 'Reading club: Fortress Besieged in November' }).click();
    await check('a posted draft (contributor)');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(url('/admin/compose'));
    await check('compose on a phone (contributor)');
    // Nothing wider than the phone: no sideways scrolling.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    // The accounts table (several people by now) scrolls inside its box, the page does not.
    await signInWithPassword(page, d.url, 'ada@example.edu');
    await page.goto(url('/admin/accounts'));
    expect(await page.evaluate('document.documentElement.scrollWidth'), 'accounts at 390 px').toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 800 });
  }, 60_000);

  it('works with the keyboard alone: write and submit, then review and approve', async () => {
    ready();
    /** Presses Tab until the focused element matches; fails after 60 presses. */
    const tabTo = async (selector: string) => {
      for (let i = 0; i < 60; i++) {
        await page.keyboard.press('Tab');
        if (await page.evaluate(`document.activeElement && document.activeElement.matches(${JSON.stringify(selector)})`)) return;
      }
      throw new Error(`Tab never reached ${selector}`);
    };
    await signInWithPassword(page, d.url, 'club@students.example.edu', 'reading club 2030!');
    await page.goto(url('/admin/compose'));
    await tabTo('[name="title.en"]');
    await page.keyboard.type('Board games evening');
    await tabTo('[name="body.en"]');
    await page.keyboard.type('Friday 18:00, ground floor.');
    await tabTo('input[name="topics"][value="events"]');
    await page.keyboard.press('Space');
    for (const ch of ['telegram', 'mastodon', 'webhook:eng-faculty', 'slack', 'email']) {
      await tabTo(`input[name="channels"][value="${ch}"]`);
      await page.keyboard.press('Space');
    }
    await tabTo('button[value="submit"]');
    await Promise.all([page.waitForURL(/msg=submitted/), page.keyboard.press('Enter')]);

    await signInWithPassword(page, d.url, 'lin.wei@example.edu');
    await page.goto(url('/admin/drafts'));
    await tabTo('a.draft-title');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Board games evening');
    await Promise.all([page.waitForURL(/\/admin\/drafts\/d/), page.keyboard.press('Enter')]);
    await tabTo('form[action$="/approve"] button');
    await Promise.all([page.waitForURL(/\/admin\/announcements\//), page.keyboard.press('Enter')]);
    const ann = (await d.s.announcements.get(new URL(page.url()).pathname.split('/').pop()!))!;
    expect(ann).toMatchObject({ createdBy: 'Reading Club', approvedBy: 'Lin Wei', topics: ['events'], channels: ['rss'] });
  }, 60_000);

  it('found no serious or critical axe violation and no page error on any desk page', () => {
    ready();
    expect(axe).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
