// /admin/drafts: drafts and where they stand (contributors see their own, reviewers all), and
// /admin/drafts/:id: one draft as each channel would send it, with the reviewer's "Approve"
// (posted or scheduled through the Producer) and "Return with comment". The author is told
// by e-mail either way; a returned draft shows the comment to its author.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { post, validateFields } from '../../desk/actions.js';
import { authorOf, type Draft, type DraftState, type DraftStore } from '../../desk/drafts.js';
import { one } from '../../desk/form.js';
import { reviewMail, sendDeskMail } from '../../desk/mail.js';
import { previewAnnouncement, previewChannels } from '../../render/channel-preview.js';
import { field, param, refuse, routeConfig, sendPage, sessionOf, withMsg, type AdminContext } from '../context.js';
import { html, layout, timeTag } from '../html.js';
import { previewsHtml } from './compose-form.js';

const STATE_TEXT: Record<DraftState, string> = {
  draft: 'Draft',
  submitted: 'Waiting for review',
  returned: 'Returned with a comment',
  approved: 'Approved and posted',
};

const FLASH: Record<string, string> = {
  submitted: 'Submitted for review. You will get an e-mail when a librarian has looked at it.',
  returned: 'Returned to its author with your comment.',
  'already-posted': 'That draft has already been posted.',
  'password-set': 'Your password is set and you are signed in.',
  'not-submitted': 'Only a draft waiting for review can be approved or returned.',
};

