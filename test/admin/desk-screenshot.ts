// Takes the README's screenshots of the desk (the librarians' part of the dashboard):
//
//   node bin/run-ts.js test/admin/desk-screenshot.ts
//
// A private redis-server (or REDIS_URL), the in-process SMTP server, a local fake Slack, the
// real HTTP server and workers, Debian's chromium (it has CJK fonts). Writes to docs/screenshots:
// signin.png, compose-en.png (1280 px, a bilingual notice too long for Telegram: red counters),
// compose-zh.png (the same on the Chinese page), compose-phone.png (390 px), review.png (a librarian reviewing a student team's draft).
import { deskAccount, onlyChannels, signInWithPassword } from './desk-support.js';
import { SCREENSHOTS, withDeskScreenshots } from './desk-screenshot-support.js';

const OUT = SCREENSHOTS;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

await withDeskScreenshots(async (d, browser) => {
  await deskAccount(d, 'Lin Wei', 'lin.wei@library.example.edu', 'librarian');
  await deskAccount(d, 'Reading Club', 'reading.club@students.example.edu', 'contributor');
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });

  await page.goto(`${d.url}/admin/login`);
  await page.getByLabel('E-mail', { exact: true }).fill('lin.wei@library.example.edu');
  await page.setViewportSize({ width: 1280, height: 620 });
  await page.screenshot({ path: `${OUT}/signin.png` });

  // A student team's draft, submitted for review.
  await signInWithPassword(page, d.url, 'reading.club@students.example.edu');
  await page.goto(`${d.url}/admin/compose`);
  await page.getByLabel('Title (中文)').fill('读书会：十一月共读《围城》');
  await page.getByLabel('Title (English)').fill('Reading club: Fortress Besieged in November');
  await page.getByLabel('Body (中文)').fill('每周四 19:00 在**二楼研讨室**，共读钱锺书《围城》。图书馆提供借阅本，欢迎所有读者参加。');
  await page.getByLabel('Body (English)').fill('Every Thursday at 19:00 in the **second-floor seminar room** we read Qian Zhongshu’s *Fortress Besieged*. The library lends copies; everyone is welcome.');
  await page.getByLabel('Events · 活动').check();
  await onlyChannels(page, ['email', 'rss', 'slack']);
  await page.getByRole('button', { name: 'Submit for review' }).click();
  await page.waitForURL(/msg=submitted/);

  // The librarian writes a long bilingual notice: Telegram and WeCom counters go red.
  await signInWithPassword(page, d.url, 'lin.wei@library.example.edu');
  await page.setViewportSize({ width: 1280, height: 1500 });
  await page.goto(`${d.url}/admin/compose`);
  await page.getByLabel('Title (中文)').fill('三至五楼书库调整：读者须知');
  await page.getByLabel('Title (English)').fill('Stack reorganisation on floors 3–5: what changes for you');
  await page.getByLabel('Summary (中文)').fill('11月4日至22日，三至五楼书库分批调整，部分书架暂时为空。');
  await page.getByLabel('Summary (English)').fill('From 4 to 22 November the stacks on floors 3–5 move in stages; some shelves will be empty for a few days.');
  const para = {
    zh: '图书馆将于11月4日至22日调整三至五楼开架书库，使相关学科的图书集中排架。调整期间部分书架会暂时为空，请以馆藏目录中每晚更新的“馆藏位置”为准。如找不到所需图书，可在服务台登记，工作人员会在一个工作日内为您调取。',
    en: 'From 4 to 22 November the library reorganises the open stacks on floors 3 to 5 so that related subjects stand together. While the move is under way some shelves will be empty for a few days; use the catalogue’s location field, which is updated every evening. If you cannot find a book, ask at the service desk and staff will fetch it within one working day.',
  };
  await page.getByLabel('Body (中文)').fill(Array(14).fill(para.zh).join('\n\n'));
  await page.getByLabel('Body (English)').fill(Array(8).fill(para.en).join('\n\n'));
  await page.getByLabel('Services · 服务').check();
  await page.getByLabel('Publish at').fill('2030-11-01T09:00');
  await page.getByLabel('Link', { exact: true }).fill('https://library.example.edu/news/stacks');
  await page.locator('#counters [data-platform="telegram"].over').waitFor({ timeout: 10_000 });
  await page.waitForURL(/draft=/, { timeout: 15_000 }); // autosaved: the phone opens the same draft
  await sleep(300);
  await page.screenshot({ path: `${OUT}/compose-en.png`, fullPage: false });

  const phone = await browser.context.newPage();
  await phone.setViewportSize({ width: 390, height: 1600 });
  await phone.goto(page.url());
  await sleep(500);
  await phone.screenshot({ path: `${OUT}/compose-phone.png` });
  await phone.close();

  // The same draft on the Chinese page: the switch in the top bar, remembered on the account.
  await page.getByRole('button', { name: '中文' }).click();
  await page.waitForLoadState('load');
  await page.locator('#counters [data-platform="telegram"]').waitFor();
  await page.screenshot({ path: `${OUT}/compose-zh.png` });
  await page.getByRole('button', { name: 'English' }).click();
  await page.waitForLoadState('load');

  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.goto(`${d.url}/admin/drafts`);
  await page.getByRole('link', { name: 'Reading club: Fortress Besieged in November' }).click();
  await page.getByLabel('Comment', { exact: true }).fill('Please say until when copies can be borrowed.');
  await page.screenshot({ path: `${OUT}/review.png`, fullPage: true });
  console.log(`wrote ${OUT}/signin.png, compose-en.png, compose-zh.png, compose-phone.png, review.png`);
});
