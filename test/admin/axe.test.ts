// axe on every page of the dashboard that existed before the desk (sign-in, announcements, one
// announcement with failures, queues, subscribers) and the front door, signed in as admin and
// as librarian, at laptop and phone widths, and in Chinese on a phone: no serious or critical violation.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../support/axe.js';
import { redisUrl, startSmtp, waitFor, type TestSmtp } from '../support/harness.js';
import {
  ADMIN_TOKEN, addSubscribers, dashboardConfig, launchChromium, LIBRARIAN_TOKEN, postAnnouncement, signInWithToken, startDashboard, type Dashboard,
} from './support.js';

let smtp: TestSmtp;
let d: Dashboard;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let annId: string;
let subId: string;

beforeAll(async () => {
  smtp = await startSmtp({ delayMs: 1 });
  d = await startDashboard(dashboardConfig(redisUrl(), smtp.url, { perSecond: 500 }));
  await addSubscribers(d.s, 5);
  await d.s.subscribers.upsert({ channel: 'email', address: 'gone@example.edu', topics: ['*'], language: 'en', status: 'active' });
  smtp.replies.set('gone@example.edu', '550 5.1.1 No such user here');
  subId = (await d.s.subscribers.list({ limit: 1 })).items[0].id;
  annId = await postAnnouncement(d.url);
  await waitFor(async () => (await d.s.producer.view(annId))?.status === 'done_with_failures', { what: 'the fan-out to end' });
  browser = await launchChromium();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await d?.close();
  await smtp?.close();
});

async function signIn(token: string): Promise<void> {
  await browser.context.clearCookies();
  await signInWithToken(page, d.url, token);
}

describe('accessibility of the dashboard (axe)', () => {
  it('finds no serious or critical violation on any page, for admin and librarian, at 1280 and 390 px', async () => {
    const found: string[] = [];
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await browser.context.clearCookies();
      for (const path of ['/', '/admin/login']) {
        await page.goto(`${d.url}${path}`);
        found.push(...(await seriousViolations(page, `${path} at ${width}px`)));
      }
      for (const [role, token, paths] of [
        ['admin', ADMIN_TOKEN, ['/admin', `/admin/announcements/${annId}`, `/admin/announcements/${annId}?status=failed`, '/admin/queues-overview', '/admin/subscribers']],
        ['librarian', LIBRARIAN_TOKEN, ['/admin', `/admin/announcements/${annId}`]],
      ] as const) {
        await signIn(token);
        for (const path of paths) {
          await page.goto(`${d.url}${path}`);
          expect(page.url(), `${role} may open ${path}`).toBe(`${d.url}${path}`);
          found.push(...(await seriousViolations(page, `${path} as ${role} at ${width}px`)));
        }
      }
    }
    expect(found).toEqual([]);
  }, 120_000);

  it('finds none on the older pages in Chinese at 390 px, signed in as admin', async () => {
    // Chinese chosen by the browser (Accept-Language), as a librarian's browser would.
    await page.setExtraHTTPHeaders({ 'accept-language': 'zh-CN,zh;q=0.9' });
    try {
      await page.setViewportSize({ width: 390, height: 844 });
      await signIn(ADMIN_TOKEN);
      const found: string[] = [];
      for (const path of ['/admin', `/admin/announcements/${annId}`, `/admin/announcements/${annId}?status=failed`, '/admin/queues-overview',
        '/admin/subscribers', '/admin/subscribers/list', `/admin/subscribers/${subId}`, '/admin/subscribers/import']) {
        await page.goto(`${d.url}${path}`);
        expect(await page.getAttribute('html', 'lang'), path).toBe('zh-CN');
        found.push(...(await seriousViolations(page, `${path} in Chinese at 390px`)));
      }
      expect(found).toEqual([]);
    } finally {
      await page.setExtraHTTPHeaders({});
    }
  }, 120_000);

  it('keeps the Chinese list live: a new announcement appears and its state word changes in Chinese (from live.js)', async () => {
    await page.setExtraHTTPHeaders({ 'accept-language': 'zh-CN,zh;q=0.9' });
    try {
      await signIn(ADMIN_TOKEN);
      await page.waitForFunction("document.documentElement.dataset.live === 'open'");
      const id = await postAnnouncement(d.url);
      const badge = page.locator(`[data-ann="${id}"] [data-role="status"]`);
      // gone@ bounced the first time and is no longer active, so this one goes out without a failure.
      await expect.poll(() => badge.textContent(), { timeout: 20_000 }).toBe('已完成');
      expect(await page.locator(`[data-ann="${id}"] .progress[data-channel="email"] .n-sent`).textContent()).toMatch(/^已发送 \d+$/);
    } finally {
      await page.setExtraHTTPHeaders({});
    }
  }, 60_000);

  it('finds none on the correction pages (edited announcement, edit form with an error, retract), in both languages at 1280 and 390 px', async () => {
    const id = await postAnnouncement(d.url);
    await waitFor(async () => ((await d.s.producer.view(id))?.status.startsWith('done') ? true : null), { what: 'sent' });
    await page.setViewportSize({ width: 1280, height: 900 });
    await signIn(LIBRARIAN_TOKEN);
    const self = `${d.url}/admin/announcements/${id}`;
    // Through the form in a real browser: the edit form is filled with what was sent.
    await page.goto(`${self}/edit`);
    expect(await page.inputValue('#f-title-en')).toBe('Opening hours during the National Day holiday');
    await page.fill('#f-body-en', 'From **1 to 7 October** the Central Library opens **09:00–16:00**.');
    await page.fill('#f-notice-en', 'Correction: we close at 16:00, not 17:00.');
    await Promise.all([page.waitForURL(/msg=corrected/), page.click('#correct button[type=submit]')]);
    await waitFor(async () => ((await d.s.corrector.view((await d.s.announcements.get(id))!)).correction?.finished ? true : null), { what: 'the correction' });
    const found: string[] = [];
    try {
      for (const lang of ['en', 'zh'] as const) {
        await page.setExtraHTTPHeaders({ 'accept-language': lang === 'zh' ? 'zh-CN,zh;q=0.9' : 'en' });
        for (const width of [1280, 390]) {
          await page.setViewportSize({ width, height: 900 });
          await page.goto(self);
          await page.locator('section.correction[data-revision="2"]').waitFor();
          expect(await page.locator('table.history tr[data-kind="edit"]').count()).toBe(1);
          found.push(...(await seriousViolations(page, `announcement after an edit, ${lang} at ${width}px`)));
          await page.goto(`${self}/edit`);
          found.push(...(await seriousViolations(page, `edit, ${lang} at ${width}px`)));
          await page.fill('#f-title-en', '');
          await Promise.all([page.waitForLoadState('load'), page.click('#correct button[type=submit]')]);
          await page.locator('#e-body-en, #e-title-en, #e-body-zh').first().waitFor();
          found.push(...(await seriousViolations(page, `edit with an error, ${lang} at ${width}px`)));
          await page.goto(`${self}/retract`);
          found.push(...(await seriousViolations(page, `retract, ${lang} at ${width}px`)));
        }
      }
    } finally {
      await page.setExtraHTTPHeaders({});
    }
    expect(found).toEqual([]);
    expect((await d.s.announcements.get(id))!.revision).toBe(2); // the error changed nothing
  }, 120_000);
});
