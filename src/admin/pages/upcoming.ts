// /admin/upcoming (librarian, admin): scheduled announcements, soonest first, in the library's
// time zone, each with a date-and-time picker to reschedule it (the same id; its waiting job
// moves) and a button to cancel it.
import type { FastifyInstance } from 'fastify';
import { isoToLocal, localToIso } from '../../desk/form.js';
import { reschedule, upcoming } from '../../desk/schedule.js';
import { titleOf } from './announcements.js';
import { actionForm, html, layout, timeTag } from '../html.js';
import { field, flashText, param, routeConfig, sendPage, sessionOf, withMsg, type AdminContext } from '../context.js';

const FLASH: Record<string, string> = {
  rescheduled: 'Rescheduled. It keeps its place and its link; only the time changed.',
  not_scheduled: 'That announcement is no longer scheduled (it went out or was cancelled).',
  in_the_past: 'Choose a time at least a minute from now.',
  after_expiry: 'The new time is after the announcement expires; choose an earlier time.',
  not_found: 'No such announcement.',
};

export async function upcomingPage(app: FastifyInstance, opts: { ctx: AdminContext }): Promise<void> {
  const { s, tz } = opts.ctx;

  app.get('/upcoming', routeConfig({ action: 'read' }), async (req, reply) => {
    const session = sessionOf(req);
    const list = await upcoming(s);
    const rows = list.map((a) => {
      const t = titleOf(a);
      return html`<li class="draft-row" data-ann="${a.id}">
<div><a class="draft-title" href="/admin/announcements/${a.id}">${t.main}</a>${t.other ? html` <span lang="zh-CN">${t.other}</span>` : ''}</div>
<div class="meta">goes out ${timeTag(a.publishedAt, tz)} · by ${a.createdBy} · ${a.topics.join(', ')}</div>
<form method="post" action="/admin/upcoming/${a.id}/reschedule" class="reschedule">
<input type="hidden" name="_csrf" value="${session.csrf}">
<label for="when-${a.id}">New time <span class="hint">(library time, ${tz})</span></label>
<input type="datetime-local" id="when-${a.id}" name="publishAt" value="${isoToLocal(a.publishedAt, tz)}" required>
<button type="submit" class="btn">Reschedule</button>
</form>
${actionForm(`/admin/upcoming/${a.id}/cancel`, session.csrf, 'Cancel it', { cls: 'btn danger', confirm: 'Cancel this announcement? Nothing will be sent.' })}
</li>`;
    });
    const body = html`<h1>Upcoming</h1>
<p class="hint">Scheduled announcements, soonest first. Times are library time (${tz}).</p>
${list.length ? html`<ul class="drafts">${rows}</ul>` : html`<p>Nothing is scheduled.</p>`}`;
    const code = param(req, 'msg');
    return sendPage(reply, layout(body, { title: 'Upcoming', session, active: 'upcoming', libraryName: s.config.library.name.en, flash: FLASH[code ?? ''] ?? flashText(code) }));
  });

  app.post<{ Params: { id: string } }>('/upcoming/:id/cancel', routeConfig({ action: 'cancel' }), async (req, reply) => {
    const r = await s.producer.cancel(req.params.id);
    s.log.info('desk cancel', { id: req.params.id, by: sessionOf(req).name, ok: r.ok });
    return reply.redirect(withMsg('/admin/upcoming', r.ok ? 'cancelled' : r.reason === 'not_found' ? 'not_found' : 'not-cancellable'), 303);
  });

  app.post<{ Params: { id: string } }>('/upcoming/:id/reschedule', routeConfig({ action: 'cancel' }), async (req, reply) => {
    const when = field(req, 'publishAt') ?? '';
    const r = await reschedule(s, req.params.id, localToIso(when, tz));
    s.log.info('desk reschedule', { id: req.params.id, to: when, by: sessionOf(req).name, ok: r.ok });
    return reply.redirect(withMsg('/admin/upcoming', r.ok ? 'rescheduled' : r.reason), 303);
  });
}
