// Bearer-token authentication and the role matrix. Tokens come from config.auth.tokens; a
// presented token is compared with each of them in constant time (SHA-256 digests of equal
// length, every token checked), so neither timing nor an early exit tells which one is close.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CrierConfig } from '../config/schema.js';

/** contributor: the desk only (drafts, submits); never an API token (config.auth.tokens). */
export type Role = 'contributor' | 'librarian' | 'admin';

export interface Principal {
  name: string;
  role: Role;
  /** Set for a desk account (not an API token): its id and e-mail address. */
  accountId?: string;
  email?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent the request; set by the auth hook of protected routes. */
    principal: Principal | null;
  }
}

/** What each role may do. Admins may do everything. */
export const PERMISSIONS = {
  'announcements:create': ['librarian', 'admin'],
  'announcements:list': ['librarian', 'admin'],
  'announcements:get': ['librarian', 'admin'],
  'announcements:deliveries': ['librarian', 'admin'],
  'announcements:cancel': ['librarian', 'admin'],
  'announcements:retry': ['admin'],
  // Corrections: edit or withdraw what was posted (as for posting).
  'announcements:correct': ['librarian', 'admin'],
  'subscribers:import': ['admin'],
  'subscribers:list': ['admin'],
  'subscribers:export': ['admin'],
  'subscribers:stats': ['admin'],
  'subscribers:get': ['admin'],
  'subscribers:delete': ['admin'],
  // GET /metrics when metrics.public is false.
  'metrics:read': ['admin'],
  // The desk (dashboard only): contributors draft and submit; librarians and admins post and review.
  'drafts:write': ['contributor', 'librarian', 'admin'],
  'drafts:review': ['librarian', 'admin'],
  'accounts:manage': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Action = keyof typeof PERMISSIONS;

export interface Auth {
  /** The principal of an Authorization header value, or null. */
  identify(header: string | undefined): Principal | null;
  /** An onRequest hook: 401 without a valid token, 403 when the role may not do `action`. */
  allow(action: Action): (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export function createAuth(tokens: CrierConfig['auth']['tokens']): Auth {
  const known = tokens.map((t) => ({ principal: { name: t.name, role: t.role } as Principal, hash: digest(t.token) }));

  const identify = (header: string | undefined): Principal | null => {
    const m = /^Bearer +([^\s]+) *$/i.exec(header ?? '');
    if (!m) return null;
    const presented = digest(m[1]);
    let found: Principal | null = null;
    for (const k of known) {
      if (timingSafeEqual(presented, k.hash) && found === null) found = k.principal;
    }
    return found;
  };

  return {
    identify,
    allow(action) {
      const roles: readonly Role[] = PERMISSIONS[action];
      return async (req, reply) => {
        const principal = identify(req.headers.authorization);
        if (!principal) {
          await reply
            .code(401)
            .header('WWW-Authenticate', 'Bearer')
            .send({ error: 'unauthorized', message: 'send a valid API token: "Authorization: Bearer <token>"' });
          return;
        }
        if (!roles.includes(principal.role)) {
          await reply.code(403).send({ error: 'forbidden', message: `the ${principal.role} role may not do this (${action})` });
          return;
        }
        req.principal = { ...principal };
      };
    },
  };
}
