// Takes the README's screenshots of Upcoming's week view:
//
//   node bin/run-ts.js test/admin/upcoming-screenshot.ts
//
// A private redis-server (or REDIS_URL), the real HTTP server and workers, Debian's chromium
// (CJK fonts). Writes docs/screenshots/upcoming-week.png (English, 1280 px) and
// upcoming-week-zh-phone.png (Chinese, 390 px, the days stacked).
import { deskAccount, SEEDED_WEEK, seedWeek, signInWithPassword } from './desk-support.js';
import { SCREENSHOTS, withDeskScreenshots } from './desk-screenshot-support.js';

const OUT = SCREENSHOTS;

await withDeskScreenshots(async (d, browser) => {
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
});
