// The dashboard's doors: sign-in, session cookie, CSP, CSRF and the role matrix (app.inject).
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateAnnouncement } from '../../src/announcement/schema.js';
import { ADMIN_CSP, BULL_BOARD_CSP } from '../../src/admin/index.js';
import { ADMIN_TOKEN, LIBRARIAN_TOKEN } from '../support/harness.js';
import { httpEnv, storedKeys, type HttpEnv } from '../http/helpers.js';
import { cookiesOf, form, injectSignIn, setCookieHeader, type InjectedSession } from './support.js';

let env: HttpEnv;
let annId: string;

async function seedAnnouncement(): Promise<string> {
  const v = validateAnnouncement(env.s.producer.schema, { title: { en: 'Closed <b>Monday</b>' }, body: { en: 'Body' }, topics: ['hours'], channels: ['email'] });
  if (!v.ok) throw new Error('bad fixture');
  const { id } = await env.s.producer.create(v.value, { createdBy: 'test' });
  // A failed delivery, without workers: enqueue then fail it through the log.
  await env.s.deliveries.enqueueMany(id, 'email', [{ id: 'r1', address: 'r1@example.edu', language: 'en' }]);
  await env.s.deliveries.transition(id, 'email', 'r1', 'failed', ['queued'], { error: 'SMTP temporary failure: 451 try later (gave up after 3 attempts)' });
  return id;
}

const get = (url: string, sess?: InjectedSession, headers: Record<string, string> = {}) =>
  env.app.inject({ method: 'GET', url, headers: { accept: 'text/html', ...(sess ? { cookie: sess.cookie } : {}), ...headers } });

const post = (url: string, sess: InjectedSession | undefined, fields: Record<string, string>, headers: Record<string, string> = {}) => {
  const f = form(fields);
  return env.app.inject({ method: 'POST', url, payload: f.payload, headers: { ...f.headers, ...(sess ? { cookie: sess.cookie } : {}), ...headers } });
};

beforeEach(async () => {
  env = await httpEnv();
  annId = await seedAnnouncement();
});

afterEach(async () => {
  await env.dispose();
});

