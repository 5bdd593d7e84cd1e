// /admin/set-password?token=…: the page behind a one-time link (from an invitation mail or
// `crier user add`). The link is used up only when a good password is saved; then the person
// is signed in. A used, unknown or expired link says so and nothing else.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { passwordProblem } from '../../accounts/password.js';
import type { AccountStore } from '../../accounts/store.js';
import { field, param, routeConfig, sendPage, type AdminContext } from '../context.js';
import { html, layout } from '../html.js';
import { uiLang, type UiLang } from '../i18n.js';
import { SESSION_COOKIE, setSessionCookies } from '../session.js';

const TEXT = {
  en: {
    title: 'Set password', heading: 'Choose your password', for: (who: string) => `For ${who}. Use at least 10 characters; a few words make a good one.`,
    password: 'Password', repeat: 'Repeat password', button: 'Set password', invalid: 'Link not valid', signIn: 'Sign in',
    gone: 'This link has already been used or has expired. Ask an administrator for a new one.',
  },
  zh: {
    title: '设置密码', heading: '设置您的密码', for: (who: string) => `账号：${who}。至少 10 个字符；几个词组合起来就是好密码。`,
    password: '密码', repeat: '再次输入密码', button: '设置密码', invalid: '链接无效', signIn: '登录',
    gone: '此链接已被使用或已过期。请向管理员索取新链接。',
  },
} as const;

/** passwordProblem's English reasons, in Chinese. */
const ZH_PROBLEM: Record<string, string> = {
  'The two passwords are not the same.': '两次输入的密码不一致。',
  'Choose a password of at least 10 characters.': '请设置至少 10 个字符的密码。',
  'A password may have at most 200 characters.': '密码最多 200 个字符。',
};

export async function setPasswordPage(app: FastifyInstance, opts: { ctx: AdminContext; accounts: AccountStore }): Promise<void> {
  const { s, sessions } = opts.ctx;
  const { accounts } = opts;

  const page = (reply: FastifyReply, o: { token?: string; who?: string; error?: string; status?: number; lang: UiLang }) => {
    const t = TEXT[o.lang];
    const error = o.error && o.lang === 'zh' ? (ZH_PROBLEM[o.error] ?? o.error) : o.error;
    const body = o.token
      ? html`<section class="card narrow login">
<h1>${t.heading}</h1>
<p>${t.for(o.who ?? '')}</p>
${error ? html`<p class="error" role="alert" id="pw-error">${error}</p>` : ''}
<form method="post" action="/admin/set-password">
<input type="hidden" name="token" value="${o.token}">
<label for="password">${t.password}</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="10"${o.error ? html` aria-describedby="pw-error"` : ''}>
<label for="repeat">${t.repeat}</label>
<input id="repeat" name="repeat" type="password" autocomplete="new-password" required minlength="10">
<button type="submit" class="btn primary">${t.button}</button>
</form>
</section>`
      : html`<section class="card narrow"><h1>${t.invalid}</h1><p role="alert">${t.gone}</p><p><a href="/admin/login">${t.signIn}</a></p></section>`;
    return sendPage(reply, layout(body, { title: t.title, libraryName: s.config.library.name[o.lang], lang: o.lang }), o.status);
  };

  app.get('/set-password', routeConfig({ public: true }), async (req, reply) => {
    const token = param(req, 'token') ?? '';
    const account = await accounts.peekLink(token);
    if (!account || account.disabled) return page(reply, { status: 410, lang: uiLang(req) });
    return page(reply, { token, who: `${account.name} (${account.email})`, lang: uiLang(req) });
  });

  app.post('/set-password', routeConfig({ public: true }), async (req: FastifyRequest, reply) => {
    const token = field(req, 'token') ?? '';
    const peek = await accounts.peekLink(token);
    if (!peek || peek.disabled) return page(reply, { status: 410, lang: uiLang(req) });
    const problem = passwordProblem(field(req, 'password') ?? '', field(req, 'repeat') ?? '');
    if (problem) return page(reply, { token, who: `${peek.name} (${peek.email})`, error: problem, status: 400, lang: uiLang(req) });
    const account = await accounts.takeLink(token); // atomic: a second submit of the same link finds nothing
    if (!account) return page(reply, { status: 410, lang: uiLang(req) });
    await accounts.setPassword(account.id, field(req, 'password')!);
    await sessions.destroy(req.cookies[SESSION_COOKIE]);
    const { id, session } = await sessions.create({ name: account.name, role: account.role, accountId: account.id, email: account.email });
    setSessionCookies(reply, req, s.config.library.baseUrl, id, session);
    return reply.redirect(account.role === 'contributor' ? '/admin/drafts?msg=password-set' : '/admin/compose?msg=password-set', 303);
  });
}
