// Shared by the dashboard tests and the screenshot script: a real HTTP server and workers on a
// configuration with e-mail through the in-process SMTP server, subscribers, a browser.
// Nothing here calls vitest's inject(), so the screenshot script can use it outside vitest.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Page } from 'playwright-core';
import { configSchema, type CrierConfig } from '../../src/config/schema.js';
import { startHttpServer, type RunningHttpServer } from '../../src/http/app.js';
import { createServices, type Services } from '../../src/services.js';
import { silentLogger } from '../../src/util/log.js';
import { startWorkers, type RunningWorkers } from '../../workers/index.js';
import { launchBrowser, type LaunchedBrowser, type LaunchOptions } from '../support/browser.js';
import { ADMIN_TOKEN, deletePrefix, LIBRARIAN_TOKEN, TOPICS, uniquePrefix } from '../support/harness.js';

export { ADMIN_TOKEN, LIBRARIAN_TOKEN };

export function dashboardConfig(redisUrl: string, smtpUrl: string, extra: { perSecond?: number; prefix?: string } = {}): CrierConfig {
  return configSchema.parse({
    library: { baseUrl: 'http://crier.test', timezone: 'Asia/Shanghai' },
    server: { host: '127.0.0.1', port: 0 },
    redis: { url: redisUrl, prefix: extra.prefix ?? uniquePrefix('adm') },
    auth: {
      tokens: [
        { name: 'systems', role: 'admin', token: ADMIN_TOKEN },
        { name: 'circulation-desk', role: 'librarian', token: LIBRARIAN_TOKEN },
      ],
    },
    topics: TOPICS,
    channels: { email: { enabled: true, smtpUrl, perSecond: extra.perSecond ?? 150, poolSize: 5 }, rss: { enabled: true } },
    delivery: { attempts: 3, backoffMs: 20, batchSize: 10, pageSize: 100 },
  });
}

export interface Dashboard {
  s: Services;
  http: RunningHttpServer;
  workers: RunningWorkers;
  url: string;
  close(): Promise<void>;
}

export async function startDashboard(config: CrierConfig): Promise<Dashboard> {
  const s = createServices(config, { log: silentLogger });
  const workers = await startWorkers(s, { concurrency: 4 });
  const http = await startHttpServer(s);
  return {
    s, http, workers, url: http.url,
    async close() {
      await http.close();
      await workers.close();
      await s.close();
      await deletePrefix(config.redis.url, config.redis.prefix);
    },
  };
}

/** `n` active e-mail subscribers to every topic: reader0001@example.edu … */
export async function addSubscribers(s: Services, n: number, opts: { domain?: string } = {}): Promise<string[]> {
  const addresses: string[] = [];
  for (let i = 1; i <= n; i++) addresses.push(`reader${String(i).padStart(4, '0')}@${opts.domain ?? 'example.edu'}`);
  for (let i = 0; i < addresses.length; i += 50) {
    await Promise.all(
      addresses.slice(i, i + 50).map((address, j) =>
        s.subscribers.upsert({ channel: 'email', address, topics: ['*'], language: (['en', 'zh', 'both'] as const)[(i + j) % 3], status: 'active' }),
      ),
    );
  }
  return addresses;
}

export const ANNOUNCEMENT = {
  title: { en: 'Opening hours during the National Day holiday', zh: '国庆假期图书馆开放时间调整' },
  body: {
    en: 'From **1 to 7 October** the Central Library opens **09:00–17:00**.\n\n<script>alert(1)</script> stays text.',
    zh: '**10月1日至7日**，总馆开放时间调整为 **09:00–17:00**。',
  },
  topics: ['hours'],
  link: 'https://library.example.edu/news/national-day-hours',
};

/** POST /api/announcements over real HTTP with a bearer token; returns the id. */
export async function postAnnouncement(url: string, body: unknown = ANNOUNCEMENT, token = ADMIN_TOKEN): Promise<string> {
  const res = await fetch(`${url}/api/announcements`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 202) throw new Error(`POST /api/announcements answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** Signs in with an API token through the sign-in page's folded token form. */
export async function signInWithToken(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/admin/login`);
  await page.click('details.token-signin summary');
  await page.fill('#token', token);
  await Promise.all([page.waitForURL(`${baseUrl}/admin`), page.click('#token-form button[type=submit]')]);
}

/** A real Chromium (see test/support/browser.ts for where it comes from). */
export const launchChromium = (opts: LaunchOptions = {}): Promise<LaunchedBrowser> => launchBrowser(opts);

// ---- app.inject helpers --------------------------------------------------------------------

/** Cookies of a response as name → value (only the name=value part). */
export function cookiesOf(res: LightMyRequestResponse): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = res.headers['set-cookie'];
  for (const c of Array.isArray(raw) ? raw : raw ? [raw] : []) {
    const [pair] = c.split(';');
    const i = pair.indexOf('=');
    out[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return out;
}

export function setCookieHeader(res: LightMyRequestResponse, name: string): string | undefined {
  const raw = res.headers['set-cookie'];
  return (Array.isArray(raw) ? raw : raw ? [raw] : []).find((c) => c.startsWith(`${name}=`));
}

export interface InjectedSession {
  cookie: string;
  csrf: string;
}

/** Signs in through the form with app.inject; returns the cookie header and the CSRF token. */
export async function injectSignIn(app: FastifyInstance, token: string, headers: Record<string, string> = {}): Promise<InjectedSession> {
  const form = await app.inject({ method: 'GET', url: '/admin/login', headers });
  const nonce = /name="_login" value="([^"]+)"/.exec(form.body)?.[1];
  const loginCookie = cookiesOf(form).crier_login;
  const res = await app.inject({
    method: 'POST', url: '/admin/login',
    headers: { ...headers, cookie: `crier_login=${loginCookie}`, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _login: nonce ?? '', token, next: '/admin' }).toString(),
  });
  if (res.statusCode !== 303) throw new Error(`sign-in answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
  const cookie = `crier_session=${cookiesOf(res).crier_session}`;
  const page = await app.inject({ method: 'GET', url: '/admin', headers: { cookie, accept: 'text/html' } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  if (!csrf) throw new Error('no CSRF token on the dashboard page');
  return { cookie, csrf };
}

export function form(fields: Record<string, string>): { payload: string; headers: Record<string, string> } {
  return { payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
}
