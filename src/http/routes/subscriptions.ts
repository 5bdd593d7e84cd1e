// The public e-mail subscription routes (no token, no cookie):
//
//   POST /api/subscribers                 { email, topics, language } → 202, a confirmation mail
//   GET  /subscriptions/confirm?token=    activates; a page in the subscriber's language
//   GET  /subscriptions/unsubscribe?token= a page: unsubscribe button, topics and language form
//   POST /subscriptions/unsubscribe?token= RFC 8058 one-click (List-Unsubscribe=One-Click) → 200
//   POST /subscriptions/preferences?token= the page's form: new topics and language
//
// GET never unsubscribes: mail scanners and link previews follow links. The unsubscribe POST
// takes any body (the RFC's form-encoded "List-Unsubscribe=One-Click", multipart, or nothing):
// the signed token in the URL is what authorizes it. Pages answer 400 with an explanation for a
// bad or expired link and a plain error page otherwise, never a stack trace.
//
// POST /api/subscribers is rate-limited per client IP (fixed one-minute window in Redis,
// SUBSCRIBE_REQUESTS_PER_MINUTE): over it, 429 with Retry-After. The client IP is the socket's
// address; behind a reverse proxy, Fastify's trustProxy would be needed to see the real one.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../services.js';
import { SUBSCRIBE_REQUESTS_PER_MINUTE, subscriptionsFor, type LinkOutcome } from '../../subscriptions/service.js';
import type { LangPref } from '../../types.js';
import { formatIssues } from '../../util/issues.js';
import { HttpError } from '../errors.js';
import {
  badLinkPage, confirmedPage, errorPage, managePage, savedPage, sendPage, unsubscribedPage, type PageContext,
} from '../pages/subscription-pages.js';

const BODY_LIMIT = 16 * 1024;
const LANGS = ['en', 'zh', 'both'] as const;

/** The rules of a subscription request, shared by POST /api/subscribers and POST /subscribe. */
export function requestSchema(topicIds: string[], defaultLanguage: LangPref) {
  const known: [string, ...string[]] = ['*', ...topicIds];
  return z.strictObject({
    email: z
      .string({ error: 'must be a string: the e-mail address' })
      .trim()
      .max(254, { error: 'must be at most 254 characters' })
      .pipe(z.email({ error: 'must be a valid e-mail address' })),
    topics: z
      .array(z.enum(known, { error: `must be a known topic id (${topicIds.join(', ')}) or "*" for all` }), {
        error: 'must be a list of topic ids, e.g. ["hours", "events"], or ["*"] for all',
      })
      .min(1, { error: 'name at least one topic id, or "*" for all' })
      .max(100, { error: 'too many topics' }),
    language: z.enum(LANGS, { error: 'must be en, zh or both' }).default(defaultLanguage),
  });
}

function tokenOf(req: FastifyRequest): string | undefined {
  const t = (req.query as Record<string, unknown> | undefined)?.token;
  return typeof t === 'string' ? t : undefined;
}