export const draftTitle = (d: Draft): string => one(d.fields, 'title.en') || one(d.fields, 'title.zh') || '(no title yet)';
const badge = (state: DraftState) => html`<span class="badge draft-${state}">${STATE_TEXT[state]}</span>`;

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
    const mine = session.role === 'contributor';
    const list = await drafts.list(mine ? { authorId: authorOf(session).id } : {});
    const order: DraftState[] = mine ? ['returned', 'draft', 'submitted', 'approved'] : ['submitted', 'returned', 'draft', 'approved'];
    const sorted = [...list].sort((a, b) => order.indexOf(a.state) - order.indexOf(b.state));
    const rows = sorted.map((d) => html`<li class="draft-row" data-draft="${d.id}">
<div><a href="/admin/drafts/${d.id}" class="draft-title">${draftTitle(d)}</a> ${badge(d.state)}</div>
<div class="meta">${mine ? '' : html`by ${d.authorName} · `}changed ${timeTag(d.updatedAt, tz)}${d.reviewedBy ? html` · reviewed by ${d.reviewedBy}` : ''}</div>
${d.state === 'returned' && d.comment ? html`<p class="comment-line"><b>Comment:</b> ${d.comment}</p>` : ''}
</li>`);
    const body = html`<h1>${mine ? 'My drafts' : 'Drafts and review'}</h1>
<p><a class="btn primary" href="/admin/compose">Write a new announcement</a></p>
${list.length ? html`<ul class="drafts">${rows}</ul>` : html`<p>No drafts yet.</p>`}`;
    return sendPage(reply, layout(body, { title: 'Drafts', session, active: 'drafts', libraryName: s.config.library.name.en, flash: FLASH[param(req, 'msg') ?? ''] }));
  });

  app.get<{ Params: { id: string } }>('/drafts/:id', routeConfig({ action: 'compose' }), async (req, reply) => {
    const session = sessionOf(req);
    const d = await visible(req, req.params.id);
    if (!d) return refuse(req, reply, 404, 'not_found', 'No such draft (or it is someone else’s).');
    const v = validateFields(s, d.fields);
    const previews = v.ok ? previewChannels(s.channels, previewAnnouncement(s.config, v.value), s.config.library.defaultLanguage) : [];
    const reviewer = session.role !== 'contributor';
    const mayEdit = d.state !== 'approved' && (reviewer || d.authorId === authorOf(session).id);
    const publishAt = one(d.fields, 'publishAt');
    const review = reviewer && d.state === 'submitted'
      ? html`<section class="card review" aria-labelledby="review-h">
<h2 id="review-h">Your review</h2>
${v.ok ? html`<form method="post" action="/admin/drafts/${d.id}/approve" class="inline"><input type="hidden" name="_csrf" value="${session.csrf}">
<button type="submit" class="btn primary">Approve</button> <span class="hint">${publishAt ? `It will be scheduled for ${publishAt.replace('T', ' ')} (library time).` : 'It will be posted at once.'}</span></form>`
    : html`<p class="error">This draft does not pass the checks yet, so it cannot be approved: ${v.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}</p>`}
<form method="post" action="/admin/drafts/${d.id}/return" class="stack">
<input type="hidden" name="_csrf" value="${session.csrf}">
<label for="comment">Comment</label>
<textarea id="comment" name="comment" rows="4" required maxlength="2000"></textarea>
<button type="submit" class="btn">Return with comment</button>
</form>
</section>` : '';
    const body = html`<p><a href="/admin/drafts">← All drafts</a></p>
<h1>${draftTitle(d)}</h1>
<p class="meta">${badge(d.state)} · by ${d.authorName} · changed ${timeTag(d.updatedAt, tz)}${d.reviewedBy ? html` · reviewed by ${d.reviewedBy}` : ''}</p>
${d.comment && d.state === 'returned' ? html`<section class="card comment" aria-labelledby="comment-h"><h2 id="comment-h">Comment from ${d.reviewedBy ?? 'the reviewer'}</h2><p class="pre">${d.comment}</p></section>` : ''}
${mayEdit ? html`<p><a class="btn" href="/admin/compose?draft=${d.id}">Edit</a></p>` : ''}
${d.announcementId && reviewer ? html`<p><a href="/admin/announcements/${d.announcementId}">See its deliveries</a></p>` : ''}
<section class="card" aria-labelledby="as-sent-h"><h2 id="as-sent-h">As it will be sent</h2>
${v.ok ? previewsHtml(previews) : html`<p>Not complete yet: ${v.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}</p>`}
</section>
${review}`;
    return sendPage(reply, layout(body, { title: draftTitle(d), session, active: 'drafts', libraryName: s.config.library.name.en, flash: FLASH[param(req, 'msg') ?? ''] }));
  });

  const tell = async (d: Draft, outcome: 'approved' | 'returned', reviewer: string) => {
    if (!d.authorEmail || d.authorName === reviewer) return;
    const url = `${s.config.library.baseUrl.replace(/\/+$/, '')}/admin/drafts/${d.id}`;
    try {
      await sendDeskMail(s, { to: d.authorEmail, ...reviewMail(s, outcome, { title: draftTitle(d), reviewer, comment: d.comment, url }) }, `review-${outcome}`);
    } catch (err) {
      // The review stands; the author still sees it on the drafts page.
      s.log.warn('review mail not sent', { draft: d.id, error: (err as Error).message });
    }
  };

  app.post<{ Params: { id: string } }>('/drafts/:id/approve', routeConfig({ action: 'review' }), async (req, reply) => {
    const session = sessionOf(req);
    const d = await drafts.get(req.params.id);
    if (!d) return refuse(req, reply, 404, 'not_found', 'No such draft.');
    if (d.state !== 'submitted') return reply.redirect(withMsg(`/admin/drafts/${d.id}`, 'not-submitted'), 303);
    const v = validateFields(s, d.fields);
    if (!v.ok) return reply.redirect(`/admin/drafts/${d.id}`, 303);
    const r = await post(s, drafts, v.value, { author: { name: d.authorName, email: d.authorEmail }, reviewer: session.name, draft: d });
    await tell(d, 'approved', session.name);
    return reply.redirect(withMsg(`/admin/announcements/${r.id}`, r.status), 303);
  });

  app.post<{ Params: { id: string } }>('/drafts/:id/return', routeConfig({ action: 'review' }), async (req, reply) => {
    const session = sessionOf(req);
    const d = await drafts.get(req.params.id);
    if (!d) return refuse(req, reply, 404, 'not_found', 'No such draft.');
    if (d.state !== 'submitted') return reply.redirect(withMsg(`/admin/drafts/${d.id}`, 'not-submitted'), 303);
    const comment = (field(req, 'comment') ?? '').trim().slice(0, 2000);
    if (!comment) return refuse(req, reply, 400, 'comment_needed', 'Write a comment that tells the author what to change.');
    Object.assign(d, { state: 'returned', comment, reviewedBy: session.name, reviewedAt: new Date().toISOString() });
    await drafts.save(d);
    await tell(d, 'returned', session.name);
    return reply.redirect(withMsg('/admin/drafts', 'returned'), 303);
  });
}
