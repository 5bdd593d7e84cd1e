// Issue 15: one access matrix. EVERY route the app registers (with every channel on, so the
// Telegram webhook and each channel's queue in bull-board exist) × every kind of caller, from
// ONE table below. The test fails when a registered route has no row (a new route cannot skip
// its door) and when a row names a route that no longer exists.
//
// Adding a route: one line in ROUTES, e.g.  'POST /admin/things/:id/frob': desk(REVIEW),
//
// Outcomes: 'ok' = the door opened (anything but 401/403/a redirect to the sign-in page/5xx;
// a 400 or 404 for the dummy id proves the request got past the checks), 401, 403 (a role
// refused), 'csrf' (403 from the CSRF / cross-site check), 'login' (303 to /admin/login),
// 'drafts' (a contributor's home: 303 to /admin/drafts), 'signedOut' (303 to the sign-in page's
// "signed out" note). A GET row is also tried as HEAD, where the dashboard redirects nobody:
// 'login' is then 401 and 'drafts' 403 (closed either way).
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TELEGRAM_WEBHOOK_PATH } from '../../channels/telegram/bot/index.js';
import { AccountStore } from '../../src/accounts/store.js';
import { SessionStore } from '../../src/admin/session.js';
import { buildApp } from '../../src/http/app.js';
import type { Role } from '../../src/http/auth.js';
import type { Services } from '../../src/services.js';
import { ADMIN_TOKEN, disposeServices, LIBRARIAN_TOKEN, testConfig, testServices } from '../support/harness.js';

const IDENTITIES = ['anonymous', 'badToken', 'contributor', 'librarian', 'admin', 'expired', 'crossSite'] as const;
type Identity = (typeof IDENTITIES)[number];
type Outcome = 'ok' | 401 | 403 | 'csrf' | 'login' | 'drafts' | 'signedOut';
type Row = Record<Identity, Outcome>;

const ALL: readonly Role[] = ['contributor', 'librarian', 'admin'];
const READ: readonly Role[] = ['librarian', 'admin'];
const ADMIN: readonly Role[] = ['admin'];

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const byRole = (roles: readonly Role[], r: Role): Outcome => (roles.includes(r) ? 'ok' : 403);

/** Anyone: public pages, the feed, health (the route checks nothing of the caller). */
const open = (): Row => ({ anonymous: 'ok', badToken: 'ok', contributor: 'ok', librarian: 'ok', admin: 'ok', expired: 'ok', crossSite: 'ok' });
/** Everyone gets the same answer (the Telegram webhook: no caller here has its secret). */
const only = (o: Outcome): Row => ({ anonymous: o, badToken: o, contributor: o, librarian: o, admin: o, expired: o, crossSite: o });
/** The API: a bearer token of one of `roles`; a cookie never counts (contributors have no token). */
const api = (roles: readonly Role[]): Row => ({
  anonymous: 401, badToken: 401, contributor: 401, librarian: byRole(roles, 'librarian'), admin: byRole(roles, 'admin'), expired: 401, crossSite: 401,
});
/**
 * A dashboard/desk route needing a session of one of `roles`. Without a (live) session a page
 * (GET) redirects to the sign-in page and anything else is 401; a state-changing request from
 * another site is refused before anything else. `json`: a GET answered 401, not redirected.
 */
const desk = (roles: readonly Role[], opts: { json?: boolean } = {}) => (method: string): Row => {
  const unsafe = UNSAFE.has(method);
  const signedOut: Outcome = unsafe || opts.json ? 401 : 'login';
  return {
    anonymous: signedOut, badToken: signedOut, expired: signedOut,
    contributor: byRole(roles, 'contributor'), librarian: byRole(roles, 'librarian'), admin: byRole(roles, 'admin'),
    // The cross-site caller holds a valid admin session: reads are the admin's, writes are refused.
    crossSite: unsafe ? 'csrf' : byRole(roles, 'admin'),
  };
};
const deskJson = (roles: readonly Role[]) => desk(roles, { json: true });
/** Dashboard routes without a sign-in (sign-in page, set-password link, assets): only the cross-site check. */
const deskPublic = () => (method: string): Row => ({ ...open(), crossSite: UNSAFE.has(method) ? 'csrf' : 'ok' });

