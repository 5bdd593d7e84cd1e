// A student in a real browser (Chromium via playwright-core), in each language: signs up on
// /subscribe, confirms from the mail that reaches the in-process SMTP server, changes topics on
// the manage page linked from an announcement mail, and unsubscribes from everything. The
// Chinese walk runs on a 390 px phone. axe checks every page; no page runs a script.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANNOUNCEMENT, launchChromium, postAnnouncement, startDashboard, type Dashboard } from '../admin/support.js';
import { redisUrl, startSmtp, waitFor, type TestSmtp } from '../support/harness.js';
import { expectAccessible, noHorizontalScroll, onServer, publicConfig } from './support.js';

let smtp: TestSmtp;
let d: Dashboard;
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
let page: Page;
const pageErrors: string[] = [];

// A missing browser must fail every test with its message, not skip them.
let setupError: Error | undefined;
const ready = () => {
  if (setupError) throw setupError;
};

beforeAll(async () => {
  try {
    smtp = await startSmtp();
    d = await startDashboard(publicConfig(redisUrl(), smtp.url));
    browser = await launchChromium({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
  } catch (err) {
    setupError = err as Error;
  }
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await d?.close();
  await smtp?.close();
});

const mails = (address: string) => smtp.received.filter((m) => m.envelopeTo.includes(address));
const confirmation = (address: string) =>
  waitFor(() => mails(address).find((m) => m.parsed.headers.get('x-crier-confirmation') === 'yes'), { what: `confirmation to ${address}` });
const linkIn = (text: string | undefined, path: string) => {
  const m = new RegExp(`https?://\\S+${path.replace('/', '\\/')}\\?token=\\S+`).exec(text ?? '');
  expect(m, `${path} link in ${text}`).not.toBeNull();
  return onServer(m![0], d.url);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Posts an announcement about `topic` and returns the manage link of the mail `address` gets. */
async function manageLinkFor(address: string, topic: string): Promise<string> {
  const before = mails(address).length;
  await postAnnouncement(d.url, { ...ANNOUNCEMENT, topics: [topic], channels: ['email'] });
  const mail = await waitFor(() => mails(address)[before], { what: `announcement mail to ${address}` });
  return linkIn(mail.parsed.text, '/subscriptions/manage');
}

describe('a student subscribes in the browser alone', () => {
  it('in Chinese on a phone: sign up from a poster link, confirm, change topics, unsubscribe', async () => {
    ready();
    const address = 'xiaoming@example.edu';
    await page.goto(`${d.url}/subscribe?topic=events`); // Accept-Language zh-CN from the browser
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await page.evaluate('document.scripts.length')).toBe(0);
    expect(await noHorizontalScroll(page)).toBe(true);
    expect(await page.getByLabel('活动').isChecked()).toBe(true);
    expect(await page.getByRole('link', { name: '在 Telegram 中打开图书馆机器人' }).getAttribute('href')).toBe('https://t.me/UniLibBot?start=events');
    await expectAccessible(page, 'the Chinese sign-up page');

    await page.getByLabel('邮箱').fill(address);
    await page.getByLabel('开放时间').check();
    await page.getByLabel('中文', { exact: true }).check();
    await sleep(1100); // subscriptions.minFillSeconds is 1 here
    await Promise.all([page.waitForURL(`${d.url}/subscribe`), page.getByRole('button', { name: '订阅' }).click()]);
    expect(await page.locator('h1').textContent()).toBe('请查收邮件');
    expect(await page.getByRole('status').textContent()).toContain(`确认邮件正在发往 ${address}`);
    expect(await noHorizontalScroll(page)).toBe(true);
    await expectAccessible(page, 'the Chinese "check your inbox" page');
    expect((await d.s.subscribers.findByAddress('email', address))!.status).toBe('pending');

    const mail = await confirmation(address);
    expect(mail.parsed.subject).toBe('请确认订阅大学图书馆通知');
    await page.goto(linkIn(mail.parsed.text, '/subscriptions/confirm'));
    expect(await page.locator('h1').textContent()).toBe('订阅成功');
    expect(await d.s.subscribers.findByAddress('email', address)).toMatchObject({ status: 'active', topics: ['events', 'hours'], language: 'zh' });

    await page.goto(await manageLinkFor(address, 'hours'));
    expect(await page.locator('h1').textContent()).toBe('管理订阅');
    expect(await noHorizontalScroll(page)).toBe(true);
    await expectAccessible(page, 'the Chinese manage page');
    await page.getByLabel('开放时间').uncheck();
    await page.getByLabel('培训').check();
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByRole('status').waitFor();
    expect(await page.getByRole('status').textContent()).toContain('已保存');
    expect((await d.s.subscribers.findByAddress('email', address))!.topics).toEqual(['events', 'training']);

    await page.getByRole('button', { name: '全部退订' }).click();
    await page.getByText('不会再收到').waitFor();
    expect((await d.s.subscribers.findByAddress('email', address))!.status).toBe('unsubscribed');
    await expectAccessible(page, 'the Chinese manage page after unsubscribing');
  }, 60_000);

  it('in English: an error shown beside its field, then sign up, confirm, save, unsubscribe', async () => {
    ready();
    const address = 'alex.student@example.edu';
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${d.url}/subscribe`);
    await Promise.all([page.waitForURL(/lang=en/), page.getByRole('link', { name: 'English' }).click()]);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await expectAccessible(page, 'the English sign-up page');

    await page.getByLabel('E-mail').fill('alex.student@');
    await sleep(1100);
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.locator('#email-error').waitFor();
    expect(await page.locator('#email-error').textContent()).toBe('Enter an e-mail address like name@example.edu.');
    expect(await page.locator('#topics-error').textContent()).toBe('Choose at least one topic.');
    expect(await page.getByLabel('E-mail').inputValue()).toBe('alex.student@');
    expect(await page.getByLabel('E-mail').getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page, 'the English sign-up page with errors');

    await page.getByLabel('E-mail').fill(address);
    await page.getByLabel('Databases').check();
    await page.getByLabel('English', { exact: true }).check();
    await sleep(1100);
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    await expectAccessible(page, 'the English "check your inbox" page');

    const mail = await confirmation(address);
    await page.goto(linkIn(mail.parsed.text, '/subscriptions/confirm'));
    expect(await page.locator('h1').textContent()).toBe("You're subscribed");

    await page.goto(await manageLinkFor(address, 'databases'));
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await expectAccessible(page, 'the English manage page');
    await page.getByLabel('Events').check();
    await page.getByLabel('Both', { exact: true }).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved. You will receive announcements about: Events, Databases.').waitFor();
    expect(await d.s.subscribers.findByAddress('email', address)).toMatchObject({ topics: ['databases', 'events'], language: 'both' });
    await page.getByRole('button', { name: 'Unsubscribe from everything' }).click();
    await page.getByText('will receive no more').waitFor();
    expect((await d.s.subscribers.findByAddress('email', address))!.status).toBe('unsubscribed');
  }, 60_000);

  it('gives a bot that fills the hidden field the same answer, and subscribes nobody', async () => {
    ready();
    const before = smtp.received.length;
    await page.goto(`${d.url}/subscribe?lang=en`);
    await page.getByLabel('E-mail').fill('bot@example.edu');
    await page.getByLabel('Events').check();
    await page.locator('#website').fill('http://cheap-pills.example', { force: true });
    await sleep(1100);
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    expect(await d.s.subscribers.findByAddress('email', 'bot@example.edu')).toBeNull();
    await sleep(300);
    expect(smtp.received.length).toBe(before);
  }, 30_000);

  it('saw no script error', () => {
    ready();
    expect(pageErrors).toEqual([]);
  });
});
