// /admin/accounts (admin): the people who use the desk. Invite (an account and a one-time
// set-password link sent by e-mail), change a role, disable or enable. A disabled person is
// signed out at their next request (the session hook reads the account every time).
import type { FastifyInstance } from 'fastify';
import { AccountError, ROLES, setPasswordUrl, type AccountStore } from '../../accounts/store.js';
import type { Role } from '../../http/auth.js';
import { invitationMail, sendDeskMail } from '../../desk/mail.js';
import { field, param, routeConfig, sendPage, sessionOf, withMsg, type AdminContext } from '../context.js';
import { html, layout, timeTag } from '../html.js';

const ROLE_TEXT: Record<Role, string> = {
  contributor: 'Contributor (writes drafts for review)',
  librarian: 'Librarian (posts and reviews)',
  admin: 'Administrator (also manages accounts)',
};

const FLASH: Record<string, string> = {
  invited: 'Invitation sent.',
  role: 'Role changed.',
  disabled: 'Account disabled; that person is signed out.',
  enabled: 'Account enabled again.',
  self: 'You cannot disable your own account or change your own role.',
};

const roleOptions = (current: Role) => ROLES.map((r) => html`<option value="${r}"${r === current ? html` selected` : ''}>${ROLE_TEXT[r]}</option>`);

export async function accountsPage(app: FastifyInstance, opts: { ctx: AdminContext; accounts: AccountStore }): Promise<void> {
  const { s } = opts.ctx;
  const { accounts } = opts;

  const render = async (req: Parameters<typeof sessionOf>[0], o: { error?: string; typed?: Record<string, string> } = {}) => {
    const me = sessionOf(req);
    const list = await accounts.list();
    const t = o.typed ?? {};
    const rows = list.map((a) => html`<tr>
<td>${a.name}</td><td>${a.email}</td>
<td><form method="post" action="/admin/accounts/${a.id}/role" class="inline"><input type="hidden" name="_csrf" value="${me.csrf}">
<label class="sr-only" for="role-${a.id}">Role of ${a.name}</label>
<select id="role-${a.id}" name="role">${roleOptions(a.role)}</select> <button type="submit" class="btn">Change role</button></form></td>
<td>${a.disabled ? 'disabled' : 'active'}</td>
<td>${timeTag(a.createdAt, opts.ctx.tz)}</td>
<td><form method="post" action="/admin/accounts/${a.id}/${a.disabled ? 'enable' : 'disable'}" class="inline"><input type="hidden" name="_csrf" value="${me.csrf}">
<button type="submit" class="btn${a.disabled ? '' : ' danger'}">${a.disabled ? 'Enable' : 'Disable'} <span class="sr-only">${a.name}</span></button></form></td>
</tr>`);
    const body = html`<h1>Accounts</h1>
<section class="card">
<h2>Invite someone</h2>
<p>They get an e-mail with a link to choose their password (it works once, for 72 hours).</p>
${o.error ? html`<p class="error" role="alert" id="invite-error">${o.error}</p>` : ''}
<form method="post" action="/admin/accounts/invite" class="stack">
<input type="hidden" name="_csrf" value="${me.csrf}">
<label for="inv-name">Name</label><input id="inv-name" name="name" required maxlength="100" value="${t.name ?? ''}" autocomplete="off">
<label for="inv-email">E-mail</label><input id="inv-email" name="email" type="email" required value="${t.email ?? ''}" autocomplete="off"${o.error ? html` aria-describedby="invite-error"` : ''}>
<label for="inv-role">Role</label><select id="inv-role" name="role">${roleOptions((t.role as Role) ?? 'contributor')}</select>
<button type="submit" class="btn primary">Send invitation</button>
</form>
</section>
<section class="card">
<h2>People</h2>
<div class="table-wrap"><table>
<thead><tr><th scope="col">Name</th><th scope="col">E-mail</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Since</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
<tbody>${rows}</tbody>
</table></div>
${list.length === 0 ? html`<p>No accounts yet.</p>` : ''}
</section>`;
    const flash = FLASH[param(req, 'msg') ?? ''];
    return layout(body, { title: 'Accounts', session: me, active: 'accounts', libraryName: s.config.library.name.en, flash });
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
      const message = err instanceof AccountError ? `Not invited: ${err.message}.` : `The invitation e-mail could not be sent: ${(err as Error).message}`;
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