type Spec = Row | ((method: string) => Row);
interface Extra {
  /** Form fields sent with the request (besides _csrf). */
  body?: Record<string, string>;
  /** Send this JSON body instead of a form. */
  json?: unknown;
  /** A cell that differs from the profile. */
  override?: Partial<Row>;
}

// ---------------------------------------------------------------------------------------------
// THE TABLE: "METHOD /route/:param" → profile (and rarely [profile, extra]). One line a route.
// ---------------------------------------------------------------------------------------------
const ROUTES: Record<string, Spec | [Spec, Extra]> = {
  // Public pages, feed, health, metrics
  'GET /': open(),
  'GET /health': open(),
  'GET /feeds/rss.xml': open(),
  'GET /news': open(),
  'GET /news/:id': open(),
  'GET /subscribe': open(),
  'POST /subscribe': open(),
  'POST /api/subscribers': open(), // the public subscription API (double opt-in, rate-limited)
  'GET /subscriptions/confirm': open(),
  'GET /subscriptions/unsubscribe': open(),
  'POST /subscriptions/unsubscribe': open(),
  'POST /subscriptions/preferences': open(),
  'GET /subscriptions/manage': open(),
  'POST /subscriptions/manage': [open(), { override: { crossSite: 403 } }], // refuses cross-site forms itself
  'GET /metrics': api(ADMIN), // metrics.public is false in this configuration
  [`POST ${TELEGRAM_WEBHOOK_PATH}`]: [only(401), { json: {} }], // only Telegram's secret-token header opens it (tested below)

  // API (bearer tokens)
  'POST /api/announcements': api(READ),
  'GET /api/announcements': api(READ),
  'GET /api/announcements/:id': api(READ),
  'PUT /api/announcements/:id': api(READ),
  'POST /api/announcements/:id/retract': api(READ),
  'POST /api/announcements/:id/retry': api(ADMIN),
  'GET /api/announcements/:id/deliveries': api(READ),
  'POST /api/announcements/:id/cancel': api(READ),
  'GET /api/subscribers': api(ADMIN),
  'POST /api/subscribers/import': api(ADMIN),
  'GET /api/subscribers/export': api(ADMIN),
  'GET /api/subscribers/stats': api(ADMIN),
  'GET /api/subscribers/:id': api(ADMIN),
  'DELETE /api/subscribers/:id': api(ADMIN),

  // Dashboard and desk (session cookie + CSRF)
  'GET /admin': [desk(READ), { override: { contributor: 'drafts' } }],
  'GET /admin/assets/:file': deskPublic(),
  'GET /admin/login': deskPublic(),
  'POST /admin/login': [deskPublic(), { body: { token: ADMIN_TOKEN } }],
  'POST /admin/logout': [desk(ALL), { override: { contributor: 'signedOut', librarian: 'signedOut', admin: 'signedOut' } }],
  'POST /admin/language': desk(ALL),
  'GET /admin/set-password': deskPublic(),
  'POST /admin/set-password': deskPublic(),
  'GET /admin/accounts': desk(ADMIN),
  'POST /admin/accounts/invite': desk(ADMIN),
  'POST /admin/accounts/:id/role': desk(ADMIN),
  'POST /admin/accounts/:id/disable': desk(ADMIN),
  'POST /admin/accounts/:id/enable': desk(ADMIN),
  'GET /admin/compose': desk(ALL),
  'POST /admin/compose': desk(ALL),
  'POST /admin/api/compose/preview': desk(ALL),
  'POST /admin/api/compose/autosave': desk(ALL),
  'GET /admin/drafts': desk(ALL),
  'GET /admin/drafts/:id': desk(ALL),
  'POST /admin/drafts/:id/approve': desk(READ),
  'POST /admin/drafts/:id/return': desk(READ),
  'GET /admin/upcoming': desk(READ),
  'POST /admin/upcoming/:id/cancel': desk(READ),
  'POST /admin/upcoming/:id/reschedule': desk(READ),
  'GET /admin/api/announcements/:id/summary': deskJson(READ),
  'GET /admin/fragments/announcement-row/:id': desk(READ),
  'GET /admin/announcements/:id': desk(READ),
  'POST /admin/announcements/:id/retry': desk(ADMIN),
  'POST /admin/announcements/:id/cancel': desk(READ),
  'GET /admin/announcements/:id/deliveries.csv': desk(READ),
  // Corrections: librarians and admins, as for posting (permission announcements:correct).
  'GET /admin/announcements/:id/edit': desk(READ),
  'POST /admin/announcements/:id/edit': desk(READ),
  'GET /admin/announcements/:id/retract': desk(READ),
  'POST /admin/announcements/:id/retract': desk(READ),
  'POST /admin/channels/:channel/pause': desk(ADMIN),
  'POST /admin/channels/:channel/resume': desk(ADMIN),
  'GET /admin/events': deskJson(READ),
  'GET /admin/queues-overview': desk(ADMIN),
  'GET /admin/subscribers': desk(ADMIN),
  'GET /admin/subscribers/list': desk(ADMIN),
  'GET /admin/subscribers/export.csv': desk(ADMIN),
  'GET /admin/subscribers/import': desk(ADMIN),
  'POST /admin/subscribers/import': desk(ADMIN),
  'GET /admin/subscribers/:id': desk(ADMIN),
  'POST /admin/subscribers/:id/edit': desk(ADMIN),
  'POST /admin/subscribers/:id/remove': desk(ADMIN),

  // Bull Board (admin sessions only)
  'GET /admin/queues': desk(ADMIN),
  'GET /admin/queues/static/*': desk(ADMIN),
  'GET /admin/queues/metrics-history': desk(ADMIN),
  'GET /admin/queues/job-schedulers': desk(ADMIN),
  'GET /admin/queues/queue/:queueName': desk(ADMIN),
  'GET /admin/queues/queue/:queueName/:jobId': desk(ADMIN),
  'GET /admin/queues/api/redis/stats': deskJson(ADMIN),
  'GET /admin/queues/api/queues': deskJson(ADMIN),
  'GET /admin/queues/api/job-schedulers': deskJson(ADMIN),
  'PUT /admin/queues/api/queues/pause': desk(ADMIN),
  'PUT /admin/queues/api/queues/resume': desk(ADMIN),
  'GET /admin/queues/api/queues/:queueName/metrics': deskJson(ADMIN),
  'GET /admin/queues/api/queues/:queueName/default-job-options': deskJson(ADMIN),
  'GET /admin/queues/api/queues/:queueName/workers': deskJson(ADMIN),
  'GET /admin/queues/api/queues/:queueName/rate-limit': deskJson(ADMIN),
  'PUT /admin/queues/api/queues/:queueName/rate-limit': desk(ADMIN),
  'PUT /admin/queues/api/queues/:queueName/rate-limit/release': desk(ADMIN),
  'PUT /admin/queues/api/queues/:queueName/retry/:queueStatus': desk(ADMIN),
  'PUT /admin/queues/api/queues/:queueName/resume': desk(ADMIN),
  'GET /admin/queues/api/queues/:queueName/job-data-schema': deskJson(ADMIN),
  'PATCH /admin/queues/api/queues/:queueName/job-schedulers/:schedulerId': desk(ADMIN),
  'PUT /admin/queues/api/queues/:queueName/job-schedulers/:schedulerId/remove': desk(ADMIN),
  'PUT /admin/queues/api/queues/:queueName/job-schedulers/:schedulerId/run': desk(ADMIN),
  'POST /admin/queues/api/queues/:queueName/add': desk(ADMIN),
  'PUT /admin/queues/api/queues/:queueName/promote': desk(ADMIN),
  'PUT /admin/queues/api/queues/:queueName/pause': desk(ADMIN),
  'PUT /admin/queues/api/queues/:queueName/clean/:queueStatus': desk(ADMIN),
  'PUT /admin/queues/api/queues/:queueName/concurrency': desk(ADMIN),
  'PUT /admin/queues/api/queues/:queueName/empty': desk(ADMIN),
  'PUT /admin/queues/api/queues/:queueName/obliterate': desk(ADMIN),
  'GET /admin/queues/api/queues/:queueName/:jobId': deskJson(ADMIN),
  'GET /admin/queues/api/queues/:queueName/:jobId/logs': deskJson(ADMIN),
  'GET /admin/queues/api/queues/:queueName/:jobId/flow': deskJson(ADMIN),
  'PUT /admin/queues/api/queues/:queueName/:jobId/retry': desk(ADMIN),
  'PUT /admin/queues/api/queues/:queueName/:jobId/remove-unprocessed-children': desk(ADMIN),
  'PUT /admin/queues/api/queues/:queueName/:jobId/clean': desk(ADMIN),
  'PUT /admin/queues/api/queues/:queueName/:jobId/promote': desk(ADMIN),
  'PATCH /admin/queues/api/queues/:queueName/:jobId/priority': desk(ADMIN),
  'PATCH /admin/queues/api/queues/:queueName/:jobId/update-data': desk(ADMIN),
  'PATCH /admin/queues/api/queues/:queueName/:jobId/delay': desk(ADMIN),
};