describe('dashboard sign-in', () => {
  it('sends a visitor without a session to the sign-in page, and answers 401 to scripts', async () => {
    const home = await get('/admin');
    expect(home.statusCode).toBe(303);
    expect(home.headers.location).toBe('/admin/login');
    const page = await get(`/admin/announcements/${annId}`);
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe(`/admin/login?next=${encodeURIComponent(`/admin/announcements/${annId}`)}`);
    for (const url of [`/admin/api/announcements/${annId}/summary`, '/admin/events', '/admin/queues/api/queues']) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(401);
      expect(r.json().error).toBe('unauthorized');
    }
    for (const url of ['/admin/queues/', '/admin/queues-overview', '/admin/subscribers', '/admin/no-such-page']) {
      expect((await get(url)).statusCode, url).toBe(303);
    }
    expect((await post(`/admin/announcements/${annId}/retry`, undefined, {})).statusCode).toBe(401);
    const login = await get('/admin/login');
    expect(login.statusCode).toBe(200);
    expect(login.body).toContain('name="token"');
  });

  it('signs in with a token into an HttpOnly, SameSite=Strict cookie whose id Redis keeps only hashed', async () => {
    const form1 = await get('/admin/login');
    const nonce = /name="_login" value="([^"]+)"/.exec(form1.body)![1];
    const res = await post('/admin/login', undefined, { _login: nonce, token: ADMIN_TOKEN, next: '/admin/queues-overview' }, { cookie: `crier_login=${cookiesOf(form1).crier_login}` });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/queues-overview');
    const set = setCookieHeader(res, 'crier_session')!;
    expect(set).toMatch(/; Max-Age=43200/);
    expect(set).toMatch(/; Path=\/admin(;|$)/);
    expect(set).toMatch(/; HttpOnly/);
    expect(set).toMatch(/; SameSite=Strict/);
    expect(set).not.toMatch(/Secure/);
    const id = cookiesOf(res).crier_session;
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const keys = await storedKeys(env.s);
    const hashed = env.s.keys.adminSession(createHash('sha256').update(id).digest('hex'));
    expect(keys).toContain(hashed);
    expect(keys.some((k) => k.includes(id))).toBe(false);
    const ttl = await env.s.redis.ttl(hashed);
    expect(ttl).toBeGreaterThan(43_000);
    expect(ttl).toBeLessThanOrEqual(43_200);
  });

  it('marks the cookie Secure behind a trusted https proxy (X-Forwarded-Proto) and when baseUrl is https', async () => {
    // Without server.trustProxy the header is anyone's to send: it changes nothing.
    const untrusted = await get('/admin/login', undefined, { 'x-forwarded-proto': 'https' });
    expect(setCookieHeader(untrusted, 'crier_login')).not.toMatch(/Secure/);

    const proxied = await httpEnv({ server: { trustProxy: true } });
    try {
      const viaProxy = await proxied.app.inject({ method: 'GET', url: '/admin/login', headers: { 'x-forwarded-proto': 'https' } });
      expect(setCookieHeader(viaProxy, 'crier_login')).toMatch(/; Secure/);
      const nonce = /name="_login" value="([^"]+)"/.exec(viaProxy.body)![1];
      const f = form({ _login: nonce, token: ADMIN_TOKEN });
      const res = await proxied.app.inject({
        method: 'POST', url: '/admin/login', payload: f.payload,
        headers: { ...f.headers, cookie: `crier_login=${cookiesOf(viaProxy).crier_login}`, 'x-forwarded-proto': 'https' },
      });
      expect(setCookieHeader(res, 'crier_session')).toMatch(/; Secure/);
    } finally {
      await proxied.dispose();
    }

    const httpsEnv = await httpEnv({ library: { baseUrl: 'https://library.example.edu/crier' } });
    try {
      const r = await httpsEnv.app.inject({ method: 'GET', url: '/admin/login' });
      expect(setCookieHeader(r, 'crier_login')).toMatch(/; Secure/);
    } finally {
      await httpsEnv.dispose();
    }
  });

  it('refuses a wrong token without echoing it, a form without its nonce, and too many tries', async () => {
    const f = await get('/admin/login');
    const nonce = /name="_login" value="([^"]+)"/.exec(f.body)![1];
    const cookie = `crier_login=${cookiesOf(f).crier_login}`;
    const wrong = await post('/admin/login', undefined, { _login: nonce, token: 'not-the-token-at-all-xyz' }, { cookie });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('That token is not valid.');
    expect(wrong.body).not.toContain('not-the-token-at-all-xyz');
    expect(setCookieHeader(wrong, 'crier_session')).toBeUndefined();
    const noNonce = await post('/admin/login', undefined, { token: ADMIN_TOKEN }, { cookie });
    expect(noNonce.statusCode).toBe(403);
    expect(setCookieHeader(noNonce, 'crier_session')).toBeUndefined();
    for (let i = 0; i < 19; i++) await post('/admin/login', undefined, { _login: nonce, token: `wrong-${i}-0000000000000000` }, { cookie });
    const limited = await post('/admin/login', undefined, { _login: nonce, token: ADMIN_TOKEN }, { cookie });
    expect(limited.statusCode).toBe(429);
  });

  it('signs out: the session is gone from Redis and the cookie is cleared', async () => {
    const sess = await injectSignIn(env.app, ADMIN_TOKEN);
    const out = await post('/admin/logout', sess, { _csrf: sess.csrf });
    expect(out.statusCode).toBe(303);
    expect(setCookieHeader(out, 'crier_session')).toMatch(/Max-Age=0/);
    expect((await storedKeys(env.s)).some((k) => k.includes(':admsess:'))).toBe(false);
    expect((await get('/admin', sess)).statusCode).toBe(303);
  });
});

