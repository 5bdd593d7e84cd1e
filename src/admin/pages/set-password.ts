// /admin/set-password?token=…: the page behind a one-time link (from an invitation mail or
// `crier user add`). The link is used up only when a good password is saved; then the person
// is signed in. A used, unknown or expired link says so and nothing else.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { passwordProblem } from '../../accounts/password.js';
import type { AccountStore } from '../../accounts/store.js';
import { field, param, routeConfig, sendPage, type AdminContext } from '../context.js';
import { html, layout } from '../html.js';
import { SESSION_COOKIE, setSessionCookies } from '../session.js';

const GONE = 'This link has already been used or has expired. Ask an administrator for a new one.';

export async function setPasswordPage(app: FastifyInstance, opts: { ctx: AdminContext; accounts: AccountStore }): Promise<void> {
  const { s, sessions } = opts.ctx;
  const { accounts } = opts;

  const page = (reply: FastifyReply, o: { token?: string; who?: string; error?: string; status?: number }) => {
    const body = o.token
      ? html`<section class="card narrow login">
<h1>Choose your password</h1>
<p>For ${o.who}. Use at least 10 characters; a few words make a good one.</p>
${o.error ? html`<p class="error" role="alert" id="pw-error">${o.error}</p>` : ''}
<form method="post" action="/admin/set-password">
<input type="hidden" name="token" value="${o.token}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="10"${o.error ? html` aria-describedby="pw-error"` : ''}>
<label for="repeat">Repeat password</label>
<input id="repeat" name="repeat" type="password" autocomplete="new-password" required minlength="10">
<button type="submit" class="btn primary">Set password</button>
</form>
</section>`
      : html`<section class="card narrow"><h1>Link not valid</h1><p role="alert">${GONE}</p><p><a href="/admin/login">Sign in</a></p></section>`;
    return sendPage(reply, layout(body, { title: 'Set password', libraryName: s.config.library.name.en }), o.status);
  };

  app.get('/set-password', routeConfig({ public: true }), async (req, reply) => {
    const token = param(req, 'token') ?? '';
    const account = await accounts.peekLink(token);
    if (!account || account.disabled) return page(reply, { status: 410 });
    return page(reply, { token, who: `${account.name} (${account.email})` });
  });

  app.post('/set-password', routeConfig({ public: true }), async (req: FastifyRequest, reply) => {
    const token = field(req, 'token') ?? '';
    const peek = await accounts.peekLink(token);
    if (!peek || peek.disabled) return page(reply, { status: 410 });
    const problem = passwordProblem(field(req, 'password') ?? '', field(req, 'repeat') ?? '');
    if (problem) return page(reply, { token, who: `${peek.name} (${peek.email})`, error: problem, status: 400 });
    const account = await accounts.takeLink(token); // atomic: a second submit of the same link finds nothing
    if (!account) return page(reply, { status: 410 });
    await accounts.setPassword(account.id, field(req, 'password')!);
    await sessions.destroy(req.cookies[SESSION_COOKIE]);
    const { id, session } = await sessions.create({ name: account.name, role: account.role, accountId: account.id, email: account.email });
    setSessionCookies(reply, req, s.config.library.baseUrl, id, session);
    return reply.redirect(account.role === 'contributor' ? '/admin/drafts?msg=password-set' : '/admin/compose?msg=password-set', 303);
  });
}
