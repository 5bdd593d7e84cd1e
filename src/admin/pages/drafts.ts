// /admin/drafts: drafts and where they stand (contributors see their own, reviewers all), and
// /admin/drafts/:id: one draft as each channel would send it, with the reviewer's "Approve"
// (posted or scheduled through the Producer) and "Return with comment". The author is told
// by e-mail either way; a returned draft shows the comment to its author. Approve carries the
// version of the draft the reviewer saw: if the draft has changed since, nothing is posted and
// the page answers 409 with the text as it now is.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { post, validateFields } from '../../desk/actions.js';
import { authorOf, revOf, type Draft, type DraftState, type DraftStore } from '../../desk/drafts.js';
import { one } from '../../desk/form.js';
import { reviewMail, sendDeskMail } from '../../desk/mail.js';
import { previewAnnouncement, previewChannels } from '../../render/channel-preview.js';
import type { Services } from '../../services.js';
import { field, param, refuse, routeConfig, sendPage, sessionOf, wantsJson, withMsg, type AdminContext } from '../context.js';
import { html, layout, timeTag, type SafeHtml } from '../html.js';
import { previewsHtml } from './compose-form.js';
import { uiLang, type UiLang } from '../i18n.js';

const TEXT = {
  en: {
    states: { draft: 'Draft', submitted: 'Waiting for review', returned: 'Returned with a comment', approved: 'Approved and posted' } as Record<DraftState, string>,
    flash: {
      submitted: 'Submitted for review. You will get an e-mail when a librarian has looked at it.',
      returned: 'Returned to its author with your comment.',
      'already-posted': 'That draft has already been posted.',
      'password-set': 'Your password is set and you are signed in.',
      'not-submitted': 'Only a draft waiting for review can be approved or returned.',
    } as Record<string, string>,
    untitled: '(no title yet)', mine: 'My drafts', all: 'Drafts and review', title: 'Drafts', new: 'Write a new announcement', none: 'No drafts yet.',
    by: (n: string) => `by ${n}`, changed: 'changed', reviewedBy: (n: string) => `reviewed by ${n}`, comment: 'Comment:',
    back: '← All drafts', edit: 'Edit', deliveries: 'See its deliveries', asSent: 'As it will be sent', notReady: 'Not complete yet:',
    review: 'Your review', approve: 'Approve', commentLabel: 'Comment', return: 'Return with comment',
    approveHint: (at?: string) => (at ? `It will be scheduled for ${at} (library time).` : 'It will be posted at once.'),
    cannotApprove: 'This draft does not pass the checks yet, so it cannot be approved:',
    commentFrom: (n: string) => `Comment from ${n}`, reviewer: 'the reviewer', notFound: 'No such draft (or it is someone else’s).',
    needComment: 'Write a comment that tells the author what to change.',
    staleTitle: 'This draft changed after you opened it',
    stale: (at: SafeHtml) => html`Nothing was posted. The draft was changed ${at}, after you opened it for review. Read the text as it now is below, and approve again if it is right.`,
    staleApi: 'The draft changed after this review page was opened; nothing was posted. Open it again and approve the current text.',
  },
  zh: {
    states: { draft: '草稿', submitted: '等待审核', returned: '已退回（附意见）', approved: '已批准并发布' } as Record<DraftState, string>,
    flash: {
      submitted: '已提交审核。馆员审核后您会收到电子邮件。',
      returned: '已将草稿连同您的意见退回作者。',
      'already-posted': '这份草稿已经发布。',
      'password-set': '密码已设置，您已登录。',
      'not-submitted': '只有等待审核的草稿才能批准或退回。',
    } as Record<string, string>,
    untitled: '（尚无标题）', mine: '我的草稿', all: '草稿与审核', title: '草稿', new: '撰写新公告', none: '还没有草稿。',
    by: (n: string) => `作者：${n}`, changed: '修改于', reviewedBy: (n: string) => `审核人：${n}`, comment: '意见：',
    back: '← 全部草稿', edit: '编辑', deliveries: '查看发送情况', asSent: '发送效果', notReady: '尚未完成：',
    review: '您的审核', approve: '批准', commentLabel: '意见', return: '附意见退回',
    approveHint: (at?: string) => (at ? `将定时于 ${at}（图书馆时间）发布。` : '将立即发布。'),
    cannotApprove: '此草稿尚未通过检查，暂不能批准：',
    commentFrom: (n: string) => `${n}的意见`, reviewer: '审核人', notFound: '没有这份草稿（或它属于其他人）。',
    needComment: '请写下意见，告诉作者需要修改什么。',
    staleTitle: '这份草稿在您打开后已被修改',
    stale: (at: SafeHtml) => html`没有发布任何内容。您打开审核页面之后，草稿于 ${at} 被修改。请阅读下面的最新内容，确认无误后再批准。`,
    staleApi: '审核页面打开后草稿已被修改，没有发布任何内容。请重新打开并批准最新内容。',
  },
} as const;

