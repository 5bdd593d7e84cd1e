// /admin/upcoming (librarian, admin): scheduled announcements, soonest first, in the library's
// time zone, each with a date-and-time picker to reschedule it (the same id; its waiting job
// moves) and a button to cancel it.
import type { FastifyInstance } from 'fastify';
import { isoToLocal, localToIso } from '../../desk/form.js';
import { reschedule, upcoming } from '../../desk/schedule.js';
import { titleOf } from './announcements.js';
import { actionForm, html, layout, timeTag } from '../html.js';
import { uiLang } from '../i18n.js';
import { field, param, routeConfig, sendPage, sessionOf, withMsg, type AdminContext } from '../context.js';

const TEXT = {
  en: {
    flash: {
      rescheduled: 'Rescheduled. It keeps its place and its link; only the time changed.',
      not_scheduled: 'That announcement is no longer scheduled (it went out or was cancelled).',
      in_the_past: 'Choose a time at least a minute from now.',
      after_expiry: 'The new time is after the announcement expires; choose an earlier time.',
      not_found: 'No such announcement.', cancelled: 'Announcement cancelled.', 'not-cancellable': 'Only a scheduled announcement can be cancelled.',
    } as Record<string, string>,
    title: 'Upcoming', hint: (tz: string) => `Scheduled announcements, soonest first. Times are library time (${tz}).`, none: 'Nothing is scheduled.',
    goesOut: 'goes out', by: (n: string) => `by ${n}`, newTime: 'New time', lib: (tz: string) => `(library time, ${tz})`,
    reschedule: 'Reschedule', cancel: 'Cancel it', confirm: 'Cancel this announcement? Nothing will be sent.',
  },
  zh: {
    flash: {
      rescheduled: '已改期。公告和链接不变，只改了时间。',
      not_scheduled: '该公告已不再是待发布状态（已发出或已取消）。',
      in_the_past: '请选择至少一分钟之后的时间。',
      after_expiry: '新时间晚于公告的失效时间，请选更早的时间。',
      not_found: '没有这条公告。', cancelled: '公告已取消。', 'not-cancellable': '只有待发布的公告才能取消。',
    } as Record<string, string>,
    title: '待发布', hint: (tz: string) => `定时发布的公告，按时间先后排列。时间为图书馆时间（${tz}）。`, none: '没有待发布的公告。',
    goesOut: '发布于', by: (n: string) => `作者：${n}`, newTime: '新时间', lib: (tz: string) => `（图书馆时间，${tz}）`,
    reschedule: '改期', cancel: '取消发布', confirm: '确定取消这条公告吗？将不会发送任何内容。',
  },
} as const;

export async function upcomingPage(app: FastifyInstance, opts: { ctx: AdminContext }): Promise<void> {
  const { s, tz } = opts.ctx;

  app.get('/upcoming', routeConfig({ action: 'read' }), async (req, reply) => {
    const session = sessionOf(req);
    const lang = uiLang(req);
    const tx = TEXT[lang];
    const list = await upcoming(s);
    const rows = list.map((a) => {
      const t = titleOf(a, lang);
      return html`<li class="draft-row" data-ann="${a.id}">
<div><a class="draft-title" href="/admin/announcements/${a.id}">${t.main}</a>${t.other ? html` <span lang="${t.otherLang === 'zh' ? 'zh-CN' : 'en'}">${t.other}</span>` : ''}</div>
<div class="meta">${tx.goesOut} ${timeTag(a.publishedAt, tz, lang)} · ${tx.by(a.createdBy)} · ${a.topics.join(', ')}</div>
<form method="post" action="/admin/upcoming/${a.id}/reschedule" class="reschedule">
<input type="hidden" name="_csrf" value="${session.csrf}">
<label for="when-${a.id}">${tx.newTime} <span class="hint">${tx.lib(tz)}</span></label>
<input type="datetime-local" id="when-${a.id}" name="publishAt" value="${isoToLocal(a.publishedAt, tz)}" required>
<button type="submit" class="btn">${tx.reschedule}</button>
</form>
${actionForm(`/admin/upcoming/${a.id}/cancel`, session.csrf, tx.cancel, { cls: 'btn danger', confirm: tx.confirm })}
</li>`;
    });
    const body = html`<h1>${tx.title}</h1>
<p class="hint">${tx.hint(tz)}</p>
${list.length ? html`<ul class="drafts">${rows}</ul>` : html`<p>${tx.none}</p>`}`;
    return sendPage(reply, layout(body, { title: tx.title, session, active: 'upcoming', libraryName: s.config.library.name[lang], flash: tx.flash[param(req, 'msg') ?? ''], lang, path: '/admin/upcoming' }));
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