/** Dummy values for path parameters (a 404 behind the door is an open door). */
const PARAMS: Record<string, string> = {
  id: 'x0nosuchid', file: 'admin.css', channel: 'nosuchchannel', queueName: 'nosuchqueue', jobId: '1',
  queueStatus: 'failed', schedulerId: 'nosuchscheduler', '*': 'nosuchfile.js',
};
const concrete = (route: string): string =>
  route.replace(/:([A-Za-z]+)/g, (_, p: string) => PARAMS[p] ?? 'x').replace(/\*$/, PARAMS['*']);

function expectedRow(key: string): { row: Row; extra: Extra } {
  const entry = ROUTES[key];
  const [spec, extra] = Array.isArray(entry) ? entry : [entry, {}];
  const method = key.split(' ')[0];
  const row = typeof spec === 'function' ? spec(method) : spec;
  return { row: { ...row, ...extra.override }, extra };
}

// ---------------------------------------------------------------------------------------------

let s: Services;
let app: FastifyInstance;
let outbox: string;
const registered = new Set<string>();
let sessions: SessionStore;
const accountIds: Partial<Record<Role, string>> = {};

const LOGIN_NONCE = 'matrix-login-nonce-0123456789abcdef';
const sha256 = (v: string) => createHash('sha256').update(v, 'utf8').digest('hex');

