// /admin/upcoming (librarian, admin): scheduled announcements in the library's time zone, as a
// list (soonest first) or a week (?view=week&week=<Monday>, seven day columns), each with a
// date-and-time picker to reschedule it (the same id; its waiting job moves) and a button to
// cancel it. Both views use the same forms and routes; an action comes back to the view it was
// taken from.
import type { FastifyInstance } from 'fastify';
import { isoToLocal, localToIso } from '../../desk/form.js';
import { reschedule, upcoming } from '../../desk/schedule.js';
import { titleOf } from './announcements.js';
import { addDays, localDate, parseDate, thisMonday, weekDates, ymd } from '../../desk/week.js';
import type { Announcement } from '../../types.js';
import { formatInZone } from '../../util/time.js';
import { actionForm, html, layout, timeTag, type SafeHtml } from '../html.js';
import { HTML_LANG, uiLang } from '../i18n.js';
import { field, param, refuse, routeConfig, sendPage, sessionOf, withMsg, type AdminContext } from '../context.js';

type YMD = { y: number; m: number; d: number };
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

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
    views: 'View', list: 'List', week: 'Week', weekNav: 'Weeks', prev: '← Previous week', next: 'Next week →', thisWeek: 'This week',
    weekHint: (tz: string) => `Monday to Sunday in library time (${tz}).`, today: 'today', free: 'Nothing scheduled.', change: 'Reschedule or cancel',
    days: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
    dayDate: (m: number, d: number) => `${d} ${MONTHS[m - 1].slice(0, 3)}`,
    range: (a: YMD, b: YMD) => (a.y !== b.y ? `${a.d} ${MONTHS[a.m - 1]} ${a.y} – ${b.d} ${MONTHS[b.m - 1]} ${b.y}` : a.m !== b.m ? `${a.d} ${MONTHS[a.m - 1]} – ${b.d} ${MONTHS[b.m - 1]} ${b.y}` : `${a.d}–${b.d} ${MONTHS[a.m - 1]} ${a.y}`),
    badWeek: 'week must be a date written YYYY-MM-DD, the Monday of the week (for example 2030-03-04).',
    badView: 'view must be list or week.',
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
    views: '视图', list: '列表', week: '周视图', weekNav: '切换周', prev: '← 上一周', next: '下一周 →', thisWeek: '本周',
    weekHint: (tz: string) => `周一至周日，图书馆时间（${tz}）。`, today: '今天', free: '无待发布公告。', change: '改期或取消',
    days: ['周一', '周二', '周三', '周四', '周五', '周六', '周日'],
    dayDate: (m: number, d: number) => `${m}月${d}日`,
    range: (a: YMD, b: YMD) => (a.y !== b.y ? `${a.y}年${a.m}月${a.d}日至${b.y}年${b.m}月${b.d}日` : a.m !== b.m ? `${a.y}年${a.m}月${a.d}日至${b.m}月${b.d}日` : `${a.y}年${a.m}月${a.d}日至${b.d}日`),
    badWeek: '参数 week 须为 YYYY-MM-DD 格式的日期，即该周的周一（例如 2030-03-04）。',
    badView: '参数 view 须为 list 或 week。',
  },
} as const;

type Tx = (typeof TEXT)[keyof typeof TEXT];

/** Where an action goes back to: the list, or one week of the week view; nothing else. */
const BACK = /^\/admin\/upcoming(\?view=week(&week=\d{4}-\d{2}-\d{2})?)?$/;
const backOf = (v: string | undefined): string => (v && BACK.test(v) ? v : '/admin/upcoming');
const weekPath = (monday: string) => `/admin/upcoming?view=week&week=${monday}`;

/** The reschedule and cancel forms, the same in both views; `back` is the view to return to. */
function controls(a: Announcement, csrf: string, tx: Tx, tz: string, back?: string): SafeHtml {
  const backField = back ? html`<input type="hidden" name="back" value="${back}">` : '';
  return html`<form method="post" action="/admin/upcoming/${a.id}/reschedule" class="reschedule">
<input type="hidden" name="_csrf" value="${csrf}">${backField}
<label for="when-${a.id}">${tx.newTime} <span class="hint">${tx.lib(tz)}</span></label>
<input type="datetime-local" id="when-${a.id}" name="publishAt" value="${isoToLocal(a.publishedAt, tz)}" required>
<button type="submit" class="btn">${tx.reschedule}</button>
</form>
${actionForm(`/admin/upcoming/${a.id}/cancel`, csrf, tx.cancel, { cls: 'btn danger', confirm: tx.confirm, back })}`;
}

/** The title in the page's language first, the other below it, each marked with its language. */
function titleLines(a: Announcement, lang: 'en' | 'zh'): SafeHtml {
  const other = lang === 'zh' ? 'en' : 'zh';
  const first = a.title[lang] ? lang : other;
  const second = first === lang && a.title[other] ? other : undefined;
  return html`<a class="draft-title" href="/admin/announcements/${a.id}" lang="${HTML_LANG[first]}">${a.title[first] ?? titleOf(a).main}</a>${second ? html` <span class="alt" lang="${HTML_LANG[second]}">${a.title[second]}</span>` : ''}`;
}

/** List | Week, as links (a GET each, so it works without script). */
function viewSwitch(tx: Tx, view: 'list' | 'week', week?: string): SafeHtml {
  const cur = (v: string) => (v === view ? html` aria-current="page"` : '');
  return html`<nav class="view-switch" aria-label="${tx.views}"><a href="/admin/upcoming"${cur('list')}>${tx.list}</a><a href="${week ? weekPath(week) : '/admin/upcoming?view=week'}"${cur('week')}>${tx.week}</a></nav>`;
}

