// The dashboard in a real browser: Chromium driven by playwright-core, against the real HTTP
// server and workers, e-mail through the in-process SMTP server (5 ms a message). The browser
// comes from test/support/browser.ts (npm install brings one); these tests fail, never skip,
// when none launches.
import { createServer, type Server } from 'node:http';
import type { BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_CSP } from '../../src/admin/index.js';
import { redisUrl, startSmtp, type TestSmtp } from '../support/harness.js';
import {
  ADMIN_TOKEN, addSubscribers, dashboardConfig, launchChromium, LIBRARIAN_TOKEN, postAnnouncement, signInWithToken, startDashboard, type Dashboard,
} from './support.js';

const BOUNCED = 'moved.away@example.edu';
const BUSY = 'full.mailbox@example.edu';

let smtp: TestSmtp;
let d: Dashboard;
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
let context: BrowserContext;
let page: Page;
let annId: string;
const cspMessages: string[] = [];
const pageErrors: string[] = [];

function watch(p: Page): Page {
  p.on('console', (m: ConsoleMessage) => {
    if (/Content Security Policy|Content-Security-Policy/i.test(m.text())) cspMessages.push(`${p.url()}: ${m.text()}`);
  });
  p.on('pageerror', (e) => pageErrors.push(`${p.url()}: ${e.message}`));
  return p;
}

const signIn = (token: string): Promise<void> => signInWithToken(page, d.url, token);

const text = (selector: string) => page.locator(selector).first().textContent();

// A missing browser must fail every test with its message (a throwing beforeAll would only
// mark them skipped): the error is kept and rethrown by each test.
let setupError: Error | undefined;
function ready(): void {
  if (setupError) throw setupError;
}

beforeAll(async () => {
  try {
    await setup();
  } catch (err) {
    setupError = err as Error;
  }
}, 60_000);

async function setup(): Promise<void> {
  smtp = await startSmtp({ delayMs: 5 });
  d = await startDashboard(dashboardConfig(redisUrl(), smtp.url, { perSecond: 150 }));
  await d.s.subscribers.upsert({ channel: 'email', address: BOUNCED, topics: ['*'], language: 'en', status: 'active' });
  await d.s.subscribers.upsert({ channel: 'email', address: BUSY, topics: ['hours'], language: 'zh', status: 'active' });
  await addSubscribers(d.s, 298);
  smtp.replies.set(BOUNCED, '550 5.1.1 No such user here');
  smtp.replies.set(BUSY, '452 4.2.2 Mailbox full');
  browser = await launchChromium();
  context = browser.context;
  // Init scripts run outside the page's CSP: a record of every violation the browser reports.
  await context.addInitScript(
    "document.addEventListener('securitypolicyviolation', (e) => { (window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI); });",
  );
  page = watch(context.pages()[0] ?? (await context.newPage()));
}

afterAll(async () => {
  await browser?.close();
  await d?.close();
  await smtp?.close();
});

