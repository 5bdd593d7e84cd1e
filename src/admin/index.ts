// The delivery dashboard under /admin: server-rendered pages, a little JavaScript from
// /admin/assets, live progress over server-sent events, bull-board at /admin/queues.
//
// Every response under /admin carries a strict Content-Security-Policy (no inline script or
// style anywhere) and is not cached. Every route but the sign-in page and the static assets
// needs a session; admin-only pages and actions answer 403 to a librarian; every POST needs
// the session's CSRF token and a same-site origin.
import { deliveryCsvRoute } from './pages/delivery-csv.js';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { Auth } from '../http/auth.js';
import { HttpError } from '../http/errors.js';
import type { Services } from '../services.js';
import { assetRoutes } from './assets.js';
import { bullBoardRoutes } from './bull-board.js';
import { refuse, wantsJson, wantsJsonPath, type AdminContext, type AdminRouteConfig } from './context.js';
import { ProgressHub, registerEventStream } from './live.js';
import { announcementPage } from './pages/announcement.js';
import { correctEditPage } from './pages/correct-edit.js';
import { correctRetractPage } from './pages/correct-retract.js';
import { announcementsPage } from './pages/announcements.js';
import { loginPages } from './pages/login.js';
import { accountsPage } from './pages/accounts.js';
import { composePage } from './pages/compose.js';
import { draftsPage } from './pages/drafts.js';
import { setPasswordPage } from './pages/set-password.js';
import { upcomingPage } from './pages/upcoming.js';
import { languageRoute } from './i18n.js';
import { AccountStore } from '../accounts/store.js';
import { DraftStore } from '../desk/drafts.js';
import { queuesPage } from './pages/queues.js';
import { subscribersPage } from './pages/subscribers.js';
import { subscriberDetailPage } from './pages/subscriber-detail.js';
import { subscriberImportPage } from './pages/subscriber-import.js';
import { subscriberListPage } from './pages/subscriber-list.js';
import { crossSiteReason, may, presentedCsrf, sameSecret, SESSION_COOKIE, SessionStore, type AdminSession } from './session.js';

export const ADMIN_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'",
].join('; ');

/**
 * bull-board's page is not ours: it sets `<base href>` (base-uri), writes style attributes and
 * a <style> element, and links a Google font. Its subtree keeps script-src 'self' (no inline
 * or remote script) but allows inline styles and <base> on the same origin; the font is refused
 * (font-src 'self') and the page falls back to a system font.
 */
export const BULL_BOARD_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "font-src 'self'",
  "connect-src 'self'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'self'",
].join('; ');

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface AdminOptions {
  s: Services;
  auth: Auth;
  /** The live-progress hub (tests pass their own to watch it); one per app otherwise. */
  hub?: ProgressHub;
  /** Event-stream heartbeat interval (default 15 s). */
  heartbeatMs?: number;
}