beforeAll(async () => {
  outbox = mkdtempSync(join(tmpdir(), 'crier-matrix-outbox-'));
  // Every channel on (webhook-mode bot included) so every route exists; nothing is sent.
  s = testServices(testConfig({
    metrics: { public: false },
    subscriptions: { secret: 'matrix-subscription-secret-0123' },
    channels: {
      email: { enabled: true, outbox }, rss: { enabled: true },
      slack: { enabled: true, token: 'xoxb-matrix', apiUrl: 'http://127.0.0.1:9/', targets: [{ channel: 'C0MATRIX' }] },
      telegram: {
        enabled: true, token: '1:matrix', apiUrl: 'http://127.0.0.1:9', targets: [{ chatId: '@matrix' }],
        bot: { enabled: true, mode: 'webhook', webhookSecret: 'matrix-webhook-secret-0123', username: 'matrix_bot' },
      },
      mastodon: { enabled: true, instanceUrl: 'http://127.0.0.1:9', accessToken: 'matrix' },
      webhooks: [
        { name: 'w', kind: 'wecom', url: 'http://127.0.0.1:9/w' },
        { name: 'd', kind: 'dingtalk', url: 'http://127.0.0.1:9/d', secret: 'SECmatrix' },
        { name: 'f', kind: 'feishu', url: 'http://127.0.0.1:9/f', secret: 'matrix' },
        { name: 'j', kind: 'json', url: 'http://127.0.0.1:9/j', secret: 'matrix' },
      ],
    },
  }));
  app = await buildApp(s, {
    onRoute: (r) => {
      for (const m of [r.method].flat()) registered.add(`${m} ${r.url}`);
    },
  });
  await app.ready();
  sessions = new SessionStore(s.redis, s.keys);
  const accounts = new AccountStore(s.redis, s.keys);
  for (const role of ['contributor', 'librarian', 'admin'] as const) {
    accountIds[role] = (await accounts.create({ name: `Matrix ${role}`, email: `${role}@matrix.example.edu`, role, createdBy: 'test' })).id;
  }
});