describe('the dashboard in a browser', () => {
  it('signs in, and shows an announcement posted through the API reach 100% live, without a reload', async () => {
    ready();
    const first = await page.goto(`${d.url}/admin`);
    expect(page.url()).toBe(`${d.url}/admin/login`);
    expect(first!.headers()['content-security-policy']).toBe(ADMIN_CSP);
    await signIn(ADMIN_TOKEN);
    await page.waitForFunction("document.documentElement.dataset.live === 'open'");

    let navigations = 0;
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) navigations += 1;
    });
    // A marker that a reload would wipe, and a record of every percentage the bar showed.
    await page.evaluate(`window.__marker = 'still-here'; window.__pcts = [];
      new MutationObserver(() => document.querySelectorAll('.progress[data-channel="email"] [data-n="pct"]').forEach((el) => window.__pcts.push(el.textContent)))
        .observe(document.getElementById('anns'), { subtree: true, childList: true, characterData: true });`);

    annId = await postAnnouncement(d.url);
    const row = page.locator(`[data-ann="${annId}"]`);
    await row.waitFor({ timeout: 15_000 }); // inserted by the page script
    const email = row.locator('.progress[data-channel="email"]');
    await expect.poll(() => email.locator('[data-n="pct"]').textContent(), { timeout: 30_000 }).toBe('100%');
    await expect.poll(() => row.locator('[data-role="status"]').textContent(), { timeout: 15_000 }).toBe('done with failures');
    expect(await email.locator('[data-n="sent"]').textContent()).toBe('298');
    expect(await email.locator('[data-n="failed"]').textContent()).toBe('2');
    expect(await email.locator('[data-n="total"]').textContent()).toBe('300');
    expect(await email.locator('rect[data-seg="sent"]').getAttribute('width')).toBe('993');
    expect(await row.locator('.progress[data-channel="rss"] [data-n="pct"]').textContent()).toBe('100%');

    const pcts = (await page.evaluate('window.__pcts')) as string[];
    expect(pcts.some((p) => p !== '0%' && p !== '100%'), `percentages seen: ${pcts.join(' ')}`).toBe(true);
    expect(await page.evaluate('window.__marker')).toBe('still-here');
    expect(navigations).toBe(0);
  }, 60_000);

  it('shows each failure\'s reason on the announcement\'s page, and a retry from the page sends it', async () => {
    ready();
    await Promise.all([page.waitForURL(`${d.url}/admin/announcements/${annId}`), page.click(`[data-ann="${annId}"] h2 a`)]);
    await Promise.all([page.waitForURL(/status=failed/), page.click('text=Failures only')]);
    const bounced = page.locator('#log tr', { hasText: BOUNCED });
    const busy = page.locator('#log tr', { hasText: BUSY });
    expect(await bounced.locator('.reason').textContent()).toContain('bounced: 550 5.1.1 No such user here');
    expect(await bounced.locator('.badge.gone').count()).toBe(1);
    expect(await busy.locator('.reason').textContent()).toMatch(/452 4\.2\.2 Mailbox full \(gave up after 3 attempts\)/);
    expect(await busy.locator('[data-label="Attempts"]').textContent()).toBe('3');
    // Markup in the announcement is text in the renderings, never a live element.
    expect(await page.locator('details.render pre', { hasText: '<script>alert(1)</script>' }).count()).toBeGreaterThan(0);
    expect(await page.evaluate("document.querySelectorAll('script:not([src])').length")).toBe(0);

    smtp.replies.delete(BUSY); // the mailbox has room again
    page.once('dialog', (dialog) => void dialog.accept());
    await Promise.all([page.waitForURL(/msg=retried-1/), page.click('button:has-text("Retry 2 failed")')]);
    expect(page.url()).toContain('status=failed');
    expect(await text('.flash')).toBe('Re-queued 1 failed delivery.');
    // Live, without a reload: the bar and the failures-only log catch up.
    const email = page.locator('article.card .progress[data-channel="email"]');
    await expect.poll(() => email.locator('[data-n="sent"]').textContent(), { timeout: 15_000 }).toBe('299');
    expect(await email.locator('[data-n="failed"]').textContent()).toBe('1');
    await expect.poll(() => page.locator('#log tr', { hasText: BUSY }).count(), { timeout: 5_000 }).toBe(0);
    expect(await page.locator('#log tr', { hasText: BOUNCED }).count()).toBe(1);
    const rec = [...(await d.s.deliveries.list(annId, ['email'], { limit: 500 })).items].find((r) => r.address === BUSY)!;
    expect(rec).toMatchObject({ status: 'sent', attempts: 4 });
  }, 60_000);

  it('refuses a POST without the CSRF token, and one from another site even with it', async () => {
    ready();
    const bare = await page.evaluate(`fetch('/admin/announcements/${annId}/retry', { method: 'POST' }).then((r) => r.status)`);
    expect(bare).toBe(403);
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    // Another origin on the same host (same site, so the SameSite cookie goes along) posts a form.
    const evil: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<form method="post" action="${d.url}/admin/channels/email/pause"><input type="hidden" name="_csrf" value="${csrf}"><button id="go">win a prize</button></form>`);
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', () => r()));
    try {
      const other = watch(await context.newPage());
      await other.goto(`http://127.0.0.1:${(evil.address() as { port: number }).port}/`);
      const [res] = await Promise.all([other.waitForResponse((r) => r.url().endsWith('/pause')), other.click('#go')]);
      expect(res.status()).toBe(403);
      await other.close();
    } finally {
      evil.close();
    }
    expect(await d.s.queues.deliver('email').isPaused()).toBe(false);
    const ok = await page.evaluate(`fetch('/admin/channels/email/pause', { method: 'POST', headers: { 'X-CSRF-Token': ${JSON.stringify(csrf)} }, redirect: 'manual' }).then((r) => r.type)`);
    expect(ok).toBe('opaqueredirect'); // 303: done
    expect(await d.s.queues.deliver('email').isPaused()).toBe(true);
    await d.s.queues.deliver('email').resume();
  }, 30_000);

  it('loads bull-board under its CSP for an admin', async () => {
    ready();
    const res = await page.goto(`${d.url}/admin/queues/`);
    expect(res!.status()).toBe(200);
    expect(res!.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('text=deliver-email').first().waitFor({ timeout: 15_000 });
    // Its axios sends the XSRF-TOKEN cookie back as X-XSRF-TOKEN: the session's CSRF token.
    const put = (header: boolean) =>
      page.evaluate(`fetch('/admin/queues/api/queues/deliver-rss/pause', { method: 'PUT', headers: ${header ? "{ 'X-XSRF-TOKEN': decodeURIComponent(document.cookie.match(/XSRF-TOKEN=([^;]+)/)[1]) }" : '{}'} }).then((r) => r.status)`);
    expect(await put(false)).toBe(403);
    expect(await d.s.queues.deliver('rss').isPaused()).toBe(false);
    expect(await put(true)).toBe(200);
    expect(await d.s.queues.deliver('rss').isPaused()).toBe(true);
    await d.s.queues.deliver('rss').resume();
  }, 30_000);

  it('gives a librarian no retry or pause button and refuses a forged admin action', async () => {
    ready();
    await page.goto(`${d.url}/admin`);
    await Promise.all([page.waitForURL(/\/admin\/login/), page.click('nav.top button:has-text("Sign out")')]);
    await signIn(LIBRARIAN_TOKEN);
    expect(await page.locator('nav.top a[href="/admin/queues-overview"]').count()).toBe(0);
    await page.goto(`${d.url}/admin/announcements/${annId}`);
    expect(await page.locator('#log').count()).toBe(1);
    expect(await page.locator('button:has-text("Retry")').count()).toBe(0);
    expect(await page.locator('button:has-text("Pause")').count()).toBe(0);
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    const forged = await page.evaluate(`fetch('/admin/announcements/${annId}/retry', { method: 'POST', headers: { 'X-CSRF-Token': ${JSON.stringify(csrf)} } }).then((r) => r.status)`);
    expect(forged).toBe(403);
    expect((await page.goto(`${d.url}/admin/queues-overview`))!.status()).toBe(403);
    expect((await page.goto(`${d.url}/admin/queues/`))!.status()).toBe(403);
  }, 30_000);

  it('saw no CSP violation and no script error on any page', async () => {
    ready();
    for (const p of context.pages()) expect((await p.evaluate('window.__csp || []')) as string[], p.url()).toEqual([]);
    expect(cspMessages).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
