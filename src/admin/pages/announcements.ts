// /admin: announcements, newest first, with per-channel progress bars that move live (the page
// script listens on /admin/events). Search by text and topic scans the newest SEARCH_SCAN
// announcements (title, summary and body, both languages, case-insensitive): simple, bounded,
// and enough for a library's volume; older ones are reached by paging without a filter.
import { alertBanner } from '../alert-banner.js';
import type { FastifyInstance } from 'fastify';
import { badQuery, notFound } from '../../http/errors.js';
import type { Services } from '../../services.js';
import type { DeliveryCounts } from '../../store/deliveries.js';
import type { Announcement } from '../../types.js';
import { flashText, param, routeConfig, sendPage, sessionOf, type AdminContext } from '../context.js';
import { bars, html, layout, qs, stateWord, statusBadge, timeTag, type SafeHtml } from '../html.js';
import { summaryOf } from '../live.js';
import { uiLang, type UiLang } from '../i18n.js';

export const SEARCH_SCAN = 500;
const PAGE_SIZE = 20;
const MAX_MATCHES = 100;
const ANN_ID = /^[A-Za-z0-9_-]{1,64}$/;

const TEXT = {
  en: {
    title: 'Announcements', untitled: '(untitled)', urgent: 'urgent', for: 'for', search: 'Search', searchText: 'Search text',
    searchHint: 'Search title and text', topic: 'Topic', allTopics: 'All topics', clear: 'Clear', nothing: 'Nothing matches.',
    none: 'No announcements yet.', more: 'More pages', older: 'Older announcements →', newest: '← Newest',
    matches: (n: number, plus: boolean, scanned: number, truncated: boolean) =>
      `${n}${plus ? '+' : ''} match${n === 1 ? '' : 'es'} among the newest ${scanned} announcements${truncated ? ` (first ${MAX_MATCHES} shown)` : ''}. `,
    live: { stopped: 'Live updates stopped (signed out?). Reload the page.', reconnecting: 'Live updates interrupted; reconnecting…' },
  },
  zh: {
    title: '公告', untitled: '（无标题）', urgent: '紧急', for: '定于', search: '搜索', searchText: '搜索内容',
    searchHint: '搜索标题和正文', topic: '主题', allTopics: '全部主题', clear: '清除', nothing: '没有符合条件的公告。',
    none: '还没有公告。', more: '翻页', older: '更早的公告 →', newest: '← 最新',
    matches: (n: number, plus: boolean, scanned: number, truncated: boolean) =>
      `在最近的 ${scanned} 条公告中找到 ${n}${plus ? '+' : ''} 条${truncated ? `（只显示前 ${MAX_MATCHES} 条）` : ''}。`,
    live: { stopped: '实时更新已停止（可能已退出登录），请刷新页面。', reconnecting: '实时更新中断，正在重新连接…' },
  },
} as const;

/** Where live.js finds its words: the connection notices and each state's word, as data attributes (no inline script). */
export function liveState(lang: UiLang): SafeHtml {
  const t = TEXT[lang].live;
  const words = Object.fromEntries(['scheduled', 'queued', 'dispatching', 'done', 'done_with_failures', 'cancelled'].map((st) => [st, stateWord(st, lang)]));
  return html`<p class="live-state" id="live-state" hidden data-stopped="${t.stopped}" data-reconnecting="${t.reconnecting}" data-states="${JSON.stringify(words)}"></p>`;
}

/** Topics as listed: the ids in English (as before), the configured names in Chinese. */
export function topicsText(s: Pick<Services, 'config'>, topics: string[], lang: UiLang): string {
  if (lang === 'en') return topics.join(', ');
  return topics.map((id) => s.config.topics.find((t) => t.id === id)?.name.zh ?? id).join('、');
}

/** The title in the page's language first, the other one beside it. */
export function titleOf(ann: Pick<Announcement, 'title'>, lang: UiLang = 'en'): { main: string; other?: string; otherLang?: string } {
  const [first, second] = lang === 'zh' ? [ann.title.zh, ann.title.en] : [ann.title.en, ann.title.zh];
  const main = first ?? second ?? TEXT[lang].untitled;
  const other = first && second ? second : undefined;
  return { main, other, otherLang: other === undefined ? undefined : lang === 'zh' ? 'en' : 'zh' };
}

export function announcementRow(s: Pick<Services, 'config'>, ann: Announcement, counts: Record<string, DeliveryCounts>, tz: string, lang: UiLang = 'en'): SafeHtml {
  const t = titleOf(ann, lang);
  const tx = TEXT[lang];
  return html`<article class="ann" data-ann="${ann.id}">
<div class="ann-head">
  <h2><a href="/admin/announcements/${ann.id}">${t.main}</a>${t.other ? html` <span class="alt" lang="${t.otherLang}">${t.other}</span>` : ''}</h2>
  <div class="meta">${statusBadge(ann.status, lang)}${ann.priority === 'urgent' ? html` <span class="badge urgent">${tx.urgent}</span>` : ''} ${ann.status === 'scheduled' ? html`${tx.for} ${timeTag(ann.publishedAt, tz, lang)}` : timeTag(ann.createdAt, tz, lang)} · ${ann.createdBy} · ${topicsText(s, ann.topics, lang)}</div>
</div>
${bars(ann.channels, counts, lang)}
</article>`;
}

