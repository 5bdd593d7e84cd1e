// Takes the README's screenshots of Upcoming's week view:
//
//   node bin/run-ts.js test/admin/upcoming-screenshot.ts
//
// A private redis-server (or REDIS_URL), the real HTTP server and workers, Debian's chromium
// (CJK fonts). Writes docs/screenshots/upcoming-week.png (English, 1280 px) and
// upcoming-week-zh-phone.png (Chinese, 390 px, the days stacked).
import { mkdirSync } from 'node:fs';
import { startSmtp } from '../support/harness.js';
import { startFakeSlack } from '../support/fake-slack.js';
import { deskAccount, deskConfig, SEEDED_WEEK, seedWeek, signInWithPassword } from './desk-support.js';
import { launchChromium, startDashboard } from './support.js';
import { redisForScript } from '../support/script-redis.js';

const OUT = 'docs/screenshots';

const redis = await redisForScript();
const redisUrl = redis.url;

const smtp = await startSmtp();
const slack = await startFakeSlack();
slack.addChannel('C0DESK');
const d = await startDashboard(deskConfig(redisUrl, smtp.url, { apiUrl: slack.apiUrl, token: slack.token, channel: 'C0DESK' }));
const browser = await launchChromium();
try {
  mkdirSync(OUT, { recursive: true });
  await deskAccount(d, 'Lin Wei', 'lin.wei@library.example.edu', 'librarian');
  const ids = await seedWeek(d.s);
  const page = await browser.context.newPage();
  await signInWithPassword(page, d.url, 'lin.wei@library.example.edu');
  const week = `${d.url}/admin/upcoming?view=week&week=${SEEDED_WEEK}`;

  // English at 1280 px, one announcement's controls open (what "Reschedule or cancel" shows).
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(week);
  await page.locator(`[data-ann="${ids[0]}"] summary`).click();
  await page.screenshot({ path: `${OUT}/upcoming-week.png`, fullPage: true });

  // Chinese on a phone: the days one under another.
  const phone = await browser.context.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(`${week}&lang=zh`);
  await phone.screenshot({ path: `${OUT}/upcoming-week-zh-phone.png`, fullPage: true });
  await phone.close();
  console.log(`wrote ${OUT}/upcoming-week.png, upcoming-week-zh-phone.png`);
} finally {
  await browser.close();
  await d.close();
  await slack.close();
  await smtp.close();
  await redis.stop();
}
// tsx's esbuild service can keep the process alive after everything above is closed.
process.exit(0);
