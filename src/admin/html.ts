// Server-side HTML for the dashboard: a tagged template that escapes every interpolated value
// (only values already made by `html` pass through), the page layout and the progress bar.
// The pages carry no inline script or style (the CSP forbids both): widths are SVG geometry
// attributes, behaviour lives in /admin/assets/*.js.
import type { DeliveryCounts } from '../store/deliveries.js';
import type { AdminSession } from './session.js';
import { channelLabel } from './channel-names.js';
import { HTML_LANG, type UiLang } from './lang.js';

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

type Part = SafeHtml | string | number | boolean | null | undefined | Part[];

function render(v: Part): string {
  if (v === null || v === undefined || v === false || v === true) return '';
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

/** `html\`<p>${text}</p>\``: text is escaped; nested `html` values and arrays of them are not. */
export function html(strings: TemplateStringsArray, ...values: Part[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}

/** A query string from the non-empty values, for links that keep the current filters. */
export function qs(params: Record<string, string | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) u.set(k, v);
  const s = u.toString();
  return s ? `?${s}` : '';
}

export function formatTime(iso: string | undefined, timeZone: string, lang: UiLang = 'en'): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(d);
  } catch {
    return d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  }
}

export const timeTag = (iso: string | undefined, tz: string, lang: UiLang = 'en'): SafeHtml => html`<time datetime="${iso ?? ''}">${formatTime(iso, tz, lang)}</time>`;

/** Words for announcement, delivery and subscriber states, shared by every page that shows them. */
export const STATE_WORDS: Record<UiLang, Record<string, string>> = {
  en: {},
  zh: {
    scheduled: '待发布', queued: '排队中', dispatching: '投递中', done: '已完成', done_with_failures: '完成，有失败', cancelled: '已取消',
    sending: '发送中', sent: '已发送', failed: '失败', skipped: '已跳过',
    pending: '待确认', active: '有效', unsubscribed: '已退订', bounced: '退信', blocked: '已屏蔽',
    paused: '已暂停', running: '运行中', urgent: '紧急',
  },
};

/** A state as a librarian reads it; English keeps the code with spaces ("done with failures"). */
export const stateWord = (state: string, lang: UiLang = 'en'): string => STATE_WORDS[lang][state] ?? state.replace(/_/g, ' ');

/** Subscribers' language preference (zh, en, both) in words; English keeps the codes. */
export const langPrefWord = (pref: string, lang: UiLang = 'en'): string => (lang === 'zh' ? ({ zh: '中文', en: '英文', both: '中英双语' } as Record<string, string>)[pref] ?? pref : pref);

export const statusBadge = (status: string, lang: UiLang = 'en'): SafeHtml => html`<span class="badge st-${status}" data-role="status">${stateWord(status, lang)}</span>`;

/** Segment order of a bar; "queued" includes deliveries being sent right now. */
const SEGMENTS = ['sent', 'failed', 'skipped', 'queued'] as const;

export function segmentCounts(c: DeliveryCounts): Record<(typeof SEGMENTS)[number], number> {
  return { sent: c.sent, failed: c.failed, skipped: c.skipped, queued: c.queued + c.sending };
}

/** MIN_SEGMENT: a non-empty segment stays visible (one failure in 1,000 is still a red mark). */
const MIN_SEGMENT = 6;

/** Widths per mille of the segments; assets/live.js computes the same. */
export function segmentWidths(seg: Record<(typeof SEGMENTS)[number], number>, total: number): number[] {
  const t = Math.max(total, 1);
  const w = SEGMENTS.map((k) => (seg[k] > 0 ? Math.max(MIN_SEGMENT, Math.round((seg[k] / t) * 1000)) : 0));
  const excess = w.reduce((a, b) => a + b, 0) - 1000;
  if (excess > 0) w[w.indexOf(Math.max(...w))] -= excess;
  return w;
}

/**
 * One channel's bar: an SVG whose rects the page script resizes (setAttribute) on each
 * progress event, and the numbers beside it. viewBox 0..1000, so widths are per mille.
 */
const BAR_WORDS = {
  en: { progress: (ch: string) => `${ch} progress`, of: ' / ', n: (k: string, num: SafeHtml) => html`${num} ${k}` },
  zh: {
    progress: (ch: string) => `${ch} 投递进度`, of: ' / 共 ',
    n: (k: string, num: SafeHtml) => html`${({ sent: '已发送', failed: '失败', queued: '排队', skipped: '跳过' } as Record<string, string>)[k]} ${num}`,
  },
};

export function progressBar(channel: string, c: DeliveryCounts, lang: UiLang = 'en'): SafeHtml {
  const seg = segmentCounts(c);
  const widths = segmentWidths(seg, c.total);
  const words = BAR_WORDS[lang];
  let x = 0;
  const rects = SEGMENTS.map((k, i) => {
    const w = widths[i];
    const r = html`<rect class="seg-${k}" data-seg="${k}" x="${x}" y="0" width="${w}" height="10"></rect>`;
    x += w;
    return r;
  });
  const pct = c.total > 0 ? Math.floor(((c.sent + c.failed + c.skipped) / c.total) * 100) : 0;
  const n = (k: (typeof SEGMENTS)[number]) => words.n(k, html`<span data-n="${k}">${seg[k]}</span>`);
  return html`<div class="progress" data-channel="${channel}">
  <span class="ch">${channelLabel(channel, lang)}</span>
  <svg class="bar" viewBox="0 0 1000 10" preserveAspectRatio="none" role="img" aria-label="${words.progress(channelLabel(channel, lang))}">${rects}</svg>
  <span class="nums"><b data-n="pct">${pct}%</b> <span class="n-sent">${n('sent')}</span> · <span class="n-failed">${n('failed')}</span> · <span class="n-queued">${n('queued')}</span><span class="n-skipped" data-hide-zero="skipped"${seg.skipped ? '' : ' hidden'}> · ${n('skipped')}</span>${words.of}<span data-n="total">${c.total}</span></span>
</div>`;
}

