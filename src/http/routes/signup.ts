// The public sign-up page (contract: "Public pages"):
//
//   GET  /subscribe[?topic=ID][&lang=zh|en]   the form; ?topic= checks that topic
//   POST /subscribe                           form-encoded; the rules of POST /api/subscribers
//
// POST goes through the same schema, rate limit (per client IP, shared with the API) and
// SubscriptionService.request as the API: double opt-in, and the same "check your inbox" page
// for a new, pending or already subscribed address. Two cheap checks stop simple bots without
// a third-party captcha: a honeypot field ("website", off-screen) that people never fill, and
// a minimum fill time, measured from a signed timestamp in the form (subscriptions.minFillSeconds).
// A bot that fills the honeypot gets the same page as a person and nothing is stored or sent.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services.js';
import { normalizeAddress } from '../../store/subscribers.js';
import { signupLink } from '../../channel-builder.js';
import { subscriptionsFor } from '../../subscriptions/service.js';
import { SIGNUP } from '../../subscriptions/signup-texts.js';
import type { Lang, LangPref } from '../../types.js';
import { pageLang, sendPublic } from '../pages/public-layout.js';
import { signupPage, signupSentPage, type SignupErrors, type SignupValues } from '../pages/signup-page.js';
import { requestSchema } from './subscriptions.js';

const BODY_LIMIT = 16 * 1024;
const FORM_TTL_SECONDS = 24 * 3600;
const LANGS: readonly LangPref[] = ['en', 'zh', 'both'];

export async function signupRoutes(app: FastifyInstance, opts: { s: Pick<Services, 'config' | 'log' | 'subscriptions'> }): Promise<void> {
  const { s } = opts;
  const svc = subscriptionsFor(s);
  const log = s.log.child('signup');
  const topicIds = s.config.topics.map((t) => t.id);
  const schema = requestSchema(topicIds, s.config.library.defaultLanguage);

  // Encapsulated to this plugin: the form body arrives as a string.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));

  const formToken = async (nowMs = Date.now()) =>
    (await svc.ready()).sign({ sub: 'signup', purpose: 'form', iat: Math.floor(nowMs / 1000), exp: Math.floor(nowMs / 1000) + FORM_TTL_SECONDS });

  const render = async (reply: FastifyReply, status: number, lang: Lang, values: SignupValues, errors?: SignupErrors, topicParam?: string) =>
    sendPublic(reply, status, lang, signupPage({
      config: s.config, lang, values, errors, topicParam, formToken: await formToken(),
      botHref: signupLink(s.config, 'telegram', values.topics), emailEnabled: svc.enabled,
    }));

  app.get('/subscribe', async (req, reply) => {
    const lang = pageLang(req, s.config);
    const topic = (req.query as Record<string, unknown>).topic;
    const preset = typeof topic === 'string' && topicIds.includes(topic) ? topic : undefined;
    return render(reply, 200, lang, { email: '', topics: preset ? [preset] : [], language: s.config.library.defaultLanguage }, undefined, preset);
  });

  app.post('/subscribe', { bodyLimit: BODY_LIMIT }, async (req: FastifyRequest, reply) => {
    const form = new URLSearchParams(typeof req.body === 'string' ? req.body : '');
    const ui = form.get('ui');
    const lang: Lang = ui === 'zh' || ui === 'en' ? ui : pageLang(req, s.config);
    const language = form.get('language') ?? '';
    const values: SignupValues = {
      email: (form.get('email') ?? '').slice(0, 254),
      topics: form.getAll('topics').filter((t) => topicIds.includes(t)),
      language: LANGS.includes(language as LangPref) ? (language as LangPref) : s.config.library.defaultLanguage,
    };
    if (!svc.enabled) return render(reply, 404, lang, values);

    const rate = await svc.rateLimit(req.ip);
    if (!rate.allowed) {
      reply.header('Retry-After', String(rate.retryAfterSeconds));
      return render(reply, 429, lang, values, { form: SIGNUP.tooMany(rate.retryAfterSeconds, lang) });
    }
    if ((form.get('website') ?? '') !== '') {
      log.info('sign-up refused: honeypot field filled');
      return sendPublic(reply, 200, lang, signupSentPage(s.config, lang, values.email.trim()));
    }
    const started = (await svc.ready()).verify(form.get('started') ?? undefined, 'form');
    if (!started.ok) return render(reply, 400, lang, values, { form: SIGNUP.expired[lang] });
    if (Date.now() / 1000 - (started.payload.iat ?? 0) < s.config.subscriptions.minFillSeconds) {
      log.info('sign-up refused: form sent faster than subscriptions.minFillSeconds');
      return render(reply, 400, lang, values, { form: SIGNUP.tooFast[lang] });
    }

    const parsed = schema.safeParse({ email: values.email, topics: form.getAll('topics'), language: language || undefined });
    if (!parsed.success) {
      const errors: SignupErrors = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path[0];
        if (field === 'email') errors.email = SIGNUP.badEmail[lang];
        else if (field === 'topics') errors.topics = SIGNUP.noTopic[lang];
        else if (field === 'language') errors.language = SIGNUP.badLanguage[lang];
      }
      return render(reply, 400, lang, values, errors);
    }
    await svc.request(parsed.data);
    return sendPublic(reply, 200, lang, signupSentPage(s.config, lang, normalizeAddress('email', parsed.data.email), signupLink(s.config, 'telegram', parsed.data.topics)));
  });
}