afterAll(async () => {
  await app?.close();
  if (s) await disposeServices(s);
  rmSync(outbox, { recursive: true, force: true });
});

/** An expired admin session: a real one whose stored expiry is moved into the past (Redis's own TTL stays). */
async function expiredSession(): Promise<{ id: string; csrf: string; key: string }> {
  const made = await sessions.create({ name: 'Matrix admin', role: 'admin', accountId: accountIds.admin, email: 'admin@matrix.example.edu' });
  const key = s.keys.adminSession(sha256(made.id));
  await s.redis.set(key, JSON.stringify({ ...made.session, expiresAt: Date.now() - 1000 }), 'KEEPTTL');
  return { id: made.id, csrf: made.session.csrf, key };
}

/** A fresh session per request (a logout or sign-in in one cell cannot end another's). */
async function sessionFor(role: Role): Promise<{ id: string; csrf: string }> {
  const email = `${role}@matrix.example.edu`;
  const { id, session } = await sessions.create({ name: `Matrix ${role}`, role, accountId: accountIds[role], email });
  return { id, csrf: session.csrf };
}

async function credentials(who: Identity): Promise<{ headers: Record<string, string>; csrf?: string }> {
  const cookie = (id: string) => `crier_session=${id}; crier_login=${LOGIN_NONCE}`;
  switch (who) {
    case 'anonymous':
      return { headers: { cookie: `crier_login=${LOGIN_NONCE}` } };
    case 'badToken':
      // A wrong API token and a session cookie of the right shape that no session has.
      return { headers: { authorization: 'Bearer not-a-token-of-this-server-0000', cookie: cookie('A'.repeat(43)) } };
    case 'contributor': {
      const sess = await sessionFor('contributor');
      return { headers: { cookie: cookie(sess.id) }, csrf: sess.csrf };
    }
    case 'librarian':
    case 'admin': {
      const sess = await sessionFor(who);
      const token = who === 'admin' ? ADMIN_TOKEN : LIBRARIAN_TOKEN;
      return { headers: { authorization: `Bearer ${token}`, cookie: cookie(sess.id) }, csrf: sess.csrf };
    }
    case 'expired': {
      const sess = await expiredSession();
      return { headers: { cookie: cookie(sess.id) }, csrf: sess.csrf };
    }
    case 'crossSite': {
      // A valid admin session (with its CSRF token) sent by another site's page.
      const sess = await sessionFor('admin');
      return {
        headers: { cookie: cookie(sess.id), origin: 'https://evil.example', referer: 'https://evil.example/page', 'sec-fetch-site': 'cross-site' },
        csrf: sess.csrf,
      };
    }
  }
}

interface Seen { status: number; location?: string; error?: string }