describe('dashboard headers', () => {
  it('puts the strict CSP (no inline script or style) on every /admin response', async () => {
    expect(ADMIN_CSP).toBe("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
    const sess = await injectSignIn(env.app, ADMIN_TOKEN);
    const urls = ['/admin/login', '/admin', `/admin/announcements/${annId}`, `/admin/announcements/${annId}/edit`, `/admin/announcements/${annId}/retract`, '/admin/queues-overview', '/admin/subscribers', '/admin/assets/admin.css', '/admin/assets/live.js', '/admin/nope', `/admin/api/announcements/${annId}/summary`];
    for (const url of urls) {
      const r = await get(url, sess);
      expect(r.headers['content-security-policy'], url).toBe(ADMIN_CSP);
      expect(r.headers['x-content-type-options'], url).toBe('nosniff');
      expect(r.headers['x-frame-options'], url).toBe('DENY');
      expect(r.body, url).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|<style/i);
      expect(r.body, url).not.toContain(ADMIN_TOKEN);
      expect(r.body, url).not.toContain(LIBRARIAN_TOKEN);
    }
    expect((await get('/admin')).headers['content-security-policy']).toBe(ADMIN_CSP); // the redirect too
    const bull = await get('/admin/queues/', sess);
    expect(bull.statusCode).toBe(200);
    expect(bull.headers['content-security-policy']).toBe(BULL_BOARD_CSP);
    expect(BULL_BOARD_CSP).toContain("script-src 'self';");
    expect(bull.body).not.toContain('fonts.googleapis.com');
  });

  it('escapes what an announcement says', async () => {
    const sess = await injectSignIn(env.app, ADMIN_TOKEN);
    for (const url of ['/admin', `/admin/announcements/${annId}`, `/admin/announcements/${annId}/edit`, `/admin/announcements/${annId}/retract`]) {
      const body = (await get(url, sess)).body;
      expect(body).toContain('Closed &lt;b&gt;Monday&lt;/b&gt;');
      expect(body).not.toContain('<b>Monday</b>');
    }
  });
});

