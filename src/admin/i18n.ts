// The dashboard's language (English or Chinese) for one request: a `?lang=` in the address
// (the switch on the sign-in page), else the signed-in account's saved choice, else the
// `crier_lang` cookie (token sign-ins, and before signing in), else the browser's
// Accept-Language. Each page module keeps its own table of texts in both languages.
import type { FastifyInstance } from 'fastify';
import type { AccountStore } from '../accounts/store.js';
import { field, routeConfig, safeBack } from './context.js';
import { cookieOptions } from './session.js';

import { isLang, LANG_COOKIE } from './lang.js';

export { fromAcceptLanguage, HTML_LANG, isLang, LANG_COOKIE, uiLang, type UiLang } from './lang.js';

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
