// The archive and an announcement's page in a real browser, in both languages: axe finds no
// serious or critical violation, the feed is advertised, expired ones are absent, nothing runs.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, launchChromium, postAnnouncement, startDashboard, type Dashboard } from '../admin/support.js';
import { redisUrl, startSmtp, waitFor, type TestSmtp } from '../support/harness.js';
import { expectAccessible, noHorizontalScroll, publicConfig } from './support.js';

let smtp: TestSmtp;
let d: Dashboard;
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
let page: Page;
let shown: string;
let expiring: string;

let setupError: Error | undefined;
const ready = () => {
  if (setupError) throw setupError;
};

async function done(id: string): Promise<void> {
  await waitFor(async () => ['done', 'done_with_failures'].includes((await d.s.announcements.status(id)) ?? ''), { what: `announcement ${id} done` });
}

beforeAll(async () => {
  try {
    smtp = await startSmtp();
    d = await startDashboard(publicConfig(redisUrl(), smtp.url));
    shown = await postAnnouncement(d.url, {
      title: { en: 'Database trial: IEEE Xplore', zh: '数据库试用：IEEE Xplore' },
      body: { en: 'Trial access **until 30 November**.\n\n- Full text\n- Off campus via VPN', zh: '试用至 **11月30日**。\n\n- 全文\n- 校外可通过 VPN 访问' },
      topics: ['databases'], channels: ['rss'],
    }, ADMIN_TOKEN);
    expiring = await postAnnouncement(d.url, {
      title: { en: 'Closing early today', zh: '今天提前闭馆' }, body: { en: 'At 17:00.', zh: '17:00 闭馆。' },
      topics: ['hours'], channels: ['rss'], expiresAt: new Date(Date.now() + 1500).toISOString(),
    }, ADMIN_TOKEN);
    await done(shown);
    await done(expiring);
    browser = await launchChromium({ locale: 'en-GB', viewport: { width: 390, height: 844 } });
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
  } catch (err) {
    setupError = err as Error;
  }
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await d?.close();
  await smtp?.close();
});

describe('the public archive in a browser', () => {
  for (const lang of ['en', 'zh'] as const) {
    it(`lists and shows announcements in ${lang}, accessibly, on a phone`, async () => {
      ready();
      await page.goto(`${d.url}/news?lang=${lang}`);
      expect(await page.locator('html').getAttribute('lang')).toBe(lang === 'zh' ? 'zh-CN' : 'en');
      expect(await page.locator('link[rel="alternate"][type="application/rss+xml"]').getAttribute('href')).toBe(`/feeds/rss.xml?lang=${lang}`);
      expect(await page.evaluate('document.scripts.length')).toBe(0);
      expect(await noHorizontalScroll(page)).toBe(true);
      await expectAccessible(page, `/news in ${lang}`);
      const title = lang === 'zh' ? '数据库试用：IEEE Xplore' : 'Database trial: IEEE Xplore';
      await Promise.all([page.waitForURL(new RegExp(`/news/${shown}`)), page.getByRole('link', { name: title }).click()]);
      expect(await page.locator('h1').textContent()).toBe(title);
      expect(await page.locator('article strong').textContent()).toBe(lang === 'zh' ? '11月30日' : 'until 30 November');
      expect(await page.locator('article li').count()).toBe(2);
      await expectAccessible(page, `/news/:id in ${lang}`);
    }, 30_000);
  }

  it('drops an announcement from the archive and its page once it expires', async () => {
    ready();
    await new Promise((r) => setTimeout(r, 1600));
    await page.goto(`${d.url}/news?lang=en`);
    expect(await page.getByRole('link', { name: 'Closing early today' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Database trial: IEEE Xplore' }).count()).toBe(1);
    const res = await page.goto(`${d.url}/news/${expiring}`);
    expect(res!.status()).toBe(404);
    await expectAccessible(page, 'the not-found page');
  }, 30_000);
});
