// Dashboard sessions and CSRF protection.
//
// A session is a random 256-bit id in the `crier_session` cookie (HttpOnly, SameSite=Strict,
// Path=/admin, Secure behind https). Redis keeps only the id's SHA-256 (`<p>:admsess:<hash>`),
// so a copy of the database holds no usable cookie, with the principal, a CSRF token and an
// absolute expiry (12 h; no sliding renewal). Every POST must carry that CSRF token (hidden
// field `_csrf` or header `X-CSRF-Token`; bull-board's axios sends `X-XSRF-TOKEN`) and must not
// come from another site (Sec-Fetch-Site / Origin).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import { PERMISSIONS, type Principal, type Role } from '../http/auth.js';

export const SESSION_COOKIE = 'crier_session';
export const LOGIN_COOKIE = 'crier_login';
/** Read by bull-board's axios (its default cookie name) and sent back as X-XSRF-TOKEN. */
export const XSRF_COOKIE = 'XSRF-TOKEN';
export const SESSION_TTL_SECONDS = 12 * 3600;

export interface AdminSession extends Principal {
  csrf: string;
  /** The account's chosen dashboard language (read from the account on every request). */
  language?: 'en' | 'zh';
  /** ms since the epoch. */
  expiresAt: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The dashboard session of a request under /admin, once the session hook ran. */
    adminSession: AdminSession | null;
  }
}

export const randomToken = (): string => randomBytes(32).toString('base64url');
const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

/** Constant-time string comparison (digests of equal length). */
export function sameSecret(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    readonly ttlSeconds = SESSION_TTL_SECONDS,
  ) {}

  async create(principal: Principal): Promise<{ id: string; session: AdminSession }> {
    const id = randomToken();
    const session: AdminSession = { name: principal.name, role: principal.role, csrf: randomToken(), expiresAt: Date.now() + this.ttlSeconds * 1000 };
    if (principal.accountId) Object.assign(session, { accountId: principal.accountId, email: principal.email });
    await this.redis.set(this.keys.adminSession(sha256(id)), JSON.stringify(session), 'EX', this.ttlSeconds);
    return { id, session };
  }

  async get(id: string | undefined): Promise<AdminSession | null> {
    if (!id || !/^[A-Za-z0-9_-]{20,100}$/.test(id)) return null;
    const raw = await this.redis.get(this.keys.adminSession(sha256(id)));
    if (!raw) return null;
    const s = JSON.parse(raw) as AdminSession;
    return s.expiresAt > Date.now() ? s : null;
  }

  async destroy(id: string | undefined): Promise<void> {
    if (id) await this.redis.del(this.keys.adminSession(sha256(id)));
  }
}

/**
 * True when the request reached us over https: directly, or through a proxy that says so, but
 * only a trusted one (server.trustProxy). Fastify's req.protocol reads X-Forwarded-Proto only
 * then; anyone can send the header otherwise.
 */
export function overHttps(req: FastifyRequest, baseUrl: string): boolean {
  return baseUrl.startsWith('https:') || req.protocol === 'https';
}

export function cookieOptions(req: FastifyRequest, baseUrl: string, path: string, maxAge: number, httpOnly = true) {
  return { path, maxAge, httpOnly, sameSite: 'strict' as const, secure: overHttps(req, baseUrl) };
}

export function setSessionCookies(reply: FastifyReply, req: FastifyRequest, baseUrl: string, id: string, session: AdminSession): void {
  reply.setCookie(SESSION_COOKIE, id, cookieOptions(req, baseUrl, '/admin', SESSION_TTL_SECONDS));
  if (session.role === 'admin') {
    reply.setCookie(XSRF_COOKIE, session.csrf, cookieOptions(req, baseUrl, '/admin/queues', SESSION_TTL_SECONDS, false));
  }
}

export function clearSessionCookies(reply: FastifyReply, req: FastifyRequest, baseUrl: string): void {
  reply.setCookie(SESSION_COOKIE, '', cookieOptions(req, baseUrl, '/admin', 0));
  reply.setCookie(XSRF_COOKIE, '', cookieOptions(req, baseUrl, '/admin/queues', 0, false));
}

/**
 * Refuses requests another site made the browser send: `Sec-Fetch-Site` other than
 * same-origin/none, or an `Origin` that is neither this host nor library.baseUrl's origin.
 */
export function crossSiteReason(req: FastifyRequest, baseUrl: string): string | null {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return `Sec-Fetch-Site: ${site}`;
  const origin = req.headers.origin;
  if (origin === undefined) return null;
  const proto = overHttps(req, '') ? 'https' : 'http';
  const allowed = new Set<string>([`${proto}://${req.headers.host ?? ''}`]);
  try {
    allowed.add(new URL(baseUrl).origin);
  } catch {
    // baseUrl is validated at start; nothing to add otherwise.
  }
  return allowed.has(origin) ? null : `Origin: ${origin}`;
}

/** The CSRF token a state-changing request presents, from the form or a header. */
export function presentedCsrf(req: FastifyRequest): string | undefined {
  const body = req.body as Record<string, unknown> | undefined;
  const field = body && typeof body === 'object' ? body._csrf : undefined;
  if (typeof field === 'string') return field;
  const h = req.headers['x-csrf-token'] ?? req.headers['x-xsrf-token'];
  return typeof h === 'string' ? h : undefined;
}

/** Who may do what in the dashboard; the API's own permissions where the API has the action. */
const DASHBOARD_ROLES = {
  read: PERMISSIONS['announcements:get'],
  cancel: PERMISSIONS['announcements:cancel'],
  retry: PERMISSIONS['announcements:retry'],
  correct: PERMISSIONS['announcements:correct'],
  pause: ['admin'],
  queues: ['admin'],
  subscribers: ['admin'],
  'bull-board': ['admin'],
  compose: PERMISSIONS['drafts:write'],
  review: PERMISSIONS['drafts:review'],
  accounts: PERMISSIONS['accounts:manage'],
} as const satisfies Record<string, readonly Role[]>;

export type AdminAction = keyof typeof DASHBOARD_ROLES;

export function may(role: Role, action: AdminAction): boolean {
  return (DASHBOARD_ROLES[action] as readonly Role[]).includes(role);
}