export async function adminRoutes(app: FastifyInstance, opts: AdminOptions): Promise<void> {
  const { s, auth } = opts;
  const sessions = new SessionStore(s.redis, s.keys);
  const accounts = new AccountStore(s.redis, s.keys);
  const drafts = new DraftStore(s.redis, s.keys);
  const ctx: AdminContext = { s, auth, sessions, hub: opts.hub ?? new ProgressHub(s), tz: s.config.library.timezone };
  const baseUrl = s.config.library.baseUrl;

  /** The request's session, following its account: disabled ends it, a role change applies at once. */
  const currentSession = async (req: FastifyRequest): Promise<AdminSession | null> => {
    const session = await sessions.get(req.cookies[SESSION_COOKIE]);
    if (!session?.accountId) return session;
    const account = await accounts.get(session.accountId);
    return account && !account.disabled ? { ...session, role: account.role, name: account.name, email: account.email, language: account.language } : null;
  };

  await app.register(
    async (admin) => {
      await admin.register(fastifyCookie);
      // Room for a whole announcement typed in the compose form (percent-encoded CJK is 9 bytes a character).
      await admin.register(fastifyFormbody, { bodyLimit: 1024 * 1024 });
      admin.decorateRequest('adminSession', null);

      admin.addHook('onRequest', async (req, reply) => {
        const bull = req.url === '/admin/queues' || req.url.startsWith('/admin/queues/');
        reply.headers({
          'content-security-policy': bull ? BULL_BOARD_CSP : ADMIN_CSP,
          'x-content-type-options': 'nosniff',
          'x-frame-options': 'DENY',
          'referrer-policy': 'same-origin',
          'cross-origin-opener-policy': 'same-origin',
          'cache-control': 'no-store',
        });
      });

      // Sign-in, role and CSRF, after the body is parsed (the token may be a form field).
      admin.addHook('preHandler', async (req, reply) => {
        const cfg = (req.routeOptions.config ?? {}) as AdminRouteConfig;
        const unsafe = UNSAFE.has(req.method);
        if (unsafe) {
          const cross = crossSiteReason(req, baseUrl);
          if (cross) return refuse(req, reply, 403, 'csrf', `cross-site request refused (${cross})`);
        }
        if (cfg.public) return;
        const session = await currentSession(req);
        if (!session) {
          if (req.method === 'GET' && !wantsJsonPath(req)) {
            const next = req.url === '/admin' || req.url === '/admin/' ? '' : `?next=${encodeURIComponent(req.url)}`;
            return reply.redirect(`/admin/login${next}`, 303);
          }
          return refuse(req, reply, 401, 'unauthorized', 'sign in at /admin/login first');
        }
        req.adminSession = session;
        // Contributors have no announcements list; their home is their drafts.
        if (session.role === 'contributor' && req.method === 'GET' && (req.url === '/admin' || req.url === '/admin/')) {
          return reply.redirect('/admin/drafts', 303);
        }
        if (cfg.action && !may(session.role, cfg.action)) {
          return refuse(req, reply, 403, 'forbidden', `the ${session.role} role may not do this (${cfg.action})`);
        }
        if (unsafe && !sameSecret(presentedCsrf(req), session.csrf)) {
          return refuse(req, reply, 403, 'csrf', 'the form was missing its security token or it expired; reload the page and try again');
        }
      });

      admin.setErrorHandler((err: FastifyError | HttpError, req, reply) => {
        if (err instanceof HttpError) {
          if (wantsJson(req)) return reply.code(err.statusCode).send(err.body());
          return refuse(req, reply, err.statusCode, err.code, err.message);
        }
        throw err; // the application's handler: JSON, logged, nothing internal shown
      });

      admin.setNotFoundHandler((req, reply) => refuse(req, reply, 404, 'not_found', `no page ${req.url.split('?')[0]}`));

      await admin.register(assetRoutes);
      await admin.register(loginPages, { ctx, accounts });
      await admin.register(setPasswordPage, { ctx, accounts });
      await admin.register(accountsPage, { ctx, accounts });
      await admin.register(composePage, { ctx, drafts });
      await admin.register(draftsPage, { ctx, drafts });
      await admin.register(upcomingPage, { ctx });
      await admin.register(languageRoute, { accounts, baseUrl });
      await admin.register(announcementsPage, { ctx });
      await admin.register(announcementPage, { ctx });
      await admin.register(correctEditPage, { ctx });
      await admin.register(correctRetractPage, { ctx });
      await admin.register(queuesPage, { ctx });
      await admin.register(subscribersPage, { ctx });
      await admin.register(subscriberListPage, { ctx });
      await admin.register(subscriberDetailPage, { ctx });
      await admin.register(subscriberImportPage, { ctx });
      await admin.register(deliveryCsvRoute, { ctx });
      registerEventStream(admin, ctx.hub, {
        heartbeatMs: opts.heartbeatMs,
        // The same test as every request: a disabled account's open stream ends too.
        stillSignedIn: async (req) => (await currentSession(req)) !== null,
      });
      await admin.register(bullBoardRoutes, { ctx });
    },
    { prefix: '/admin' },
  );
}
