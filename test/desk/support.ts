// Shared by the desk tests: services with e-mail through the in-process SMTP server, the app,
// accounts made directly in the store, and sign-in with an e-mail address and password.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { AccountStore } from '../../src/accounts/store.js';
import type { Role } from '../../src/http/auth.js';
import { createServices, type Services } from '../../src/services.js';
import { createLogger } from '../../src/util/log.js';
import { disposeServices, startSmtp, testConfig, testServices, type TestSmtp } from '../support/harness.js';
import { cookiesOf, form, type InjectedSession } from '../admin/support.js';

export interface DeskEnv {
  s: Services;
  app: FastifyInstance;
  smtp: TestSmtp;
  accounts: AccountStore;
  dispose(): Promise<void>;
}

export async function deskEnv(extra: Record<string, unknown> = {}, opts: { logLines?: string[] } = {}): Promise<DeskEnv> {
  const smtp = await startSmtp();
  const config = testConfig({ library: { baseUrl: 'http://crier.test', timezone: 'Asia/Shanghai' }, channels: { email: { enabled: true, smtpUrl: smtp.url }, rss: { enabled: true } }, ...extra });
  // With logLines, every log line at debug level and up is kept there (to look for secrets).
  const s = opts.logLines ? createServices(config, { log: createLogger('crier', 'debug', (l) => void opts.logLines!.push(l)) }) : testServices(config);
  const app = await buildApp(s);
  return {
    s, app, smtp, accounts: new AccountStore(s.redis, s.keys),
    async dispose() {
      await app.close();
      await disposeServices(s);
      await smtp.close();
    },
  };
}

export const PASSWORD = 'correct horse battery staple';

export async function makeAccount(env: DeskEnv, name: string, email: string, role: Role, password = PASSWORD) {
  const a = await env.accounts.create({ name, email, role, createdBy: 'test' });
  await env.accounts.setPassword(a.id, password);
  return a;
}

/** GET /admin/login's nonce and cookie, then POST the fields; the raw answer. */
export async function postLogin(app: FastifyInstance, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  const page = await app.inject({ method: 'GET', url: '/admin/login', headers });
  const nonce = /name="_login" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const f = form({ _login: nonce, next: '/admin', ...fields });
  return app.inject({ method: 'POST', url: '/admin/login', payload: f.payload, headers: { ...headers, ...f.headers, cookie: `crier_login=${cookiesOf(page).crier_login}` } });
}

export async function signInAs(app: FastifyInstance, email: string, password = PASSWORD): Promise<InjectedSession> {
  const res = await postLogin(app, { email, password });
  if (res.statusCode !== 303) throw new Error(`sign-in answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
  const cookie = `crier_session=${cookiesOf(res).crier_session}`;
  const page = await app.inject({ method: 'GET', url: '/admin/compose', headers: { cookie, accept: 'text/html' } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  if (!csrf) throw new Error(`no CSRF token on the compose page (${page.statusCode})`);
  return { cookie, csrf };
}

export function getPage(app: FastifyInstance, url: string, sess?: InjectedSession) {
  return app.inject({ method: 'GET', url, headers: { accept: 'text/html', ...(sess ? { cookie: sess.cookie } : {}) } });
}

/** A form POST with the session's cookie and CSRF token; fields may repeat (topics, channels). */
export function postForm(app: FastifyInstance, url: string, sess: InjectedSession | undefined, fields: Record<string, string | string[]>, accept = 'text/html') {
  const body = new URLSearchParams();
  if (sess) body.append('_csrf', sess.csrf);
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
  return app.inject({
    method: 'POST', url, payload: body.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept, ...(sess ? { cookie: sess.cookie } : {}) },
  });
}

export const BILINGUAL = {
  'title.zh': '周末自习室延长开放',
  'title.en': 'Study rooms open longer at weekends',
  'body.zh': '从本周六起，**二楼自习室**开放至 23:00。',
  'body.en': 'From this Saturday the **second-floor study rooms** stay open until 23:00.',
  topics: ['hours'],
  channels: ['email', 'rss'],
};
