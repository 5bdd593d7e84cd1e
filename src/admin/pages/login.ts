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
import {
  clearSessionCookies, cookieOptions, LOGIN_COOKIE, randomToken, sameSecret, SESSION_COOKIE, setSessionCookies,
} from '../session.js';

const MAX_FAILURES = 20;
const MAX_ACCOUNT_FAILURES = 5;
const FAILURE_WINDOW_S = 15 * 60;
const THROTTLED = 'Too many failed sign-ins. Wait 15 minutes and try again.';

export async function loginPages(app: FastifyInstance, opts: { ctx: AdminContext; accounts: AccountStore }): Promise<void> {
  const { s, auth, sessions } = opts.ctx;
  const { accounts } = opts;
  const baseUrl = s.config.library.baseUrl;

  const form = (req: FastifyRequest, reply: FastifyReply, opt: { next?: string; error?: string; status?: number; email?: string }) => {
    const nonce = randomToken();
    reply.setCookie(LOGIN_COOKIE, nonce, cookieOptions(req, baseUrl, '/admin/login', 3600));
    const hidden = html`<input type="hidden" name="_login" value="${nonce}">
<input type="hidden" name="next" value="${safeBack(opt.next)}">`;
    const body = html`<section class="card narrow login">
<h1>Sign in</h1>
${opt.error ? html`<p class="error" role="alert">${opt.error}</p>` : ''}
<form method="post" action="/admin/login" id="password-form">
${hidden}
<label for="email">E-mail</label>
<input id="email" name="email" type="email" autocomplete="username" required autofocus spellcheck="false" value="${opt.email ?? ''}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" class="btn primary">Sign in</button>
</form>
<p class="hint">Forgot your password, or never set one? Ask an administrator to send you a new link.</p>
<details class="token-signin">
<summary>Sign in with an API token instead (systems staff)</summary>
<form method="post" action="/admin/login" id="token-form">
${hidden}
<label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="off" required spellcheck="false">
<button type="submit" class="btn">Sign in with token</button>
</form>
</details>
</section>`;
    return sendPage(reply, layout(body, { title: 'Sign in', libraryName: s.config.library.name.en, flash: flashText(param(req, 'msg')) }), opt.status);
  };

  const count = async (key: string) => {
    if ((await s.redis.incr(key)) === 1) await s.redis.expire(key, FAILURE_WINDOW_S);
  };
  const over = async (key: string, max: number) => Number((await s.redis.get(key)) ?? 0) >= max;

  app.get('/login', routeConfig({ public: true }), async (req, reply) => {
    if (await sessions.get(req.cookies[SESSION_COOKIE])) return reply.redirect(safeBack(param(req, 'next')), 303);
    return form(req, reply, { next: param(req, 'next') });
  });

  app.post('/login', routeConfig({ public: true }), async (req, reply) => {
    const next = safeBack(field(req, 'next'));
    if (!sameSecret(field(req, '_login'), req.cookies[LOGIN_COOKIE])) {
      return form(req, reply, { next, error: 'The sign-in form expired. Please try again.', status: 403 });
    }
    const ipKey = s.keys.adminLoginFailures(req.ip);
    if (await over(ipKey, MAX_FAILURES)) return form(req, reply, { next, error: THROTTLED, status: 429 });

    let principal: Principal | null;
    const token = (field(req, 'token') ?? '').trim();
    const email = normalizeEmail(field(req, 'email') ?? '');
    if (token) {
      principal = auth.identify(`Bearer ${token}`);
      if (!principal) {
        await count(ipKey);
        return form(req, reply, { next, error: 'That token is not valid.', status: 401 });
      }
    } else {
      const accountKey = s.keys.accountFailures(createHash('sha256').update(email).digest('hex'));
      if (await over(accountKey, MAX_ACCOUNT_FAILURES)) return form(req, reply, { next, error: THROTTLED, status: 429, email });
      const account = email ? await accounts.authenticate(email, field(req, 'password') ?? '') : null;
      if (!account) {
        await Promise.all([count(ipKey), count(accountKey)]);
        return form(req, reply, { next, error: 'That e-mail address and password do not match an active account.', status: 401, email });
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
