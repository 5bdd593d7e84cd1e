// Sign-in and sign-out. People sign in with their e-mail address and password (desk accounts,
// src/accounts); scripts and the systems staff may still paste an API token (config.auth.tokens,
// compared in constant time by the API's own check), in a second form on the same page.
// Both forms carry a one-time value that must match an HttpOnly cookie set with the page (so
// another site cannot sign a browser in). Failures are throttled per address (20 per 15 minutes)
// and per e-mail address (5 per 15 minutes, counted for unknown addresses too), and every
// refusal reads the same whether the address has an account or not.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { normalizeEmail, type AccountStore } from '../../accounts/store.js';
import type { Principal } from '../../http/auth.js';
import { field, flashText, param, routeConfig, safeBack, sendPage, sessionOf, type AdminContext } from '../context.js';
import { html, layout } from '../html.js';
import { LANG_COOKIE, uiLang } from '../i18n.js';
import {
  clearSessionCookies, cookieOptions, LOGIN_COOKIE, randomToken, sameSecret, SESSION_COOKIE, setSessionCookies,
} from '../session.js';

const MAX_FAILURES = 20;
const MAX_ACCOUNT_FAILURES = 5;
const FAILURE_WINDOW_S = 15 * 60;
const TEXT = {
  en: {
    title: 'Sign in', email: 'E-mail', password: 'Password', signIn: 'Sign in',
    forgot: 'Forgot your password, or never set one? Ask an administrator to send you a new link.',
    tokenSummary: 'Sign in with an API token instead (systems staff)', token: 'Token', tokenButton: 'Sign in with token',
    expired: 'The sign-in form expired. Please try again.', throttled: 'Too many failed sign-ins. Wait 15 minutes and try again.',
    badToken: 'That token is not valid.', mismatch: 'That e-mail address and password do not match an active account.',
  },
  zh: {
    title: '登录', email: '邮箱', password: '密码', signIn: '登录',
    forgot: '忘记密码或从未设置过？请管理员给您发送新的链接。',
    tokenSummary: '改用 API 令牌登录（系统管理人员）', token: '令牌', tokenButton: '用令牌登录',
    expired: '登录表单已过期，请重试。', throttled: '登录失败次数过多。请 15 分钟后再试。',
    badToken: '该令牌无效。', mismatch: '该邮箱和密码与任何有效账号都不匹配。',
  },
} as const;

export async function loginPages(app: FastifyInstance, opts: { ctx: AdminContext; accounts: AccountStore }): Promise<void> {
  const { s, auth, sessions } = opts.ctx;
  const { accounts } = opts;
  const baseUrl = s.config.library.baseUrl;

  const form = (req: FastifyRequest, reply: FastifyReply, opt: { next?: string; error?: string; status?: number; email?: string }) => {
    const lang = uiLang(req);
    const t = TEXT[lang];
    const nonce = randomToken();
    reply.setCookie(LOGIN_COOKIE, nonce, cookieOptions(req, baseUrl, '/admin/login', 3600));
    const hidden = html`<input type="hidden" name="_login" value="${nonce}">
<input type="hidden" name="next" value="${safeBack(opt.next)}">`;
    const body = html`<section class="card narrow login">
<h1>${t.title}</h1>
${opt.error ? html`<p class="error" role="alert">${opt.error}</p>` : ''}
<form method="post" action="/admin/login" id="password-form">
${hidden}
<label for="email">${t.email}</label>
<input id="email" name="email" type="email" autocomplete="username" required autofocus spellcheck="false" value="${opt.email ?? ''}">
<label for="password">${t.password}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" class="btn primary">${t.signIn}</button>
</form>
<p class="hint">${t.forgot}</p>
<details class="token-signin">
<summary>${t.tokenSummary}</summary>
<form method="post" action="/admin/login" id="token-form">
${hidden}
<label for="token">${t.token}</label>
<input id="token" name="token" type="password" autocomplete="off" required spellcheck="false">
<button type="submit" class="btn">${t.tokenButton}</button>
</form>
</details>
</section>`;
    return sendPage(reply, layout(body, { title: t.title, libraryName: s.config.library.name[lang], flash: flashText(param(req, 'msg'), lang), lang, path: '/admin/login' }), opt.status);
  };

  const count = async (key: string) => {
    if ((await s.redis.incr(key)) === 1) await s.redis.expire(key, FAILURE_WINDOW_S);
  };
  const over = async (key: string, max: number) => Number((await s.redis.get(key)) ?? 0) >= max;

  app.get('/login', routeConfig({ public: true }), async (req, reply) => {
    if (await sessions.get(req.cookies[SESSION_COOKIE])) return reply.redirect(safeBack(param(req, 'next')), 303);
    // The language link on this page: remembered, so the answer to the POST speaks it too.
    const lang = param(req, 'lang');
    if (lang === 'en' || lang === 'zh') reply.setCookie(LANG_COOKIE, lang, cookieOptions(req, baseUrl, '/admin', 365 * 86_400));
    return form(req, reply, { next: param(req, 'next') });
  });

  app.post('/login', routeConfig({ public: true }), async (req, reply) => {
    const next = safeBack(field(req, 'next'));
    const t = TEXT[uiLang(req)];
    if (!sameSecret(field(req, '_login'), req.cookies[LOGIN_COOKIE])) {
      return form(req, reply, { next, error: t.expired, status: 403 });
    }
    const ipKey = s.keys.adminLoginFailures(req.ip);
    if (await over(ipKey, MAX_FAILURES)) return form(req, reply, { next, error: t.throttled, status: 429 });

    let principal: Principal | null;
    const token = (field(req, 'token') ?? '').trim();
    const email = normalizeEmail(field(req, 'email') ?? '');
    if (token) {
      principal = auth.identify(`Bearer ${token}`);
      if (!principal) {
        await count(ipKey);
        return form(req, reply, { next, error: t.badToken, status: 401 });
      }
    } else {
      const accountKey = s.keys.accountFailures(createHash('sha256').update(email).digest('hex'));
      if (await over(accountKey, MAX_ACCOUNT_FAILURES)) return form(req, reply, { next, error: t.throttled, status: 429, email });
      const account = email ? await accounts.authenticate(email, field(req, 'password') ?? '') : null;
      if (!account) {
        await Promise.all([count(ipKey), count(accountKey)]);
        return form(req, reply, { next, error: t.mismatch, status: 401, email });
      }
      await s.redis.del(accountKey);
      principal = { name: account.name, role: account.role, accountId: account.id, email: account.email };
    }
    // A new id on every sign-in (no fixation); an earlier session of this browser ends.
    await sessions.destroy(req.cookies[SESSION_COOKIE]);
    const { id, session } = await sessions.create(principal);
    setSessionCookies(reply, req, baseUrl, id, session);
    reply.setCookie(LOGIN_COOKIE, '', cookieOptions(req, baseUrl, '/admin/login', 0));
    return reply.redirect(next === '/admin' && principal.role === 'contributor' ? '/admin/drafts' : next, 303);
  });

  app.post('/logout', async (req, reply) => {
    sessionOf(req);
    await sessions.destroy(req.cookies[SESSION_COOKIE]);
    clearSessionCookies(reply, req, baseUrl);
    return reply.redirect('/admin/login?msg=signed-out', 303);
  });
}
