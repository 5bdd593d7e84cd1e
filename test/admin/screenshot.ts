// Takes the README's dashboard screenshots with a real fan-out in progress:
//
//   node bin/run-ts.js test/admin/screenshot.ts
//
// A private redis-server (or REDIS_URL), the in-process SMTP server answering in ~5 ms, 1,000
// e-mail subscribers (one bounces, one keeps failing), the real HTTP server and workers, and
// Debian's chromium (CJK fonts). Writes docs/screenshots/dashboard.png (1280 px wide) and
// dashboard-phone.png (390 px) while the 1,000-recipient fan-out runs, then, in a browser that
// asks for Chinese (as a librarian's would), dashboard-zh.png (the list, still under way) and
// announcement-zh.png (the storm closure with its failures).
import { mkdirSync } from 'node:fs';
import { startSmtp } from '../support/harness.js';
import { ADMIN_TOKEN, addSubscribers, ANNOUNCEMENT, dashboardConfig, launchChromium, postAnnouncement, signInWithToken, startDashboard } from './support.js';
import { redisForScript } from '../support/script-redis.js';

const OUT = 'docs/screenshots';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const redis = await redisForScript();
const redisUrl = redis.url;

const smtp = await startSmtp({ delayMs: 5 });
const d = await startDashboard(dashboardConfig(redisUrl, smtp.url, { perSecond: 50 }));
const browser = await launchChromium();
try {
  // Some history first, with a few subscribers: a feed-only notice, an e-mail that met a
  // bounced address, a scheduled one. Then the rest of the 1,000 subscribers.
  await d.s.subscribers.upsert({ channel: 'email', address: 'moved.away@example.edu', topics: ['*'], language: 'en', status: 'active' });
  await d.s.subscribers.upsert({ channel: 'email', address: 'full.mailbox@example.edu', topics: ['*'], language: 'zh', status: 'active' });
  smtp.replies.set('moved.away@example.edu', '550 5.1.1 No such user here');
  smtp.replies.set('full.mailbox@example.edu', '452 4.2.2 Mailbox full');
  await addSubscribers(d.s, 18, { domain: 'staff.example.edu' });
  await postAnnouncement(d.url, {
    title: { en: 'Database trial: Web of Science Core Collection', zh: '数据库试用：Web of Science 核心合集' },
    body: { en: 'Trial access until 30 November.', zh: '试用至11月30日。' }, topics: ['databases'], channels: ['rss'],
  });
  const storm = await postAnnouncement(d.url, {
    title: { en: 'Typhoon warning: all libraries close at 14:00 today', zh: '台风预警：今天14:00起各馆闭馆' },
    body: { en: 'Please leave the building by 14:00.', zh: '请于14:00前离馆。' }, topics: ['hours'], priority: 'urgent',
  });
  for (let i = 0; i < 200 && !['done', 'done_with_failures'].includes((await d.s.announcements.status(storm)) ?? ''); i++) await sleep(100);
  await postAnnouncement(d.url, {
    title: { en: 'Freshman library tour', zh: '新生图书馆导览' }, body: { en: 'Meet at the main entrance.', zh: '在正门集合。' },
    topics: ['events', 'training'], publishAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
  });
  const cancelled = await postAnnouncement(d.url, {
    title: { en: 'Workshop: managing references with Zotero', zh: '讲座：用 Zotero 管理参考文献' }, body: { en: 'Postponed.', zh: '延期。' },
    topics: ['training'], publishAt: new Date(Date.now() + 86_400_000).toISOString(),
  });
  await fetch(`${d.url}/api/announcements/${cancelled}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  await d.s.subscribers.upsert({ channel: 'email', address: 'old.address@example.edu', topics: ['*'], language: 'en', status: 'active' });
  smtp.replies.set('old.address@example.edu', '550 5.1.1 Mailbox unavailable');
  await addSubscribers(d.s, 980);
  console.log(`${await d.s.subscribers.countActive('email')} active e-mail subscribers`);

  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 760 });
  await signInWithToken(page, d.url, ADMIN_TOKEN);
  await page.waitForFunction("document.documentElement.dataset.live === 'open'");

  const id = await postAnnouncement(d.url, ANNOUNCEMENT);
  console.log(`posted ${id}; waiting for the fan-out to be under way`);
  const row = page.locator(`[data-ann="${id}"] .progress[data-channel="email"] [data-n="sent"]`);
  await row.waitFor({ timeout: 20_000 });
  for (let i = 0; i < 200; i++) {
    const sent = Number(await row.textContent());
    if (sent >= 380) break;
    await sleep(100);
  }
  mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: `${OUT}/dashboard.png` });
  console.log(`wrote ${OUT}/dashboard.png`);

  const phone = await browser.context.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(`${d.url}/admin`);
  await phone.waitForFunction("document.documentElement.dataset.live === 'open'");
  await sleep(1500);
  await phone.screenshot({ path: `${OUT}/dashboard-phone.png` });
  console.log(`wrote ${OUT}/dashboard-phone.png`);

  // The locale sets Accept-Language: the pages choose Chinese from it.
  const zhBrowser = await launchChromium({ locale: 'zh-CN' });
  try {
    const zh = await zhBrowser.context.newPage();
    await zh.setViewportSize({ width: 1280, height: 760 });
    await signInWithToken(zh, d.url, ADMIN_TOKEN);
    await zh.waitForFunction("document.documentElement.dataset.live === 'open'");
    await zh.screenshot({ path: `${OUT}/dashboard-zh.png` });
    console.log(`wrote ${OUT}/dashboard-zh.png`);
    await zh.goto(`${d.url}/admin/announcements/${storm}?status=failed`);
    await zh.waitForFunction("document.documentElement.dataset.live === 'open'");
    await zh.locator('details.render').first().evaluate((el) => el.setAttribute('open', ''));
    await zh.screenshot({ path: `${OUT}/announcement-zh.png`, fullPage: true });
    console.log(`wrote ${OUT}/announcement-zh.png`);
  } finally {
    await zhBrowser.close();
  }
} finally {
  await browser.close();
  await d.close();
  await smtp.close();
  await redis.stop();
}
// tsx's esbuild service can keep the process alive after everything above is closed.
process.exit(0);
