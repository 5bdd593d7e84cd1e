// The subscriber pages in a real browser, as an admin: search, open one subscriber, edit,
// import a CSV with a bad line, export, remove. axe on each page; the dashboard's strict CSP
// (no inline script or style) holds, and the removal's confirmation comes from admin.js.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisUrl, startSmtp, type TestSmtp } from '../support/harness.js';
import { expectAccessible } from '../public/support.js';
import { ADMIN_TOKEN, dashboardConfig, launchChromium, signInWithToken, startDashboard, type Dashboard } from './support.js';

let smtp: TestSmtp;
let d: Dashboard;
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
let page: Page;
const csp: string[] = [];

let setupError: Error | undefined;
const ready = () => {
  if (setupError) throw setupError;
};

beforeAll(async () => {
  try {
    smtp = await startSmtp();
    d = await startDashboard(dashboardConfig(redisUrl(), smtp.url));
    await d.s.subscribers.upsert({ channel: 'email', address: 'lin.hua@example.edu', topics: ['hours'], language: 'zh', status: 'active' });
    await d.s.subscribers.upsert({ channel: 'email', address: 'sam.k@example.edu', topics: ['events'], language: 'en', status: 'pending' });
    browser = await launchChromium();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.on('console', (m) => {
      if (/Content.Security.Policy/i.test(m.text())) csp.push(m.text());
    });
    await signInWithToken(page, d.url, ADMIN_TOKEN);
  } catch (err) {
    setupError = err as Error;
  }
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await d?.close();
  await smtp?.close();
});

describe('subscribers in the dashboard, in a browser', () => {
  it('finds a subscriber, edits them, and the page passes axe', async () => {
    ready();
    await page.goto(`${d.url}/admin/subscribers`);
    await page.getByRole('link', { name: 'Find a subscriber' }).click();
    await expectAccessible(page, 'the subscriber list');
    await page.getByLabel('Address or chat').fill('lin');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/q=lin/);
    expect(await page.locator('tbody tr').count()).toBe(1);
    await page.getByRole('link', { name: 'lin.hua@example.edu' }).click();
    await page.getByRole('heading', { name: 'lin.hua@example.edu' }).waitFor();
    await expectAccessible(page, 'a subscriber\'s page');
    await page.getByLabel('Databases').check();
    await page.getByLabel('both').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Subscriber saved.').waitFor();
    expect(await d.s.subscribers.findByAddress('email', 'lin.hua@example.edu')).toMatchObject({ topics: ['databases', 'hours'], language: 'both' });
  }, 30_000);

  it('imports a CSV by upload and shows the bad line with its number', async () => {
    ready();
    const dir = mkdtempSync(join(tmpdir(), 'crier-import-'));
    const file = join(dir, 'list.csv');
    writeFileSync(file, 'email,topics,language\nnew.reader@example.edu,events,en\nbroken,events,en\n');
    await page.goto(`${d.url}/admin/subscribers/import`);
    await expectAccessible(page, 'the import page');
    await page.getByLabel('CSV file').setInputFiles(file);
    await page.getByRole('button', { name: 'Import' }).click();
    await page.locator('.import-result').waitFor();
    expect(await page.locator('[data-n="imported"]').textContent()).toBe('1');
    expect(await page.locator('.import-result td[data-label="Line"]').allTextContents()).toEqual(['3']);
    await expectAccessible(page, 'the import result');
    expect((await d.s.subscribers.findByAddress('email', 'new.reader@example.edu'))!.status).toBe('active');
  }, 30_000);

  it('exports CSV and removes a subscriber after the confirmation question', async () => {
    ready();
    await page.goto(`${d.url}/admin/subscribers/list`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export these as CSV' }).click()]);
    const csv = await (await download.createReadStream()).toArray();
    expect(Buffer.concat(csv).toString('utf8')).toContain('sam.k@example.edu');
    await page.getByRole('link', { name: 'sam.k@example.edu' }).click();
    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.accept();
    });
    await Promise.all([page.waitForURL(/msg=subscriber-removed/), page.getByRole('button', { name: 'Remove subscriber' }).click()]);
    expect(asked).toContain('sam.k@example.edu');
    expect(await d.s.subscribers.findByAddress('email', 'sam.k@example.edu')).toBeNull();
    expect(await page.locator('.flash').textContent()).toContain('Subscriber removed');
    expect(csp).toEqual([]);
  }, 30_000);
});