export const draftTitle = (d: Draft, lang: UiLang = 'en'): string =>
  (lang === 'zh' ? one(d.fields, 'title.zh') || one(d.fields, 'title.en') : one(d.fields, 'title.en') || one(d.fields, 'title.zh')) || TEXT[lang].untitled;
const badge = (state: DraftState, lang: UiLang) => html`<span class="badge draft-${state}">${TEXT[lang].states[state]}</span>`;

/**
 * Tells a draft's author by e-mail that a reviewer approved or returned it (not when authors
 * post their own). Approving from the review page and posting a submitted draft from compose
 * both end here.
 */
export async function tellAuthor(s: Pick<Services, 'config' | 'channels' | 'pacer' | 'keys' | 'log'>, d: Draft, outcome: 'approved' | 'returned', reviewer: string): Promise<void> {
  if (!d.authorEmail || d.authorName === reviewer) return;
  const url = `${s.config.library.baseUrl.replace(/\/+$/, '')}/admin/drafts/${d.id}`;
  try {
    await sendDeskMail(s, { to: d.authorEmail, ...reviewMail(s, outcome, { title: draftTitle(d), reviewer, comment: d.comment, url }) }, `review-${outcome}`);
  } catch (err) {
    // The review stands; the author still sees it on the drafts page.
    s.log.warn('review mail not sent', { draft: d.id, error: (err as Error).message });
  }
}

