// Screenshots of the desk's corrections (issue 14), to look at the layout:
//
//   node bin/run-ts.js test/admin/corrections-screenshot.ts [outdir]   (default /tmp/shots-cor)
//
// An announcement sent to e-mail, the feed and Slack, edited through the form with a notice;
// then, in English and Chinese at 1280 and 390 px: the announcement page (revision, history,
// the correction's progress), the edit page with an error beside a field, the retract page.
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { waitFor } from '../support/harness.js';
import { deskAccount, signInWithPassword } from './desk-support.js';
import { withDeskScreenshots } from './desk-screenshot-support.js';
import { ADMIN_TOKEN, addSubscribers, postAnnouncement } from './support.js';

const OUT = process.argv[2] ?? '/tmp/shots-cor';
mkdirSync(OUT, { recursive: true });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

await withDeskScreenshots(async (d, browser) => {
  await deskAccount(d, 'Lin Wei', 'lin.wei@library.example.edu', 'librarian');
  await addSubscribers(d.s, 4);
  const id = await postAnnouncement(d.url, {
    title: { en: 'Central Library closes early on Friday', zh: '周五总馆提前闭馆' },
    body: { en: 'On Friday 8 November the Central Library closes at **17:00** for building maintenance.', zh: '11月8日（周五）总馆因设备检修于 **17:00** 闭馆。' },
    topics: ['hours'], channels: ['email', 'rss', 'slack'],
  }, ADMIN_TOKEN);
  await waitFor(async () => ((await d.s.producer.view(id))?.status === 'done' ? true : null), { what: 'sent', timeoutMs: 30_000 });
  const self = `${d.url}/admin/announcements/${id}`;

  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  await signInWithPassword(page, d.url, 'lin.wei@library.example.edu');
  await page.goto(`${self}/edit`);
  await page.getByLabel('Body (English)').fill('On Friday 8 November the Central Library closes at **16:00** for building maintenance.');
  await page.getByLabel('Body (中文)').fill('11月8日（周五）总馆因设备检修于 **16:00** 闭馆。');
  await page.getByLabel('Notice to readers who cannot see the change (English)').fill('Correction: on Friday we close at 16:00, not 17:00.');
  await page.getByLabel('Notice to readers who cannot see the change (中文)').fill('更正：周五闭馆时间为 16:00，而非 17:00。');
  await Promise.all([page.waitForURL(/msg=corrected/), page.getByRole('button', { name: 'Save correction' }).click()]);
  await waitFor(async () => {
    const v = await d.s.corrector.view((await d.s.announcements.get(id))!);
    return v.correction?.finished ? true : null;
  }, { what: 'the correction', timeoutMs: 30_000 });

  const shots: string[] = [];
  const shoot = async (p: Page, name: string) => {
    await sleep(400);
    await p.screenshot({ path: `${OUT}/${name}.png`, fullPage: true });
    shots.push(`${name}.png`);
    // A phone's page in screen-high parts too, readable one at a time.
    const { width, height } = (await p.evaluate('({ width: document.documentElement.clientWidth, height: document.documentElement.scrollHeight })')) as { width: number; height: number };
    if (width > 600) return;
    for (let y = 0, i = 1; y < height && i <= 4; y += 1100, i++) {
      await p.screenshot({ path: `${OUT}/${name}-part${i}.png`, fullPage: true, clip: { x: 0, y, width, height: Math.min(1100, height - y) } });
    }
  };
  for (const lang of ['en', 'zh'] as const) {
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.setExtraHTTPHeaders({ 'accept-language': lang === 'zh' ? 'zh-CN,zh;q=0.9' : 'en' });
      await page.goto(`${self}?msg=corrected`);
      await shoot(page, `announcement-${lang}-${width}`);
      // An empty English title beside an English body: the error stands beside the title.
      await page.goto(`${self}/edit`);
      await page.locator('#f-title-en').fill('');
      await page.locator('#f-notice-en').fill('x'.repeat(300));
      await Promise.all([page.waitForLoadState('load'), page.locator('#correct button[type=submit]').click()]);
      await page.locator('.field-error').first().waitFor();
      await shoot(page, `edit-error-${lang}-${width}`);
      await page.goto(`${self}/retract`);
      await shoot(page, `retract-${lang}-${width}`);
    }
  }
  // Retracted through the confirm page, with a notice: the badge, and the retraction's progress.
  await page.setExtraHTTPHeaders({ 'accept-language': 'en' });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${self}/retract`);
  await page.getByLabel('Notice to readers who cannot see the change (English)').fill('Withdrawn: the early closing was called off.');
  await Promise.all([page.waitForURL(/msg=retracted/), page.getByRole('button', { name: 'Retract announcement' }).click()]);
  await waitFor(async () => ((await d.s.corrector.view((await d.s.announcements.get(id))!)).correction?.finished ? true : null), { what: 'the retraction', timeoutMs: 30_000 });
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.reload();
    await shoot(page, `retracted-en-${width}`);
  }
  // An admin sees the same page with the admin's menu (accounts, queues).
  const adminPage = await browser.context.newPage();
  await deskAccount(d, 'Zhao Min', 'zhao.min@library.example.edu', 'admin');
  await browser.context.clearCookies();
  await signInWithPassword(adminPage, d.url, 'zhao.min@library.example.edu');
  for (const [lang, width] of [['en', 1280], ['zh', 390]] as const) {
    await adminPage.setViewportSize({ width, height: 900 });
    await adminPage.setExtraHTTPHeaders({ 'accept-language': lang === 'zh' ? 'zh-CN,zh;q=0.9' : 'en' });
    await adminPage.goto(self);
    await shoot(adminPage, `admin-announcement-${lang}-${width}`);
  }
  await adminPage.close();

  console.log(`wrote ${shots.map((s) => `${OUT}/${s}`).join(' ')}`);
});