function matches(ann: Announcement, q: string | undefined, topic: string | undefined): boolean {
  if (topic && !ann.topics.includes(topic)) return false;
  if (!q) return true;
  const needle = q.toLowerCase();
  const texts = [ann.title.en, ann.title.zh, ann.summary?.en, ann.summary?.zh, ann.body.en, ann.body.zh];
  return texts.some((x) => x !== undefined && x.toLowerCase().includes(needle));
}

async function getMany(s: Pick<Services, 'announcements'>, ids: string[]): Promise<Announcement[]> {
  const out: Announcement[] = [];
  for (let i = 0; i < ids.length; i += 50) {
    const batch = await Promise.all(ids.slice(i, i + 50).map((id) => s.announcements.get(id)));
    for (const a of batch) if (a) out.push(a);
  }
  return out;
}

/** Newest SEARCH_SCAN announcements filtered; `truncated` when more matched than shown. */
async function search(s: Pick<Services, 'announcements'>, q: string | undefined, topic: string | undefined) {
  const ids = await s.announcements.recentIds(SEARCH_SCAN);
  const hits = (await getMany(s, ids)).filter((a) => matches(a, q, topic));
  return { items: hits.slice(0, MAX_MATCHES), truncated: hits.length > MAX_MATCHES, scanned: ids.length };
}

export async function announcementsPage(app: FastifyInstance, opts: { ctx: AdminContext }): Promise<void> {
  const { s, tz } = opts.ctx;
  const topics = s.config.topics;

  app.get('/', routeConfig({ action: 'read' }), async (req, reply) => {
    const session = sessionOf(req);
    const lang = uiLang(req);
    const tx = TEXT[lang];
    const q = param(req, 'q')?.slice(0, 200);
    const topic = param(req, 'topic');
    const cursor = param(req, 'cursor');
    if (topic !== undefined && !topics.some((t) => t.id === topic)) throw badQuery('topic', 'not a configured topic');
    if (cursor !== undefined && !/^\d+\.[A-Za-z0-9_-]+$/.test(cursor)) throw badQuery('cursor', 'not a cursor this page made');
    const filtered = q !== undefined || topic !== undefined;
    let items: Announcement[];
    let next: string | null = null;
    let note: SafeHtml | string = '';
    if (filtered) {
      const r = await search(s, q, topic);
      items = r.items;
      note = html`${tx.matches(items.length, r.truncated, r.scanned, r.truncated)}<a href="/admin">${tx.clear}</a>`;
    } else {
      const page = await s.announcements.list({ cursor, limit: PAGE_SIZE });
      items = page.items;
      next = page.next;
    }
    const counts = await Promise.all(items.map((a) => s.deliveries.counts(a.id, a.channels)));
    const live = !filtered && !cursor;
    const banner = session.role === 'admin' ? await alertBanner(s, tz, lang) : '';
    const body = html`${banner}<header class="page-head">
<h1>${tx.title}</h1>
<form method="get" action="/admin" class="search" role="search">
  <input type="search" name="q" value="${q ?? ''}" placeholder="${tx.searchHint}" aria-label="${tx.searchText}">
  <select name="topic" aria-label="${tx.topic}"><option value="">${tx.allTopics}</option>${topics.map((t) => html`<option value="${t.id}"${t.id === topic ? ' selected' : ''}>${t.name[lang]}</option>`)}</select>
  <button type="submit" class="btn">${tx.search}</button>
</form>
</header>
${note ? html`<p class="note">${note}</p>` : ''}
${liveState(lang)}
<div id="anns" class="anns"${live ? html` data-live-insert="1"` : ''}>
${items.length ? items.map((a, i) => announcementRow(s, a, counts[i], tz, lang)) : html`<p class="empty" id="empty">${filtered ? tx.nothing : tx.none}</p>`}
</div>
${next ? html`<nav class="pager" aria-label="${tx.more}"><a class="btn" href="/admin${qs({ cursor: next })}">${tx.older}</a></nav>` : ''}
${cursor ? html`<nav class="pager" aria-label="${tx.more}"><a href="/admin">${tx.newest}</a></nav>` : ''}`;
    const path = `/admin${qs({ q, topic, cursor })}`;
    return sendPage(reply, layout(body, { title: tx.title, session, active: 'announcements', scripts: ['live.js'], flash: flashText(param(req, 'msg'), lang), lang, path }));
  });

  // One row, for the page script to insert an announcement posted while the page is open.
  app.get<{ Params: { id: string } }>('/fragments/announcement-row/:id', routeConfig({ action: 'read' }), async (req, reply) => {
    const ann = ANN_ID.test(req.params.id) ? await s.announcements.get(req.params.id) : null;
    if (!ann) throw notFound('announcement');
    const counts = await s.deliveries.counts(ann.id, ann.channels);
    return reply.type('text/html; charset=utf-8').send(announcementRow(s, ann, counts, tz, uiLang(req)).value);
  });

  // Counts of one announcement, for a page catching up after its event stream reconnected.
  app.get<{ Params: { id: string } }>('/api/announcements/:id/summary', routeConfig({ action: 'read' }), async (req) => {
    const sum = ANN_ID.test(req.params.id) ? await summaryOf(s, req.params.id) : null;
    if (!sum) throw notFound('announcement');
    return sum;
  });
}
