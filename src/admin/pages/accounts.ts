// /admin/accounts (admin): the people who use the desk. Invite (an account and a one-time
// set-password link sent by e-mail), change a role, disable or enable. A disabled person is
// signed out at their next request (the session hook reads the account every time).
import type { FastifyInstance } from 'fastify';
import { AccountError, ROLES, setPasswordUrl, type AccountStore } from '../../accounts/store.js';
import type { Role } from '../../http/auth.js';
import { invitationMail, sendDeskMail } from '../../desk/mail.js';
import { field, param, routeConfig, sendPage, sessionOf, withMsg, type AdminContext } from '../context.js';
import { html, layout, timeTag } from '../html.js';
import { uiLang, type UiLang } from '../i18n.js';

const TEXT = {
  en: {
    roles: { contributor: 'Contributor (writes drafts for review)', librarian: 'Librarian (posts and reviews)', admin: 'Administrator (also manages accounts)' } as Record<Role, string>,
    flash: {
      invited: 'Invitation sent.', role: 'Role changed.', disabled: 'Account disabled; that person is signed out.',
      enabled: 'Account enabled again.', self: 'You cannot disable your own account or change your own role.',
    } as Record<string, string>,
    title: 'Accounts', invite: 'Invite someone', inviteHint: 'They get an e-mail with a link to choose their password (it works once, for 72 hours).',
    name: 'Name', email: 'E-mail', role: 'Role', send: 'Send invitation', people: 'People', status: 'Status', since: 'Since', actions: 'Actions',
    roleOf: (n: string) => `Role of ${n}`, change: 'Change role', disable: 'Disable', enable: 'Enable', active: 'active', disabledState: 'disabled',
    none: 'No accounts yet.', notInvited: (m: string) => `Not invited: ${m}.`, mailFailed: (m: string) => `The invitation e-mail could not be sent: ${m}`,
  },
  zh: {
    roles: { contributor: '投稿人（撰写草稿，提交审核）', librarian: '馆员（发布和审核）', admin: '管理员（还可管理账号）' } as Record<Role, string>,
    flash: {
      invited: '邀请已发送。', role: '角色已更改。', disabled: '账号已停用，该用户已被登出。',
      enabled: '账号已重新启用。', self: '不能停用自己的账号或更改自己的角色。',
    } as Record<string, string>,
    title: '账号', invite: '邀请新用户', inviteHint: '对方会收到一封电子邮件，内含设置密码的链接（仅可使用一次，72 小时内有效）。',
    name: '姓名', email: '邮箱', role: '角色', send: '发送邀请', people: '用户', status: '状态', since: '创建于', actions: '操作',
    roleOf: (n: string) => `${n}的角色`, change: '更改角色', disable: '停用', enable: '启用', active: '正常', disabledState: '已停用',
    none: '还没有账号。', notInvited: (m: string) => `未能邀请：${m}。`, mailFailed: (m: string) => `邀请邮件发送失败：${m}`,
  },
} as const;

const roleOptions = (current: Role, lang: UiLang) => ROLES.map((r) => html`<option value="${r}"${r === current ? html` selected` : ''}>${TEXT[lang].roles[r]}</option>`);