export async function draftsPage(app: FastifyInstance, opts: { ctx: AdminContext; drafts: DraftStore }): Promise<void> {
  const { s, tz } = opts.ctx;
  const { drafts } = opts;

  const visible = async (req: FastifyRequest, id: string): Promise<Draft | null> => {
    const session = sessionOf(req);
    const d = await drafts.get(id);
    return d && (session.role !== 'contributor' || d.authorId === authorOf(session).id) ? d : null;
  };

  app.get('/drafts', routeConfig({ action: 'compose' }), async (req, reply) => {
    const session = sessionOf(req);
    const lang = uiLang(req);
    const t = TEXT[lang];
    const mine = session.role === 'contributor';
    const list = await drafts.list(mine ? { authorId: authorOf(session).id } : {});
    const order: DraftState[] = mine ? ['returned', 'draft', 'submitted', 'approved'] : ['submitted', 'returned', 'draft', 'approved'];
    const sorted = [...list].sort((a, b) => order.indexOf(a.state) - order.indexOf(b.state));
    const rows = sorted.map((d) => html`<li class="draft-row" data-draft="${d.id}">
<div><a href="/admin/drafts/${d.id}" class="draft-title">${draftTitle(d, lang)}</a> ${badge(d.state, lang)}</div>
<div class="meta">${mine ? '' : html`${t.by(d.authorName)} · `}${t.changed} ${timeTag(d.updatedAt, tz, lang)}${d.reviewedBy ? html` · ${t.reviewedBy(d.reviewedBy)}` : ''}</div>
${d.state === 'returned' && d.comment ? html`<p class="comment-line"><b>${t.comment}</b> ${d.comment}</p>` : ''}
</li>`);
    const body = html`<h1>${mine ? t.mine : t.all}</h1>
<p><a class="btn primary" href="/admin/compose">${t.new}</a></p>
${list.length ? html`<ul class="drafts">${rows}</ul>` : html`<p>${t.none}</p>`}`;
    return sendPage(reply, layout(body, { title: t.title, session, active: 'drafts', libraryName: s.config.library.name[lang], flash: t.flash[param(req, 'msg') ?? ''], lang, path: '/admin/drafts' }));
  });

  /** One draft's page; `stale`: an approve was refused because the draft changed since it was opened. */
  const show = (req: FastifyRequest, reply: FastifyReply, d: Draft, o: { stale?: boolean } = {}) => {
    const session = sessionOf(req);
    const lang = uiLang(req);
    const t = TEXT[lang];
    const v = validateFields(s, d.fields);
    const previews = v.ok ? previewChannels(s.channels, previewAnnouncement(s.config, v.value), s.config.library.defaultLanguage) : [];
    const problems = v.ok ? '' : v.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    const reviewer = session.role !== 'contributor';
    const mayEdit = d.state !== 'approved' && (reviewer || d.authorId === authorOf(session).id);
    const publishAt = one(d.fields, 'publishAt');
    const review = reviewer && d.state === 'submitted'
      ? html`<section class="card review" aria-labelledby="review-h">
<h2 id="review-h">${t.review}</h2>
${v.ok ? html`<form method="post" action="/admin/drafts/${d.id}/approve" class="inline"><input type="hidden" name="_csrf" value="${session.csrf}"><input type="hidden" name="rev" value="${String(revOf(d))}">
<button type="submit" class="btn primary">${t.approve}</button> <span class="hint">${t.approveHint(publishAt ? publishAt.replace('T', ' ') : undefined)}</span></form>`
    : html`<p class="error">${t.cannotApprove} ${problems}</p>`}
<form method="post" action="/admin/drafts/${d.id}/return" class="stack">
<input type="hidden" name="_csrf" value="${session.csrf}">
<label for="comment">${t.commentLabel}</label>
<textarea id="comment" name="comment" rows="4" required maxlength="2000"></textarea>
<button type="submit" class="btn">${t.return}</button>
</form>
</section>` : '';
    const stale = o.stale
      ? html`<section class="error-summary" role="alert" tabindex="-1" id="stale" aria-labelledby="stale-h"><h2 id="stale-h">${t.staleTitle}</h2><p>${t.stale(timeTag(d.updatedAt, tz, lang))}</p></section>`
      : '';
    const body = html`<p><a href="/admin/drafts">${t.back}</a></p>
${stale}<h1>${draftTitle(d, lang)}</h1>
<p class="meta">${badge(d.state, lang)} · ${t.by(d.authorName)} · ${t.changed} ${timeTag(d.updatedAt, tz, lang)}${d.reviewedBy ? html` · ${t.reviewedBy(d.reviewedBy)}` : ''}</p>
${d.comment && d.state === 'returned' ? html`<section class="card comment" aria-labelledby="comment-h"><h2 id="comment-h">${t.commentFrom(d.reviewedBy ?? t.reviewer)}</h2><p class="pre">${d.comment}</p></section>` : ''}
${mayEdit ? html`<p><a class="btn" href="/admin/compose?draft=${d.id}">${t.edit}</a></p>` : ''}
${d.announcementId && reviewer ? html`<p><a href="/admin/announcements/${d.announcementId}">${t.deliveries}</a></p>` : ''}
<section class="card" aria-labelledby="as-sent-h"><h2 id="as-sent-h">${t.asSent}</h2>
${v.ok ? previewsHtml(previews, lang) : html`<p>${t.notReady} ${problems}</p>`}
</section>
${review}`;
    return sendPage(reply, layout(body, { title: draftTitle(d, lang), session, active: 'drafts', libraryName: s.config.library.name[lang], flash: t.flash[param(req, 'msg') ?? ''], lang, path: `/admin/drafts/${d.id}` }), o.stale ? 409 : 200);
  };

  app.get<{ Params: { id: string } }>('/drafts/:id', routeConfig({ action: 'compose' }), async (req, reply) => {
    const d = await visible(req, req.params.id);
    if (!d) return refuse(req, reply, 404, 'not_found', TEXT[uiLang(req)].notFound);
    return show(req, reply, d);
  });

  /** 409: the draft is not the version the reviewer saw; nothing was posted. */
  const changed = (req: FastifyRequest, reply: FastifyReply, d: Draft) =>
    wantsJson(req) ? reply.code(409).send({ error: 'draft_changed', message: TEXT[uiLang(req)].staleApi, rev: revOf(d) }) : show(req, reply, d, { stale: true });

  const tell = (d: Draft, outcome: 'approved' | 'returned', reviewer: string) => tellAuthor(s, d, outcome, reviewer);

  app.post<{ Params: { id: string } }>('/drafts/:id/approve', routeConfig({ action: 'review' }), async (req, reply) => {
    const session = sessionOf(req);
    const d = await drafts.get(req.params.id);
    if (!d) return refuse(req, reply, 404, 'not_found', 'No such draft.');
    if (d.state !== 'submitted') return reply.redirect(withMsg(`/admin/drafts/${d.id}`, 'not-submitted'), 303);
    // Only the version the reviewer saw may be approved; a form without one saw none.
    if (field(req, 'rev') !== String(revOf(d))) return changed(req, reply, d);
    const v = validateFields(s, d.fields);
    if (!v.ok) return reply.redirect(`/admin/drafts/${d.id}`, 303);
    // Mark it approved only if it is still that version (one compare-and-set in Redis), before
    // posting: a save landing after the check above can then neither be posted unseen nor be
    // overwritten, and an approved draft takes no more edits while it is being posted.
    const claimed: Draft = { ...d, state: 'approved', reviewedBy: session.name, reviewedAt: new Date().toISOString() };
    if (!(await drafts.saveIfUnchanged(claimed))) return changed(req, reply, (await drafts.get(d.id)) ?? d);
    let r: Awaited<ReturnType<typeof post>>;
    try {
      r = await post(s, drafts, v.value, { author: { name: d.authorName, email: d.authorEmail }, reviewer: session.name, draft: claimed });
    } catch (err) {
      // Not posted: back to waiting for review, as it was.
      await drafts.save({ ...d, rev: revOf(claimed) });
      throw err;
    }
    await tell(claimed, 'approved', session.name);
    return reply.redirect(withMsg(`/admin/announcements/${r.id}`, r.status), 303);
  });

  app.post<{ Params: { id: string } }>('/drafts/:id/return', routeConfig({ action: 'review' }), async (req, reply) => {
    const session = sessionOf(req);
    const d = await drafts.get(req.params.id);
    if (!d) return refuse(req, reply, 404, 'not_found', 'No such draft.');
    if (d.state !== 'submitted') return reply.redirect(withMsg(`/admin/drafts/${d.id}`, 'not-submitted'), 303);
    const comment = (field(req, 'comment') ?? '').trim().slice(0, 2000);
    if (!comment) return refuse(req, reply, 400, 'comment_needed', TEXT[uiLang(req)].needComment);
    Object.assign(d, { state: 'returned', comment, reviewedBy: session.name, reviewedAt: new Date().toISOString() });
    await drafts.save(d);
    await tell(d, 'returned', session.name);
    return reply.redirect(withMsg('/admin/drafts', 'returned'), 303);
  });
}
