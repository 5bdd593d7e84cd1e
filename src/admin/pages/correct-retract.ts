// /admin/announcements/:id/retract (librarian, admin): says plainly what a retraction does on
// each of the announcement's channels (deleted where the platform can delete a sent message,
// the notice where it cannot, or nothing without one), takes an optional notice, and asks for
// the one button. Checked as POST /api/announcements/:id/retract does (checkRetract).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkRetract } from '../../corrections/requests.js';
import { localizeIssues } from '../../desk/issue-text.js';
import { notFound } from '../../http/errors.js';
import type { Announcement, Localized } from '../../types.js';
import type { FieldIssue } from '../../util/issues.js';
import { channelLabel } from '../channel-names.js';
import { routeConfig, sendPage, sessionOf, withMsg, type AdminContext } from '../context.js';
import { html, layout } from '../html.js';
import { uiLang } from '../lang.js';
import { waysOf } from './announcement-corrections.js';
import { titleOf } from './announcements.js';
import { correctable, noticeFields, noticeFromBody, refused, wentOut, type IdRoute } from './correct-shared.js';

const TEXT = {
  en: {
    title: 'Retract announcement', sep: ': ', back: '← Back to the announcement', button: 'Retract announcement', keep: 'Keep it',
    intro: 'Retracting withdraws it everywhere it went. This cannot be undone. On each channel:',
    unsent: 'It has not gone out yet: retracting cancels it, and nothing is sent.',
    way: {
      in_place: (ch: string) => `${ch}: deleted. Readers no longer see it.`,
      notice: (ch: string) => `${ch}: a sent message cannot be deleted here. Readers get your notice if you write one below; otherwise nothing is sent.`,
      none: (ch: string) => `${ch}: cannot be changed. Readers keep what was sent.`,
    },
    noticeHint: 'Said to readers on the channels that cannot delete a sent message.',
    fix: 'Please fix the notice; nothing was retracted.',
  },
  zh: {
    title: '撤回公告', sep: '：', back: '← 返回公告', button: '撤回公告', keep: '不撤回',
    intro: '撤回会在所有已发送的地方收回这条公告，且无法恢复。各渠道的处理方式：',
    unsent: '公告尚未发出：撤回即取消发送，不会发出任何内容。',
    way: {
      in_place: (ch: string) => `${ch}：删除，读者将看不到这条公告。`,
      notice: (ch: string) => `${ch}：已发出的消息无法删除。如果您在下方填写说明，读者会收到这条说明；否则不会发送任何内容。`,
      none: (ch: string) => `${ch}：无法更改，读者看到的仍是原内容。`,
    },
    noticeHint: '发给无法删除已发消息的渠道上的读者。',
    fix: '请修改说明；公告尚未撤回。',
  },
} as const;

export async function correctRetractPage(app: FastifyInstance, opts: { ctx: AdminContext }): Promise<void> {
  const { s } = opts.ctx;

  const page = (req: FastifyRequest, reply: FastifyReply, ann: Announcement, o: { notice?: Localized; issues?: FieldIssue[]; status?: number } = {}) => {
    const session = sessionOf(req);
    const lang = uiLang(req);
    const t = TEXT[lang];
    const self = `/admin/announcements/${encodeURIComponent(ann.id)}`;
    const sent = wentOut(ann);
    const ways = waysOf(s, ann.channels, 'retract');
    const issues = localizeIssues(o.issues ?? [], lang);
    const body = html`<p class="crumbs"><a href="${self}">${t.back}</a></p>
<section class="card narrow retract" aria-labelledby="retract-h">
<h1 id="retract-h">${t.title}${t.sep}<span class="alt">${titleOf(ann, lang).main}</span></h1>
${issues.length ? html`<div class="error-summary" role="alert" tabindex="-1" id="error-summary"><h2>${t.fix}</h2></div>` : ''}
${sent ? html`<p>${t.intro}</p>
<ul class="retract-ways">${ann.channels.map((ch) => html`<li data-channel="${ch}" data-way="${ways[ch]}">${t.way[ways[ch]](channelLabel(ch, lang))}</li>`)}</ul>` : html`<p>${t.unsent}</p>`}
<form method="post" action="${self}/retract" class="retract-form" novalidate>
<input type="hidden" name="_csrf" value="${session.csrf}">
${sent && ann.channels.some((ch) => ways[ch] === 'notice') ? noticeFields(lang, o.notice, issues, t.noticeHint) : ''}
<div class="buttons"><button type="submit" class="btn danger">${t.button}</button> <a class="btn" href="${self}">${t.keep}</a></div>
</form>
</section>`;
    return sendPage(reply, layout(body, { title: t.title, session, active: 'announcements', libraryName: s.config.library.name[lang], lang, path: `${self}/retract` }), o.status);
  };

  app.get<IdRoute>('/announcements/:id/retract', routeConfig({ action: 'correct' }), async (req, reply) => {
    const ann = await correctable(s, req, reply);
    return ann ? page(req, reply, ann) : reply;
  });

  app.post<IdRoute>('/announcements/:id/retract', routeConfig({ action: 'correct' }), async (req, reply) => {
    const ann = await correctable(s, req, reply);
    if (!ann) return reply;
    const notice = wentOut(ann) ? noticeFromBody(req.body) : undefined;
    const c = checkRetract(notice ? { notice } : {});
    if (!c.ok) return page(req, reply, ann, { notice, issues: c.issues, status: 400 });
    const r = await s.corrector.retract(ann.id, { by: sessionOf(req).name, ...(c.notice ? { notice: c.notice } : {}) });
    if (r.ok) return reply.redirect(withMsg(`/admin/announcements/${encodeURIComponent(ann.id)}`, r.status === 'cancelled' ? 'cancelled' : 'retracted'), 303);
    if (r.reason === 'not_found') throw notFound('announcement');
    return refused(req, reply, r.reason);
  });
}