export async function accountsPage(app: FastifyInstance, opts: { ctx: AdminContext; accounts: AccountStore }): Promise<void> {
  const { s } = opts.ctx;
  const { accounts } = opts;

  const render = async (req: Parameters<typeof sessionOf>[0], o: { error?: string; typed?: Record<string, string> } = {}) => {
    const me = sessionOf(req);
    const lang = uiLang(req);
    const tx = TEXT[lang];
    const list = await accounts.list();
    const t = o.typed ?? {};
    const rows = list.map((a) => html`<tr>
<td>${a.name}</td><td>${a.email}</td>
<td><form method="post" action="/admin/accounts/${a.id}/role" class="inline"><input type="hidden" name="_csrf" value="${me.csrf}">
<label class="sr-only" for="role-${a.id}">${tx.roleOf(a.name)}</label>
<select id="role-${a.id}" name="role">${roleOptions(a.role, lang)}</select> <button type="submit" class="btn">${tx.change}</button></form></td>
<td>${a.disabled ? tx.disabledState : tx.active}</td>
<td>${timeTag(a.createdAt, opts.ctx.tz, lang)}</td>
<td><form method="post" action="/admin/accounts/${a.id}/${a.disabled ? 'enable' : 'disable'}" class="inline"><input type="hidden" name="_csrf" value="${me.csrf}">
<button type="submit" class="btn${a.disabled ? '' : ' danger'}">${a.disabled ? tx.enable : tx.disable} <span class="sr-only">${a.name}</span></button></form></td>
</tr>`);
    const body = html`<h1>${tx.title}</h1>
<section class="card">
<h2>${tx.invite}</h2>
<p>${tx.inviteHint}</p>
${o.error ? html`<p class="error" role="alert" id="invite-error">${o.error}</p>` : ''}
<form method="post" action="/admin/accounts/invite" class="stack">
<input type="hidden" name="_csrf" value="${me.csrf}">
<label for="inv-name">${tx.name}</label><input id="inv-name" name="name" required maxlength="100" value="${t.name ?? ''}" autocomplete="off">
<label for="inv-email">${tx.email}</label><input id="inv-email" name="email" type="email" required value="${t.email ?? ''}" autocomplete="off"${o.error ? html` aria-describedby="invite-error"` : ''}>
<label for="inv-role">${tx.role}</label><select id="inv-role" name="role">${roleOptions((t.role as Role) ?? 'contributor', lang)}</select>
<button type="submit" class="btn primary">${tx.send}</button>
</form>
</section>
<section class="card">
<h2>${tx.people}</h2>
<div class="table-wrap"><table>
<thead><tr><th scope="col">${tx.name}</th><th scope="col">${tx.email}</th><th scope="col">${tx.role}</th><th scope="col">${tx.status}</th><th scope="col">${tx.since}</th><th scope="col"><span class="sr-only">${tx.actions}</span></th></tr></thead>
<tbody>${rows}</tbody>
</table></div>
${list.length === 0 ? html`<p>${tx.none}</p>` : ''}
</section>`;
    const flash = tx.flash[param(req, 'msg') ?? ''];
    return layout(body, { title: tx.title, session: me, active: 'accounts', libraryName: s.config.library.name[lang], flash, lang, path: '/admin/accounts' });
  };

  app.get('/accounts', routeConfig({ action: 'accounts' }), async (req, reply) => sendPage(reply, await render(req)));

  app.post('/accounts/invite', routeConfig({ action: 'accounts' }), async (req, reply) => {
    const me = sessionOf(req);
    const typed = { name: field(req, 'name') ?? '', email: field(req, 'email') ?? '', role: field(req, 'role') ?? 'contributor' };
    try {
      const a = await accounts.create({ name: typed.name, email: typed.email, role: typed.role as Role, createdBy: me.name });
      const link = setPasswordUrl(s.config, await accounts.issueLink(a.id));
      await sendDeskMail(s, { to: a.email, ...invitationMail(s, a, link, me.name) }, 'invite');
      s.log.info('account invited', { account: a.id, role: a.role, by: me.name });
      return reply.redirect(withMsg('/admin/accounts', 'invited'), 303);
    } catch (err) {
      const tx = TEXT[uiLang(req)];
      const message = err instanceof AccountError ? tx.notInvited(err.message) : tx.mailFailed((err as Error).message);
      return sendPage(reply, await render(req, { error: message, typed }), 400);
    }
  });

  const change = (op: 'role' | 'disable' | 'enable') =>
    app.post<{ Params: { id: string } }>(`/accounts/:id/${op}`, routeConfig({ action: 'accounts' }), async (req, reply) => {
      const me = sessionOf(req);
      if (me.accountId === req.params.id) return reply.redirect(withMsg('/admin/accounts', 'self'), 303);
      const role = field(req, 'role') as Role | undefined;
      if (op === 'role' && !(role && ROLES.includes(role))) return reply.code(400).send({ error: 'bad_role', message: `role must be one of ${ROLES.join(', ')}` });
      const done = op === 'role' ? await accounts.setRole(req.params.id, role!) : await accounts.setDisabled(req.params.id, op === 'disable');
      if (!done) return reply.callNotFound();
      s.log.info(`account ${op}`, { account: req.params.id, role, by: me.name });
      return reply.redirect(withMsg('/admin/accounts', op === 'role' ? 'role' : `${op}d`), 303);
    });
  change('role');
  change('disable');
  change('enable');
}
