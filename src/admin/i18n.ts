// The dashboard's language (English or Chinese) for one request: a `?lang=` in the address
// (the switch on the sign-in page), else the signed-in account's saved choice, else the
// `crier_lang` cookie (token sign-ins, and before signing in), else the browser's
// Accept-Language. Each page module keeps its own table of texts in both languages.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccountStore } from '../accounts/store.js';
import { field, routeConfig, safeBack } from './context.js';
import { cookieOptions } from './session.js';

import type { UiLang } from './lang.js';

export { HTML_LANG, type UiLang } from './lang.js';
export const LANG_COOKIE = 'crier_lang';

const isLang = (v: unknown): v is UiLang => v === 'en' || v === 'zh';

/** The first of zh / en the Accept-Language header prefers (q-values honoured), else English. */
export function fromAcceptLanguage(header: string | undefined): UiLang {
  const prefs = (header ?? '')
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => /^q=([\d.]+)$/.exec(p.trim())?.[1]).find(Boolean);
      return { tag, q: q === undefined ? 1 : Number(q) };
    })
    .filter((p) => p.tag && p.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const p of prefs) {
    if (p.tag === 'zh' || p.tag.startsWith('zh-')) return 'zh';
    if (p.tag === 'en' || p.tag.startsWith('en-')) return 'en';
  }
  return 'en';
}

export function uiLang(req: FastifyRequest): UiLang {
  const q = (req.query as Record<string, unknown> | undefined)?.lang;
  if (isLang(q)) return q;
  const saved = req.adminSession?.language;
  if (isLang(saved)) return saved;
  const cookie = req.cookies?.[LANG_COOKIE];
  if (isLang(cookie)) return cookie;
  return fromAcceptLanguage(req.headers['accept-language']);
}

/** POST /admin/language: the switch in the top bar; saved on the account, and in a cookie. */
export async function languageRoute(app: FastifyInstance, opts: { accounts: AccountStore; baseUrl: string }): Promise<void> {
  app.post('/language', routeConfig({}), async (req, reply) => {
    const lang = field(req, 'lang');
    if (!isLang(lang)) return reply.code(400).send({ error: 'bad_language', message: 'lang must be en or zh' });
    const id = req.adminSession?.accountId;
    if (id) await opts.accounts.setLanguage(id, lang);
    reply.setCookie(LANG_COOKIE, lang, cookieOptions(req, opts.baseUrl, '/admin', 365 * 86_400));
    return reply.redirect(safeBack(field(req, 'back')), 303);
  });
}
