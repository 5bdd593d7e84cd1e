// A correction's progress moves on the announcement's page while it goes out, as the send
// bars do (assets/live.js over /admin/events): e-mail's delivery queue is held, an edit is
// made, the page shows the notices waiting; released, they count up to all sent without a reload.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateAnnouncement } from '../../src/announcement/schema.js';
import { redisUrl, startSmtp, waitFor, type TestSmtp } from '../support/harness.js';
import { ANNOUNCEMENT, addSubscribers, dashboardConfig, launchChromium, LIBRARIAN_TOKEN, postAnnouncement, signInWithToken, startDashboard, type Dashboard } from './support.js';

let smtp: TestSmtp;
let d: Dashboard;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;

beforeAll(async () => {
  smtp = await startSmtp({ delayMs: 1 });
  d = await startDashboard(dashboardConfig(redisUrl(), smtp.url, { perSecond: 500 }));
  await addSubscribers(d.s, 3);
  browser = await launchChromium();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await d?.close();
  await smtp?.close();
});

describe('a correction on the announcement page', () => {
  it('shows its bars live: held notices, then all sent, without a reload', async () => {
    const id = await postAnnouncement(d.url);
    await waitFor(async () => ((await d.s.producer.view(id))?.status === 'done' ? true : null), { what: 'sent' });
    await d.s.queues.deliver('email').pause();
    const v = validateAnnouncement(d.s.producer.schema, { ...ANNOUNCEMENT, body: { ...ANNOUNCEMENT.body, en: 'Open **09:00–16:00**.' } });
    if (!v.ok) throw new Error(JSON.stringify(v.issues));
    const r = await d.s.corrector.edit(id, v.value, { by: 'Lin Wei', notice: { en: 'Correction: we close at 16:00.' } });
    expect(r).toMatchObject({ ok: true, revision: 2 });

    await signInWithToken(page, d.url, LIBRARIAN_TOKEN);
    await page.goto(`${d.url}/admin/announcements/${id}`);
    await page.waitForFunction("document.documentElement.dataset.live === 'open'");
    const email = page.locator('section.correction[data-revision="2"] .progress[data-channel="email"]');
    await expect.poll(() => email.locator('[data-n="total"]').textContent(), { timeout: 20_000 }).toBe('3');
    expect(await email.locator('[data-n="sent"]').textContent()).toBe('0');
    const state = page.locator('section.correction [data-role="cor-state"]');
    expect(await state.textContent()).toBe('Still going out…');
    const marker = await page.evaluate('window.__marker = "same page"');
    expect(marker).toBe('same page');

    await d.s.queues.deliver('email').resume();
    await expect.poll(() => email.locator('[data-n="sent"]').textContent(), { timeout: 20_000 }).toBe('3');
    await expect.poll(() => state.textContent(), { timeout: 20_000 }).toBe('Finished.');
    expect(await email.locator('[data-n="pct"]').textContent()).toBe('100%');
    expect(await page.evaluate('window.__marker')).toBe('same page'); // updated in place, not reloaded
  }, 60_000);
});