async function knock(method: string, url: string, who: Identity, extra: Extra): Promise<Seen> {
  const { headers, csrf } = await credentials(who);
  let payload: string | undefined;
  if (extra.json !== undefined) {
    payload = JSON.stringify(extra.json);
    headers['content-type'] = 'application/json';
  } else if (UNSAFE.has(method)) {
    const fields: Record<string, string> = { _login: LOGIN_NONCE, ...extra.body };
    if (csrf) {
      fields._csrf = csrf;
      headers['x-csrf-token'] = csrf;
    }
    payload = new URLSearchParams(fields).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  const ac = new AbortController();
  // As a stream: the event stream answers its headers and then stays open.
  const res: LightMyRequestResponse = await app.inject({ method: method as 'GET', url, headers, payload, payloadAsStream: true, signal: ac.signal });
  const seen: Seen = { status: res.statusCode, location: res.headers.location as string | undefined };
  if (String(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
    ac.abort();
  } else {
    let body = '';
    for await (const chunk of res.stream()) body += String(chunk);
    try {
      seen.error = (JSON.parse(body) as { error?: string }).error;
    } catch {
      // not JSON (a page)
    }
  }
  return seen;
}

/** HEAD: the dashboard redirects only a GET; a HEAD without a session is 401, a contributor's home 403. */
const headOutcome = (o: Outcome): Outcome => (o === 'login' ? 401 : o === 'drafts' ? 403 : o);

function matches(expected: Outcome, seen: Seen): boolean {
  switch (expected) {
    case 'ok':
      return seen.status < 500 && seen.status !== 401 && seen.status !== 403 && !(seen.location ?? '').startsWith('/admin/login');
    case 'login':
      return seen.status === 303 && (seen.location ?? '').startsWith('/admin/login');
    case 'drafts':
      return seen.status === 303 && seen.location === '/admin/drafts';
    case 'signedOut':
      return seen.status === 303 && seen.location === '/admin/login?msg=signed-out';
    case 'csrf':
      return seen.status === 403 && seen.error === 'csrf';
    case 403:
      return seen.status === 403 && seen.error !== 'csrf';
    case 401:
      return seen.status === 401;
  }
}

describe('access matrix (issue 15)', () => {
  it('has exactly one row for every registered route (HEAD goes with its GET)', () => {
    // Fastify adds HEAD to every GET (and HEAD "/admin/" beside GET "/admin" for a prefix's "/").
    const withGet = (r: string) => r.startsWith('HEAD ') && (registered.has(`GET ${r.slice(5)}`) || registered.has(`GET ${r.slice(5).replace(/(.)\/$/, '$1')}`));
    const routes = [...registered].filter((r) => !withGet(r));
    const missing = routes.filter((r) => !(r in ROUTES)).sort();
    const stale = Object.keys(ROUTES).filter((r) => !registered.has(r)).sort();
    expect(missing, 'routes without a row in ROUTES: add one line each').toEqual([]);
    expect(stale, 'rows naming no registered route').toEqual([]);
  });

  it('answers every route × identity as the table says', async () => {
    const wrong: string[] = [];
    let cells = 0;
    for (const key of Object.keys(ROUTES)) {
      const { row, extra } = expectedRow(key);
      const [method, route] = key.split(' ');
      const url = concrete(route);
      for (const m of method === 'GET' ? ['GET', 'HEAD'] : [method]) {
        for (const who of IDENTITIES) {
          const seen = await knock(m, url, who, extra);
          cells++;
          const want = m === 'HEAD' ? headOutcome(row[who]) : row[who];
          if (!matches(want, seen)) {
            wrong.push(`${m} ${url} as ${who}: expected ${want}, got ${seen.status}${seen.location ? ` → ${seen.location}` : ''}${seen.error ? ` (${seen.error})` : ''}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(cells).toBeGreaterThan(7 * 100);
  }, 120_000);

  it('refuses the expired session for its expiry alone: it is still stored, with Redis time to live left', async () => {
    const sess = await expiredSession();
    const res = await app.inject({ method: 'GET', url: '/admin', headers: { cookie: `crier_session=${sess.id}` } });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/login');
    expect(await s.redis.ttl(sess.key)).toBeGreaterThan(3600);
    expect((JSON.parse((await s.redis.get(sess.key))!) as { expiresAt: number }).expiresAt).toBeLessThan(Date.now());
  });

  it('opens the Telegram webhook to its secret-token header only (the row above is not 401 for another reason)', async () => {
    const update = { update_id: 1, message: { message_id: 1, date: 0, chat: { id: 7, type: 'private' }, from: { id: 7, is_bot: false, first_name: 'M' }, text: '/help' } };
    const ok = await app.inject({ method: 'POST', url: TELEGRAM_WEBHOOK_PATH, payload: update, headers: { 'x-telegram-bot-api-secret-token': 'matrix-webhook-secret-0123' } });
    expect(ok.statusCode).toBe(200);
  });
});