function listBody(list: Announcement[], csrf: string, tx: Tx, tz: string, lang: 'en' | 'zh'): SafeHtml {
  const rows = list.map((a) => {
    return html`<li class="draft-row" data-ann="${a.id}">
<div>${titleLines(a, lang)}</div>
<div class="meta">${tx.goesOut} ${timeTag(a.publishedAt, tz, lang)} · ${tx.by(a.createdBy)} · ${a.topics.join(', ')}</div>
${controls(a, csrf, tx, tz)}
</li>`;
  });
  return html`<div class="page-head"><h1>${tx.title}</h1>${viewSwitch(tx, 'list')}</div>
<p class="hint">${tx.hint(tz)}</p>
${list.length ? html`<ul class="drafts">${rows}</ul>` : html`<p>${tx.none}</p>`}`;
}

function weekBody(list: Announcement[], monday: string, csrf: string, tx: Tx, tz: string, lang: 'en' | 'zh'): SafeHtml {
  const dates = weekDates(monday);
  const today = localDate(Date.now(), tz);
  const back = weekPath(monday);
  const days = dates.map((date, i) => {
    const mine = list.filter((a) => localDate(a.publishedAt, tz) === date);
    const { m, d } = ymd(date);
    const items = mine.map((a) => {
      return html`<li class="week-item" data-ann="${a.id}">
<time class="week-time" datetime="${a.publishedAt}">${formatInZone(a.publishedAt, tz).slice(11, 16)}</time>
${titleLines(a, lang)}
<details class="week-edit"><summary>${tx.change}</summary>${controls(a, csrf, tx, tz, back)}</details>
</li>`;
    });
    const isToday = date === today;
    return html`<li class="day${isToday ? ' today' : ''}" data-date="${date}"${isToday ? html` aria-current="date"` : ''}>
<h2><span class="day-name">${tx.days[i]}</span> <time datetime="${date}">${tx.dayDate(m, d)}</time>${isToday ? html` <span class="badge">${tx.today}</span>` : ''}</h2>
${items.length ? html`<ul class="week-items">${items}</ul>` : html`<p class="free">${tx.free}</p>`}
</li>`;
  });
  const range = tx.range(ymd(dates[0]), ymd(dates[6]));
  return html`<div class="page-head"><h1>${tx.title}</h1>${viewSwitch(tx, 'week', monday)}</div>
<p class="hint">${tx.weekHint(tz)}</p>
<nav class="week-nav" aria-label="${tx.weekNav}">
<a class="btn small" href="${weekPath(addDays(monday, -7))}" rel="prev">${tx.prev}</a>
<a class="btn small" href="${weekPath(thisMonday(tz))}">${tx.thisWeek}</a>
<a class="btn small" href="${weekPath(addDays(monday, 7))}" rel="next">${tx.next}</a>
<span class="week-range">${range}</span>
</nav>
<ol class="week">${days}</ol>`;
}

export async function upcomingPage(app: FastifyInstance, opts: { ctx: AdminContext }): Promise<void> {
  const { s, tz } = opts.ctx;

  app.get('/upcoming', routeConfig({ action: 'read' }), async (req, reply) => {
    const session = sessionOf(req);
    const lang = uiLang(req);
    const tx = TEXT[lang];
    const view = param(req, 'view') ?? 'list';
    if (view !== 'list' && view !== 'week') return refuse(req, reply, 400, 'bad_view', tx.badView);
    const weekParam = param(req, 'week');
    let monday = thisMonday(tz);
    if (weekParam !== undefined) {
      const ms = parseDate(weekParam);
      // Only a Monday names a week: a Tuesday would show a week nobody asked for.
      if (ms === null || new Date(ms).getUTCDay() !== 1) return refuse(req, reply, 400, 'bad_week', tx.badWeek);
      monday = weekParam;
    }
    const list = await upcoming(s);
    const body = view === 'week' ? weekBody(list, monday, session.csrf, tx, tz, lang) : listBody(list, session.csrf, tx, tz, lang);
    const path = view === 'week' ? weekPath(monday) : '/admin/upcoming';
    return sendPage(reply, layout(body, { title: view === 'week' ? `${tx.title} · ${tx.week}` : tx.title, session, active: 'upcoming', libraryName: s.config.library.name[lang], flash: tx.flash[param(req, 'msg') ?? ''], lang, path }));
  });

  app.post<{ Params: { id: string } }>('/upcoming/:id/cancel', routeConfig({ action: 'cancel' }), async (req, reply) => {
    const r = await s.producer.cancel(req.params.id);
    s.log.info('desk cancel', { id: req.params.id, by: sessionOf(req).name, ok: r.ok });
    return reply.redirect(withMsg(backOf(field(req, 'back')), r.ok ? 'cancelled' : r.reason === 'not_found' ? 'not_found' : 'not-cancellable'), 303);
  });

  app.post<{ Params: { id: string } }>('/upcoming/:id/reschedule', routeConfig({ action: 'cancel' }), async (req, reply) => {
    const when = field(req, 'publishAt') ?? '';
    const r = await reschedule(s, req.params.id, localToIso(when, tz));
    s.log.info('desk reschedule', { id: req.params.id, to: when, by: sessionOf(req).name, ok: r.ok });
    return reply.redirect(withMsg(backOf(field(req, 'back')), r.ok ? 'rescheduled' : r.reason), 303);
  });
}