describe('CSRF and roles', () => {
  it('refuses a POST without the session token, with a wrong one, or from another site', async () => {
    const sess = await injectSignIn(env.app, ADMIN_TOKEN);
    const url = `/admin/announcements/${annId}/retry`;
    for (const [fields, headers] of [
      [{}, {}],
      [{ _csrf: 'forged' }, {}],
      [{ _csrf: sess.csrf }, { origin: 'https://evil.example' }],
      [{ _csrf: sess.csrf }, { 'sec-fetch-site': 'cross-site' }],
      [{ _csrf: sess.csrf }, { 'sec-fetch-site': 'same-site' }],
    ] as [Record<string, string>, Record<string, string>][]) {
      const r = await post(url, sess, fields, headers);
      expect(r.statusCode, JSON.stringify([fields, headers])).toBe(403);
    }
    expect((await env.s.deliveries.get(annId, 'email', 'r1'))!.status).toBe('failed');
    // The correction forms: the same door.
    for (const form of ['edit', 'retract']) {
      for (const fields of [{}, { _csrf: 'forged' }] as Record<string, string>[]) {
        expect((await post(`/admin/announcements/${annId}/${form}`, sess, { ...fields, 'title.en': 'Changed', 'body.en': 'b', topics: 'hours' })).statusCode, form).toBe(403);
      }
    }
    const unchanged = (await env.s.announcements.get(annId))!;
    expect([unchanged.status, unchanged.revision ?? 1, unchanged.title.en]).toEqual(['queued', 1, 'Closed <b>Monday</b>']);
    const ok = await post(url, sess, { _csrf: sess.csrf }, { origin: 'http://crier.test', 'sec-fetch-site': 'same-origin' });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe(`/admin/announcements/${annId}?msg=retried-1`);
    expect((await env.s.deliveries.get(annId, 'email', 'r1'))!.status).toBe('queued');
  });

  it('accepts the token in the X-CSRF-Token header (page scripts)', async () => {
    const sess = await injectSignIn(env.app, ADMIN_TOKEN);
    const r = await env.app.inject({ method: 'POST', url: '/admin/channels/email/pause', headers: { cookie: sess.cookie, 'x-csrf-token': sess.csrf } });
    expect(r.statusCode).toBe(303);
    expect(await env.s.queues.deliver('email').isPaused()).toBe(true);
  });

  it('shows a librarian the announcements but no admin action, and refuses those actions', async () => {
    const lib = await injectSignIn(env.app, LIBRARIAN_TOKEN);
    expect((await get('/admin', lib)).statusCode).toBe(200);
    const page = await get(`/admin/announcements/${annId}`, lib);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('451 try later');
    expect(page.body).not.toContain('/retry');
    expect(page.body).not.toContain('/pause');
    expect(page.body).toContain('/cancel'); // librarians may cancel, as in the API
    for (const url of ['/admin/queues-overview', '/admin/subscribers', '/admin/queues/', '/admin/queues/api/queues']) {
      expect((await get(url, lib)).statusCode, url).toBe(403);
    }
    expect((await post(`/admin/announcements/${annId}/retry`, lib, { _csrf: lib.csrf })).statusCode).toBe(403);
    expect((await post('/admin/channels/email/pause', lib, { _csrf: lib.csrf })).statusCode).toBe(403);
    expect((await env.s.deliveries.get(annId, 'email', 'r1'))!.status).toBe('failed');
    expect(await env.s.queues.deliver('email').isPaused()).toBe(false);
  });

  it('pauses and resumes a channel\'s delivery queue and shows the state', async () => {
    const sess = await injectSignIn(env.app, ADMIN_TOKEN);
    const q = env.s.queues.deliver('email');
    const paused = await post('/admin/channels/email/pause', sess, { _csrf: sess.csrf, back: '/admin/queues-overview' });
    expect(paused.headers.location).toBe('/admin/queues-overview?msg=paused-email');
    expect(await q.isPaused()).toBe(true);
    const overview = await get('/admin/queues-overview?msg=paused-email', sess);
    expect(overview.body).toMatch(/data-queue="deliver-email"[\s\S]*?badge paused/);
    expect(overview.body).toContain('Channel email paused.');
    expect((await get(`/admin/announcements/${annId}`, sess)).body).toContain('Resume E-mail');
    await post('/admin/channels/email/resume', sess, { _csrf: sess.csrf, back: 'https://evil.example/' }).then((r) => expect(r.headers.location).toBe('/admin?msg=resumed-email'));
    expect(await q.isPaused()).toBe(false);
    expect((await post('/admin/channels/nope/pause', sess, { _csrf: sess.csrf })).statusCode).toBe(404);
  });

  it('cancels a scheduled announcement from its page', async () => {
    const v = validateAnnouncement(env.s.producer.schema, { title: { en: 'Later' }, body: { en: 'b' }, topics: ['events'], publishAt: new Date(Date.now() + 86_400_000).toISOString() });
    if (!v.ok) throw new Error('bad fixture');
    const { id } = await env.s.producer.create(v.value, { createdBy: 'test' });
    const lib = await injectSignIn(env.app, LIBRARIAN_TOKEN);
    const r = await post(`/admin/announcements/${id}/cancel`, lib, { _csrf: lib.csrf });
    expect(r.headers.location).toBe(`/admin/announcements/${id}?msg=cancelled`);
    expect(await env.s.announcements.status(id)).toBe('cancelled');
    const again = await post(`/admin/announcements/${id}/cancel`, lib, { _csrf: lib.csrf });
    expect(again.headers.location).toBe(`/admin/announcements/${id}?msg=not-cancellable`);
  });
});