export async function subscriptionRoutes(app: FastifyInstance, opts: { s: Pick<Services, 'config' | 'log' | 'subscriptions'> }): Promise<void> {
  const { s } = opts;
  const svc = subscriptionsFor(s);
  const log = s.log.child('subscriptions');
  const schema = requestSchema(s.config.topics.map((t) => t.id), s.config.library.defaultLanguage);
  const ctx: PageContext = { libraryName: s.config.library.name, topics: s.config.topics };
  // Warm the token secret (and with it the e-mail channel's unsubscribe links in this process);
  // not awaited, so the server starts even while Redis is still coming up.
  svc.ready().catch(() => {});

  // Encapsulated to this plugin: every body arrives as a string, parsed by each route.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));

  app.post('/api/subscribers', { bodyLimit: BODY_LIMIT }, async (req, reply) => {
    if (!svc.enabled) throw new HttpError(404, 'not_found', 'e-mail subscriptions are not enabled here (channels.email is off)');
    const rate = await svc.rateLimit(req.ip);
    if (!rate.allowed) {
      return reply
        .code(429)
        .header('Retry-After', String(rate.retryAfterSeconds))
        .send({ error: 'too_many_requests', message: `at most ${SUBSCRIBE_REQUESTS_PER_MINUTE} subscription requests a minute from one address; try again in ${rate.retryAfterSeconds} s` });
    }
    let value: unknown;
    try {
      value = JSON.parse(typeof req.body === 'string' ? req.body : '');
    } catch {
      return reply.code(400).send({
        error: 'invalid_subscription',
        message: 'the body must be JSON',
        issues: [{ path: '(root)', message: 'send a JSON object { "email": "…", "topics": ["…"], "language": "en" | "zh" | "both" }' }],
      });
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      return reply.code(400).send({ error: 'invalid_subscription', message: 'the subscription request has errors', issues: formatIssues(parsed.error.issues) });
    }
    await svc.request(parsed.data);
    // The same answer whether the address was new, pending, active or unsubscribed.
    return reply.code(202).send({ status: 'pending_confirmation' });
  });

  /** Runs a page handler; anything unexpected becomes the plain error page (and a log line). */
  const page = (kind: 'confirm' | 'manage', handler: (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      try {
        return await handler(req, reply);
      } catch (err) {
        log.error('subscription page failed', { route: req.routeOptions.url, kind, error: (err as Error).message });
        return sendPage(reply, 500, errorPage(ctx));
      }
    };
  const failed = (reply: FastifyReply, r: Extract<LinkOutcome, { ok: false }>, kind: 'confirm' | 'manage') =>
    sendPage(reply, 400, badLinkPage(ctx, r.reason, kind));

  app.get('/subscriptions/confirm', page('confirm', async (req, reply) => {
    const r = await svc.confirm(tokenOf(req));
    if (!r.ok) return failed(reply, r, 'confirm');
    return sendPage(reply, 200, confirmedPage(ctx, r.subscriber));
  }));

  app.get('/subscriptions/unsubscribe', page('manage', async (req, reply) => {
    const token = tokenOf(req);
    const r = await svc.inspect(token);
    if (!r.ok) return failed(reply, r, 'manage');
    return sendPage(reply, 200, managePage(ctx, r.subscriber, token!));
  }));

  app.post('/subscriptions/unsubscribe', { bodyLimit: BODY_LIMIT }, page('manage', async (req, reply) => {
    const token = tokenOf(req) ?? formField(req, 'token');
    const r = await svc.unsubscribe(token);
    if (!r.ok) return failed(reply, r, 'manage');
    return sendPage(reply, 200, unsubscribedPage(ctx, r.subscriber, token!));
  }));

  app.post('/subscriptions/preferences', { bodyLimit: BODY_LIMIT }, page('manage', async (req, reply) => {
    const token = tokenOf(req) ?? formField(req, 'token');
    const form = new URLSearchParams(typeof req.body === 'string' ? req.body : '');
    const known = new Set(s.config.topics.map((t) => t.id));
    const topics = form.getAll('topics').filter((t) => t === '*' || known.has(t));
    const language = form.get('language');
    const who = await svc.inspect(token);
    if (!who.ok) return failed(reply, who, 'manage');
    const lang = LANGS.includes(language as LangPref) ? (language as LangPref) : who.subscriber.language;
    if (topics.length === 0) {
      return sendPage(reply, 400, managePage(ctx, who.subscriber, token!, { error: true, topics: [], language: lang }));
    }
    const r = await svc.updatePreferences(token, topics, lang);
    if (!r.ok) return failed(reply, r, 'manage');
    return sendPage(reply, 200, savedPage(ctx, r.subscriber, token!));
  }));
}

function formField(req: FastifyRequest, name: string): string | undefined {
  if (typeof req.body !== 'string' || req.body.length === 0) return undefined;
  return new URLSearchParams(req.body).get(name) ?? undefined;
}
