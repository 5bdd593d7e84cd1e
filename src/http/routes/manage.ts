// A subscriber's manage page, linked (signed, per subscriber) from every mail's footer:
//
//   GET  /subscriptions/manage?token=[&lang=zh|en]   topics, language, Save, Unsubscribe from everything
//   POST /subscriptions/manage?token=                action=save (topics, language) | action=unsubscribe
//
// The token in the URL is the credential (the unsubscribe token: never expires, dies with the
// subscriber), so a forged cross-site form would need it too; there is no cookie to ride on, so
// SameSite does not apply. GET only shows (mail scanners follow links); only POST changes, and a
// POST whose Origin or Sec-Fetch-Site says it came from another site is refused all the same.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services.js';
import type { Subscriber } from '../../store/subscribers.js';
import { subscriptionsFor } from '../../subscriptions/service.js';
import { PAGE, topicNames } from '../../subscriptions/texts.js';
import type { Lang, LangPref } from '../../types.js';
import { badLinkPage, errorPage, sendPage, type PageContext } from '../pages/subscription-pages.js';
import { managePage } from '../pages/manage-page.js';
import { pageLang, sendPublic } from '../pages/public-layout.js';

const BODY_LIMIT = 16 * 1024;
const LANGS: readonly LangPref[] = ['en', 'zh', 'both'];

function tokenOf(req: FastifyRequest): string | undefined {
  const t = (req.query as Record<string, unknown> | undefined)?.token;
  return typeof t === 'string' ? t : undefined;
}

/**
 * Another site posting: Sec-Fetch-Site says so, or the Origin's host is not ours. The page's
 * Referrer-Policy no-referrer makes browsers send "Origin: null" for its own form, so "null"
 * proves nothing either way and is left to Sec-Fetch-Site.
 */
function crossSite(req: FastifyRequest): boolean {
  if (req.headers['sec-fetch-site'] === 'cross-site' || req.headers['sec-fetch-site'] === 'same-site') return true;
  const origin = req.headers.origin;
  if (!origin || origin === 'null') return false;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

export async function manageRoutes(app: FastifyInstance, opts: { s: Pick<Services, 'config' | 'log' | 'subscriptions'> }): Promise<void> {
  const { s } = opts;
  const svc = subscriptionsFor(s);
  const log = s.log.child('manage');
  const ctx: PageContext = { libraryName: s.config.library.name, topics: s.config.topics };
  const known = new Set(s.config.topics.map((t) => t.id));

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));

  /** The page's language: ?lang=, else the subscriber's own (Chinese first for "both"). */
  const langFor = (req: FastifyRequest, sub: Subscriber): Lang => {
    const q = (req.query as Record<string, unknown>).lang;
    if (q === 'zh' || q === 'en') return q;
    return sub.language === 'en' ? 'en' : sub.language === 'zh' ? 'zh' : pageLang(req, s.config);
  };

  const guarded = (handler: (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>) => async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      return await handler(req, reply);
    } catch (err) {
      log.error('manage page failed', { method: req.method, error: (err as Error).message });
      return sendPage(reply, 500, errorPage(ctx));
    }
  };

  app.get('/subscriptions/manage', guarded(async (req, reply) => {
    const token = tokenOf(req);
    const r = await svc.inspect(token);
    if (!r.ok) return sendPage(reply, 400, badLinkPage(ctx, r.reason, 'manage'));
    return sendPublic(reply, 200, langFor(req, r.subscriber), managePage({ config: s.config, lang: langFor(req, r.subscriber), sub: r.subscriber, token: token! }));
  }));

  app.post('/subscriptions/manage', { bodyLimit: BODY_LIMIT }, guarded(async (req, reply) => {
    if (crossSite(req)) {
      return reply.code(403).headers({ 'content-type': 'text/plain; charset=utf-8' }).send('Refused: this form was sent from another site.');
    }
    const token = tokenOf(req);
    const who = await svc.inspect(token);
    if (!who.ok) return sendPage(reply, 400, badLinkPage(ctx, who.reason, 'manage'));
    const lang = langFor(req, who.subscriber);
    const form = new URLSearchParams(typeof req.body === 'string' ? req.body : '');
    const view = { config: s.config, lang, token: token! };
    if (form.get('action') === 'unsubscribe') {
      const r = await svc.unsubscribe(token);
      if (!r.ok) return sendPage(reply, 400, badLinkPage(ctx, r.reason, 'manage'));
      return sendPublic(reply, 200, lang, managePage({ ...view, sub: r.subscriber, notice: PAGE.unsubscribed(s.config.library.name, r.subscriber.address, lang) }));
    }
    const topics = form.getAll('topics').filter((t) => known.has(t));
    const language = form.get('language');
    const pref = LANGS.includes(language as LangPref) ? (language as LangPref) : who.subscriber.language;
    if (topics.length === 0) {
      return sendPublic(reply, 400, lang, managePage({ ...view, sub: who.subscriber, topics: [], language: pref, topicsError: true }));
    }
    const r = await svc.updatePreferences(token, topics, pref);
    if (!r.ok) return sendPage(reply, 400, badLinkPage(ctx, r.reason, 'manage'));
    return sendPublic(reply, 200, lang, managePage({ ...view, sub: r.subscriber, notice: PAGE.saved(topicNames(r.subscriber.topics, s.config.topics, lang), lang) }));
  }));
}
