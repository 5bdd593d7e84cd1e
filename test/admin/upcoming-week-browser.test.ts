// Upcoming's week view in a real Chromium: seven columns side by side on a desktop, stacked on
// a phone with no sideways scrolling, axe clean at both widths and in both languages, and a
// reschedule from a day's "Reschedule or cancel" that comes back to the same week.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisUrl, startSmtp, type TestSmtp } from '../support/harness.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { axeProblems, deskAccount, deskConfig, SEEDED_WEEK, seedWeek, signInWithPassword } from './desk-support.js';
import { launchChromium, startDashboard, type Dashboard } from './support.js';

let smtp: TestSmtp;
let slack: FakeSlack;
let d: Dashboard;
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
let page: Page;
let ids: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  smtp = await startSmtp();
  slack = await startFakeSlack();
  slack.addChannel('C0DESK');
  d = await startDashboard(deskConfig(redisUrl(), smtp.url, { apiUrl: slack.apiUrl, token: slack.token, channel: 'C0DESK' }));
  await deskAccount(d, 'Lin Wei', 'lin.wei@example.edu', 'librarian');
  ids = await seedWeek(d.s);
  browser = await launchChromium();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
  await signInWithPassword(page, d.url, 'lin.wei@example.edu');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await d?.close();
  await slack?.close();
  await smtp?.close();
});

const weekUrl = () => `${d.url}/admin/upcoming?view=week&week=${SEEDED_WEEK}`;
const boxes = () => page.locator('li.day').evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ x: Math.round(r.x), y: Math.round(r.y) })));

describe('Upcoming, the week view in a browser', () => {
  it('shows seven columns at 1280 px and stacks the days at 390 px, axe clean in both languages', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(weekUrl());
    const wide = await boxes();
    expect(wide).toHaveLength(7);
    expect(new Set(wide.map((b) => b.y)).size).toBe(1); // one row
    expect(wide.map((b) => b.x)).toEqual([...wide.map((b) => b.x)].sort((a, b) => a - b));
    expect(await axeProblems(page, 'week view (1280 px)')).toEqual([]);

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(weekUrl());
    const narrow = await boxes();
    expect(new Set(narrow.map((b) => b.x)).size).toBe(1); // one column
    expect(narrow.map((b) => b.y)).toEqual([...narrow.map((b) => b.y)].sort((a, b) => a - b));
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    expect(await axeProblems(page, 'week view (390 px)')).toEqual([]);
    // Open controls are part of the page too.
    await page.locator(`[data-ann="${ids[1]}"] summary`).click();
    expect(await axeProblems(page, 'week view, controls open (390 px)')).toEqual([]);

    await page.goto(`${weekUrl()}&lang=zh`);
    expect(await page.locator('li.day .day-name').allTextContents()).toEqual(['周一', '周二', '周三', '周四', '周五', '周六', '周日']);
    expect(await axeProblems(page, 'week view in Chinese (390 px)')).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${weekUrl()}&lang=zh`);
    expect(await axeProblems(page, 'week view in Chinese (1280 px)')).toEqual([]);
  }, 60_000);

  it('reschedules from a day and comes back to the same week, the announcement in its new day', async () => {
    await page.goto(weekUrl());
    const id = ids[2]; // Tuesday 14:30
    await page.locator(`[data-ann="${id}"] summary`).click();
    await page.locator(`#when-${id}`).fill('2030-11-06T15:00');
    await Promise.all([page.waitForURL(/msg=rescheduled/), page.locator(`[data-ann="${id}"]`).getByRole('button', { name: 'Reschedule' }).click()]);
    expect(new URL(page.url()).searchParams.get('week')).toBe(SEEDED_WEEK);
    expect(await page.locator(`li.day[data-date="2030-11-06"] [data-ann="${id}"]`).count()).toBe(1);
    expect((await d.s.announcements.get(id))!.publishedAt).toBe('2030-11-06T07:00:00.000Z');
    // Previous / next week links move by seven days.
    await Promise.all([page.waitForURL(/week=2030-11-11/), page.getByRole('link', { name: 'Next week →' }).click()]);
    expect(await page.locator('li.day').first().getAttribute('data-date')).toBe('2030-11-11');
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
