// /admin/announcements/:id/edit (librarian, admin): the compose form, filled with the current
// revision, plus an optional notice for readers whose platform cannot change a sent message.
// "Save correction" checks it exactly as PUT /api/announcements/:id does (checkEdit); a wrong
// field is shown beside the field and nothing changes. Saved, it becomes the next revision and
// the page goes back to the announcement, which shows how far the correction has gone out.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { enabledChannelNames } from '../../config/schema.js';
import { checkEdit } from '../../corrections/requests.js';
import { localizeIssues } from '../../desk/issue-text.js';
import { announcementToFields, fieldsToInput, pickFields } from '../../desk/form.js';
import type { FormFields } from '../../desk/drafts.js';
import { notFound } from '../../http/errors.js';
import type { Announcement, Localized } from '../../types.js';
import type { FieldIssue } from '../../util/issues.js';
import { channelLabel } from '../channel-names.js';
import { routeConfig, sendPage, sessionOf, withMsg, type AdminContext } from '../context.js';
import { html, layout, timeTag } from '../html.js';
import { uiLang, type UiLang } from '../lang.js';
import { waysOf } from './announcement-corrections.js';
import { titleOf } from './announcements.js';
import { composeForm } from './compose-form.js';
import { correctable, noticeFields, noticeLabel, noticeFromBody, refused, wentOut, type IdRoute } from './correct-shared.js';

const TEXT = {
  en: {
    title: 'Edit announcement', sep: ': ', back: '← Back to the announcement', save: 'Save correction', keep: 'Cancel',
    sent: (rev: number, at: SafeText) => html`Revision ${rev} went out ${at}. Saving makes the next revision: readers see the new text where the platform can change a sent message, and get your notice where it cannot.`,
    unsent: 'It has not gone out yet: saving simply replaces it, and it will be sent as it is then.',
    fixed: 'Topics and channels cannot change once it has gone out.',
    noticeTo: (chs: string) => `Sent as a new message on: ${chs} (these cannot change a message already sent).`,
    noNotice: 'Every channel of this announcement changes the message in place; the notice is only kept in the history.',
  },
  zh: {
    title: '编辑公告', sep: '：', back: '← 返回公告', save: '保存更正', keep: '取消',
    sent: (rev: number, at: SafeText) => html`第 ${rev} 版已于 ${at} 发出。保存后成为新的一版：能修改已发消息的平台会直接显示新内容，不能修改的平台会向读者发送您写的说明。`,
    unsent: '公告尚未发出：保存后直接替换原内容，届时按新内容发送。',
    fixed: '公告发出后，主题和渠道不能更改。',
    noticeTo: (chs: string) => `将作为一条新消息发送到：${chs}（这些渠道无法修改已发出的消息）。`,
    noNotice: '这条公告的所有渠道都能直接修改原消息；说明只会记录在修改记录中。',
  },
} as const;
type SafeText = ReturnType<typeof html>;

export async function correctEditPage(app: FastifyInstance, opts: { ctx: AdminContext }): Promise<void> {
  const { s, tz } = opts.ctx;
  const enabled = enabledChannelNames(s.config);

  const page = (req: FastifyRequest, reply: FastifyReply, ann: Announcement, o: { fields: FormFields; notice?: Localized; issues?: FieldIssue[]; status?: number }) => {
    const session = sessionOf(req);
    const lang: UiLang = uiLang(req);
    const t = TEXT[lang];
    const self = `/admin/announcements/${encodeURIComponent(ann.id)}`;
    const sent = wentOut(ann);
    const issues = localizeIssues(o.issues ?? [], lang);
    const ways = waysOf(s, ann.channels, 'edit');
    const noticed = ann.channels.filter((ch) => ways[ch] !== 'in_place').map((ch) => channelLabel(ch, lang));
    const extra = sent ? noticeFields(lang, o.notice, issues, noticed.length ? t.noticeTo(noticed.join(lang === 'zh' ? '、' : ', ')) : t.noNotice) : html``;
    const buttons = html`<button type="submit" class="btn primary">${t.save}</button> <a class="btn" href="${self}">${t.keep}</a>`;
    const main = titleOf(ann, lang).main;
    const body = html`<p class="crumbs"><a href="${self}">${t.back}</a></p>
<h1>${t.title}${t.sep}<span class="alt">${main}</span></h1>
<p class="note">${sent ? t.sent(ann.revision ?? 1, timeTag(ann.publishedAt, tz, lang)) : t.unsent}${sent ? html`${lang === 'zh' ? '' : ' '}${t.fixed}` : ''}</p>
${composeForm({
    // Once sent, the channels it went to are all there is to show (they cannot change).
    lang, session, config: s.config, enabled: sent ? ann.channels : [...new Set([...enabled, ...ann.channels])], fields: o.fields,
    issues: issues.map((i) => (i.path.startsWith('notice') ? { ...i, path: noticeLabel(lang, i.path) } : i)), previews: [], counters: [],
    correction: { action: `${self}/edit`, extra, buttons, sent },
  })}`;
    return sendPage(reply, layout(body, { title: t.title, session, active: 'announcements', libraryName: s.config.library.name[lang], lang, path: `${self}/edit` }), o.status);
  };

  app.get<IdRoute>('/announcements/:id/edit', routeConfig({ action: 'correct' }), async (req, reply) => {
    const ann = await correctable(s, req, reply);
    if (!ann) return reply;
    return page(req, reply, ann, { fields: announcementToFields(ann, tz, { publishAt: ann.status === 'scheduled' }) });
  });

  app.post<IdRoute>('/announcements/:id/edit', routeConfig({ action: 'correct' }), async (req, reply) => {
    const ann = await correctable(s, req, reply);
    if (!ann) return reply;
    const fields = pickFields(req.body);
    const notice = wentOut(ann) ? noticeFromBody(req.body) : undefined;
    const c = checkEdit(s.producer.schema, { ...fieldsToInput(fields, tz), ...(notice ? { notice } : {}) });
    if (!c.ok) return page(req, reply, ann, { fields, notice, issues: c.issues, status: 400 });
    const r = await s.corrector.edit(ann.id, c.input, { by: sessionOf(req).name, ...(c.notice ? { notice: c.notice } : {}) });
    if (r.ok) return reply.redirect(withMsg(`/admin/announcements/${encodeURIComponent(ann.id)}`, r.corrected ? 'corrected' : 'edited'), 303);
    if (r.reason === 'not_found') throw notFound('announcement');
    if (r.reason === 'invalid') return page(req, reply, ann, { fields, notice, issues: r.issues, status: 400 });
    return refused(req, reply, r.reason);
  });
}