export function bars(channels: string[], counts: Record<string, DeliveryCounts>, lang: UiLang = 'en'): SafeHtml {
  return html`<div class="bars">${channels.map((ch) => (counts[ch] ? progressBar(ch, counts[ch], lang) : ''))}</div>`;
}

/** A POST form with the session's CSRF token: one button, optionally a confirmation question. */
export function actionForm(action: string, csrf: string, label: string, opts: { confirm?: string; cls?: string; name?: string; back?: string } = {}): SafeHtml {
  return html`<form method="post" action="${action}" class="inline"${opts.confirm ? html` data-confirm="${opts.confirm}"` : ''}>
<input type="hidden" name="_csrf" value="${csrf}">${opts.back ? html`<input type="hidden" name="back" value="${opts.back}">` : ''}<button type="submit" class="${opts.cls ?? 'btn'}"${opts.name ? html` name="action" value="${opts.name}"` : ''}>${label}</button></form>`;
}

export interface LayoutOptions {
  title: string;
  session?: AdminSession | null;
  active?: 'announcements' | 'queues' | 'subscribers' | 'compose' | 'drafts' | 'accounts' | 'upcoming';
  libraryName?: string;
  /** Extra scripts from /admin/assets (admin.js is always there). */
  scripts?: string[];
  flash?: string;
  /** The page's language (from uiLang(req)). */
  lang?: UiLang;
  /** This page's path, where the language switch comes back to; no switch without it. */
  path?: string;
}

const NAV = {
  en: {
    announcements: 'Announcements', write: 'Write', drafts: 'Drafts', upcoming: 'Upcoming', accounts: 'Accounts', queues: 'Queues',
    subscribers: 'Subscribers', signOut: 'Sign out', main: 'Main', other: '中文', otherLang: 'zh',
    roles: { contributor: 'contributor', librarian: 'librarian', admin: 'admin' },
  },
  zh: {
    announcements: '公告', write: '撰写', drafts: '草稿', upcoming: '待发布', accounts: '账号', queues: '队列',
    subscribers: '订阅者', signOut: '退出登录', main: '主导航', other: 'English', otherLang: 'en',
    roles: { contributor: '投稿人', librarian: '馆员', admin: '管理员' },
  },
} as const;

/** The language switch: a POST (it is saved on the account) with the session's CSRF token, or a link before signing in. */
function languageSwitch(o: LayoutOptions, lang: UiLang): SafeHtml {
  if (!o.path) return html``;
  const t = NAV[lang];
  if (!o.session) return html`<a class="lang-switch" href="${o.path.split('?')[0]}?lang=${t.otherLang}" lang="${HTML_LANG[t.otherLang]}">${t.other}</a>`;
  return html`<form method="post" action="/admin/language" class="inline"><input type="hidden" name="_csrf" value="${o.session.csrf}"><input type="hidden" name="lang" value="${t.otherLang}"><input type="hidden" name="back" value="${o.path}"><button type="submit" class="btn link lang-switch" lang="${HTML_LANG[t.otherLang]}">${t.other}</button></form>`;
}

export function layout(body: SafeHtml, o: LayoutOptions): SafeHtml {
  const s = o.session;
  const lang = o.lang ?? 'en';
  const t = NAV[lang];
  const cur = (k: LayoutOptions['active']) => (o.active === k ? html` aria-current="page"` : '');
  const nav = s
    ? html`<nav class="top" aria-label="${t.main}">
  <a href="/admin" class="brand">Crier</a>
  ${s.role !== 'contributor' ? html`<a href="/admin"${cur('announcements')}>${t.announcements}</a>` : ''}
  <a href="/admin/compose"${cur('compose')}>${t.write}</a>
  <a href="/admin/drafts"${cur('drafts')}>${t.drafts}</a>
  ${s.role !== 'contributor' ? html`<a href="/admin/upcoming"${cur('upcoming')}>${t.upcoming}</a>` : ''}
  ${s.role === 'admin' ? html`<a href="/admin/accounts"${cur('accounts')}>${t.accounts}</a>
  <a href="/admin/queues-overview"${cur('queues')}>${t.queues}</a>
  <a href="/admin/subscribers"${cur('subscribers')}>${t.subscribers}</a>
  <a href="/admin/queues/">bull-board</a>` : ''}
  <span class="who">${s.name} <span class="role">${t.roles[s.role]}</span></span>
  ${languageSwitch(o, lang)}
  ${actionForm('/admin/logout', s.csrf, t.signOut, { cls: 'btn link' })}
</nav>`
    : html`<nav class="top" aria-label="${t.main}"><span class="brand">Crier</span>${languageSwitch(o, lang)}</nav>`;
  return html`<!doctype html>
<html lang="${HTML_LANG[lang]}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${o.title} · Crier${o.libraryName ? ` · ${o.libraryName}` : ''}</title>
<link rel="stylesheet" href="/admin/assets/admin.css">
<link rel="icon" href="data:,">
${['admin.js', ...(o.scripts ?? [])].map((f) => html`<script src="/admin/assets/${f}" defer></script>\n`)}
</head>
<body>
${nav}
<main>
${o.flash ? html`<p class="flash" role="status">${o.flash}</p>` : ''}
${body}
</main>
</body>
</html>
`;
}
