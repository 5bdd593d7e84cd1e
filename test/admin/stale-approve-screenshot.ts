// Screenshots of the reviewer's "the draft changed" page (409 on Approve), in English at 1280 px
// and in Chinese at 390 px, with axe's serious findings printed:
//
//   node bin/run-ts.js test/admin/stale-approve-screenshot.ts
//
// Writes docs/screenshots/stale-approve-en.png and stale-approve-zh-phone.png.
import { DraftStore } from '../../src/desk/drafts.js';
import { axeProblems, deskAccount, onlyChannels, signInWithPassword } from './desk-support.js';
import { SCREENSHOTS, withDeskScreenshots } from './desk-screenshot-support.js';

const OUT = SCREENSHOTS;
await withDeskScreenshots(async (d, browser) => {
  await deskAccount(d, 'Lin Wei', 'lin.wei@library.example.edu', 'librarian');
  await deskAccount(d, 'Reading Club', 'reading.club@students.example.edu', 'contributor');
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  await signInWithPassword(page, d.url, 'reading.club@students.example.edu');
  await page.goto(`${d.url}/admin/compose`);
  await page.getByLabel('Title (中文)').fill('读书会：十一月共读《围城》');
  await page.getByLabel('Title (English)').fill('Reading club: Fortress Besieged in November');
  await page.getByLabel('Body (中文)').fill('每周四 19:00 在二楼研讨室，共读钱锺书《围城》。');
  await page.getByLabel('Body (English)').fill('Every Thursday at 19:00 in the second-floor seminar room.');
  await page.getByLabel('Events · 活动').check();
  await onlyChannels(page, ['email', 'rss']);
  await page.getByRole('button', { name: 'Submit for review' }).click();
  await page.waitForURL(/msg=submitted/);

  const store = new DraftStore(d.s.redis, d.s.keys);
  const stale = async (lang: 'en' | 'zh', width: number, file: string) => {
    await signInWithPassword(page, d.url, 'lin.wei@library.example.edu');
    const [draft] = await store.list();
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`${d.url}/admin/drafts/${draft.id}`);
    // The language switch in the top bar, as a librarian would use it (saved on the account).
    if ((await page.getAttribute('html', 'lang'))?.startsWith('zh') !== (lang === 'zh')) {
      await page.locator('button.lang-switch').click();
      await page.waitForLoadState('networkidle');
    }
    // The author changes the time while the librarian reads.
    const now = (await store.get(draft.id))!;
    await store.save({ ...now, fields: { ...now.fields, 'body.zh': '每周五 19:30 在二楼研讨室，共读钱锺书《围城》。', 'body.en': 'Every Friday at 19:30 in the second-floor seminar room.' } });
    await page.getByRole('button', { name: lang === 'zh' ? '批准' : 'Approve', exact: true }).click();
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: `${OUT}/${file}`, fullPage: true });
    console.log(file, (await axeProblems(page, file)).join('; ') || 'axe: no serious findings');
  };
  await stale('en', 1280, 'stale-approve-en.png');
  await stale('zh', 390, 'stale-approve-zh-phone.png');
});
