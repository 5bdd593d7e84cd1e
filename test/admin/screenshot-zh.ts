// Takes the README's Chinese dashboard screenshots, the list with a fan-out under way and
// one announcement with failures, in a browser that asks for Chinese:
//
//   node bin/run-ts.js test/admin/screenshot-zh.ts
//
// Same set-up as screenshot.ts (a private redis-server or REDIS_URL, the in-process SMTP server,
// Debian's chromium, which has CJK fonts). Writes docs/screenshots/dashboard-zh.png and
// docs/screenshots/announcement-zh.png, both 1280 px wide.
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
// The locale sets Accept-Language: the pages choose Chinese from it, as for a librarian.
const browser = await launchChromium({ locale: 'zh-CN' });
try {
  await d.s.subscribers.upsert({ channel: 'email', address: 'moved.away@example.edu', topics: ['*'], language: 'zh', status: 'active' });
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
  for (let i = 0; i < 300 && !['done', 'done_with_failures'].includes((await d.s.announcements.status(storm)) ?? ''); i++) await sleep(100);
  await postAnnouncement(d.url, {
    title: { en: 'Freshman library tour', zh: '新生图书馆导览' }, body: { en: 'Meet at the main entrance.', zh: '在正门集合。' },
    topics: ['events', 'training'], publishAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
  });
  await addSubscribers(d.s, 600);

  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 760 });
  await signInWithToken(page, d.url, ADMIN_TOKEN);
  await page.waitForFunction("document.documentElement.dataset.live === 'open'");
  const id = await postAnnouncement(d.url, ANNOUNCEMENT);
  const sent = page.locator(`[data-ann="${id}"] .progress[data-channel="email"] [data-n="sent"]`);
  await sent.waitFor({ timeout: 20_000 });
  for (let i = 0; i < 200 && Number(await sent.textContent()) < 250; i++) await sleep(100);
  mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: `${OUT}/dashboard-zh.png` });
  console.log(`wrote ${OUT}/dashboard-zh.png`);

  await page.goto(`${d.url}/admin/announcements/${storm}?status=failed`);
  await page.waitForFunction("document.documentElement.dataset.live === 'open'");
  await page.locator('details.render').first().evaluate((el) => el.setAttribute('open', ''));
  await page.screenshot({ path: `${OUT}/announcement-zh.png`, fullPage: true });
  console.log(`wrote ${OUT}/announcement-zh.png`);
} finally {
  await browser.close();
  await d.close();
  await smtp.close();
  await redis.stop();
}
// tsx's esbuild service can keep the process alive after everything above is closed.
process.exit(0);
