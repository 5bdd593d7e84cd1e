// Sign-in with an API token (admin or librarian, from config.auth.tokens; compared in constant
// time by the API's own check), and sign-out. The sign-in form carries a one-time value that
// must match an HttpOnly cookie set with the form (so another site cannot sign a browser in),
// and an address gets 20 wrong tokens per 15 minutes. The token is never written back.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { field, flashText, param, routeConfig, safeBack, sendPage, sessionOf, type AdminContext } from '../context.js';
import { html, layout } from '../html.js';
import {
  clearSessionCookies, cookieOptions, LOGIN_COOKIE, randomToken, sameSecret, SESSION_COOKIE, setSessionCookies,
} from '../session.js';

const MAX_FAILURES = 20;
const FAILURE_WINDOW_S = 15 * 60;

export async function loginPages(app: FastifyInstance, opts: { ctx: AdminContext }): Promise<void> {
  const { s, auth, sessions } = opts.ctx;
  const baseUrl = s.config.library.baseUrl;

  const form = (req: FastifyRequest, reply: FastifyReply, opt: { next?: string; error?: string; status?: number }) => {
    const nonce = randomToken();
    reply.setCookie(LOGIN_COOKIE, nonce, cookieOptions(req, baseUrl, '/admin/login', 3600));
    const body = html`<section class="card narrow login">
<h1>Sign in</h1>
<p>Paste your Crier API token (an admin or librarian token from the configuration).</p>
${opt.error ? html`<p class="error" role="alert">${opt.error}</p>` : ''}
<form method="post" action="/admin/login">
<input type="hidden" name="_login" value="${nonce}">
<input type="hidden" name="next" value="${safeBack(opt.next)}">
<label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus spellcheck="false">
<button type="submit" class="btn primary">Sign in</button>
</form>
</section>`;
    return sendPage(reply, layout(body, { title: 'Sign in', libraryName: s.config.library.name.en, flash: flashText(param(req, 'msg')) }), opt.status);
  };

  app.get('/login', routeConfig({ public: true }), async (req, reply) => {
    if (await sessions.get(req.cookies[SESSION_COOKIE])) return reply.redirect(safeBack(param(req, 'next')), 303);
    return form(req, reply, { next: param(req, 'next') });
  });

  app.post('/login', routeConfig({ public: true }), async (req, reply) => {
    const next = safeBack(field(req, 'next'));
    if (!sameSecret(field(req, '_login'), req.cookies[LOGIN_COOKIE])) {
      return form(req, reply, { next, error: 'The sign-in form expired. Please try again.', status: 403 });
    }
    const failKey = s.keys.adminLoginFailures(req.ip);
    if (Number((await s.redis.get(failKey)) ?? 0) >= MAX_FAILURES) {
      return form(req, reply, { next, error: 'Too many wrong tokens from this address. Wait 15 minutes.', status: 429 });
    }
    const token = (field(req, 'token') ?? '').trim();
    const principal = token ? auth.identify(`Bearer ${token}`) : null;
    if (!principal) {
      if ((await s.redis.incr(failKey)) === 1) await s.redis.expire(failKey, FAILURE_WINDOW_S);
      return form(req, reply, { next, error: 'That token is not valid.', status: 401 });
    }
    // A new id on every sign-in (no fixation); an earlier session of this browser ends.
    await sessions.destroy(req.cookies[SESSION_COOKIE]);
    const { id, session } = await sessions.create(principal);
    setSessionCookies(reply, req, baseUrl, id, session);
    reply.setCookie(LOGIN_COOKIE, '', cookieOptions(req, baseUrl, '/admin/login', 0));
    return reply.redirect(next, 303);
  });

  app.post('/logout', async (req, reply) => {
    sessionOf(req);
    await sessions.destroy(req.cookies[SESSION_COOKIE]);
    clearSessionCookies(reply, req, baseUrl);
    return reply.redirect('/admin/login?msg=signed-out', 303);
  });
}
