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
import { bars, html, layout, qs, statusBadge, timeTag, type SafeHtml } from '../html.js';
import { summaryOf } from '../live.js';

export const SEARCH_SCAN = 500;
const PAGE_SIZE = 20;
const MAX_MATCHES = 100;
const ANN_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function titleOf(ann: Pick<Announcement, 'title'>): { main: string; other?: string } {
  const main = ann.title.en ?? ann.title.zh ?? '(untitled)';
  const other = ann.title.en && ann.title.zh ? ann.title.zh : undefined;
  return { main, other };
}

export function announcementRow(ann: Announcement, counts: Record<string, DeliveryCounts>, tz: string): SafeHtml {
  const t = titleOf(ann);
  return html`<article class="ann" data-ann="${ann.id}">
<div class="ann-head">
  <h2><a href="/admin/announcements/${ann.id}">${t.main}</a>${t.other ? html` <span class="alt" lang="zh">${t.other}</span>` : ''}</h2>
  <div class="meta">${statusBadge(ann.status)}${ann.priority === 'urgent' ? html` <span class="badge urgent">urgent</span>` : ''} ${ann.status === 'scheduled' ? html`for ${timeTag(ann.publishedAt, tz)}` : timeTag(ann.createdAt, tz)} · ${ann.createdBy} · ${ann.topics.join(', ')}</div>
</div>
${bars(ann.channels, counts)}
</article>`;
}

function matches(ann: Announcement, q: string | undefined, topic: string | undefined): boolean {
  if (topic && !ann.topics.includes(topic)) return false;
  if (!q) return true;
  const needle = q.toLowerCase();
  const texts = [ann.title.en, ann.title.zh, ann.summary?.en, ann.summary?.zh, ann.body.en, ann.body.zh];
  return texts.some((x) => x !== undefined && x.toLowerCase().includes(needle));
}

async function getMany(s: Services, ids: string[]): Promise<Announcement[]> {
  const out: Announcement[] = [];
  for (let i = 0; i < ids.length; i += 50) {
    const batch = await Promise.all(ids.slice(i, i + 50).map((id) => s.announcements.get(id)));
    for (const a of batch) if (a) out.push(a);
  }
  return out;
}

/** Newest SEARCH_SCAN announcements filtered; `truncated` when more matched than shown. */
async function search(s: Services, q: string | undefined, topic: string | undefined) {
  const ids = await s.redis.zrevrange(s.keys.announcementIndex, 0, SEARCH_SCAN - 1);
  const hits = (await getMany(s, ids)).filter((a) => matches(a, q, topic));
  return { items: hits.slice(0, MAX_MATCHES), truncated: hits.length > MAX_MATCHES, scanned: ids.length };
}

export async function announcementsPage(app: FastifyInstance, opts: { ctx: AdminContext }): Promise<void> {
  const { s, tz } = opts.ctx;
  const topics = s.config.topics;

  app.get('/', routeConfig({ action: 'read' }), async (req, reply) => {
    const session = sessionOf(req);
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
      note = html`${items.length}${r.truncated ? '+' : ''} match${items.length === 1 ? '' : 'es'} among the newest ${r.scanned} announcements${r.truncated ? ` (first ${MAX_MATCHES} shown)` : ''}. <a href="/admin">Clear</a>`;
    } else {
      const page = await s.announcements.list({ cursor, limit: PAGE_SIZE });
      items = page.items;
      next = page.next;
    }
    const counts = await Promise.all(items.map((a) => s.deliveries.counts(a.id, a.channels)));
    const live = !filtered && !cursor;
    const banner = session.role === 'admin' ? await alertBanner(s) : '';
    const body = html`${banner}<header class="page-head">
<h1>Announcements</h1>
<form method="get" action="/admin" class="search" role="search">
  <input type="search" name="q" value="${q ?? ''}" placeholder="Search title and text" aria-label="Search text">
  <select name="topic" aria-label="Topic"><option value="">All topics</option>${topics.map((t) => html`<option value="${t.id}"${t.id === topic ? ' selected' : ''}>${t.name.en}</option>`)}</select>
  <button type="submit" class="btn">Search</button>
</form>
</header>
${note ? html`<p class="note">${note}</p>` : ''}
<p class="live-state" id="live-state" hidden></p>
<div id="anns" class="anns"${live ? html` data-live-insert="1"` : ''}>
${items.length ? items.map((a, i) => announcementRow(a, counts[i], tz)) : html`<p class="empty" id="empty">${filtered ? 'Nothing matches.' : 'No announcements yet.'}</p>`}
</div>
${next ? html`<nav class="pager" aria-label="More pages"><a class="btn" href="/admin${qs({ cursor: next })}">Older announcements →</a></nav>` : ''}
${cursor ? html`<nav class="pager" aria-label="More pages"><a href="/admin">← Newest</a></nav>` : ''}`;
    return sendPage(reply, layout(body, { title: 'Announcements', session, active: 'announcements', scripts: ['live.js'], flash: flashText(param(req, 'msg')) }));
  });

  // One row, for the page script to insert an announcement posted while the page is open.
  app.get<{ Params: { id: string } }>('/fragments/announcement-row/:id', routeConfig({ action: 'read' }), async (req, reply) => {
    const ann = ANN_ID.test(req.params.id) ? await s.announcements.get(req.params.id) : null;
    if (!ann) throw notFound('announcement');
    const counts = await s.deliveries.counts(ann.id, ann.channels);
    return reply.type('text/html; charset=utf-8').send(announcementRow(ann, counts, tz).value);
  });

  // Counts of one announcement, for a page catching up after its event stream reconnected.
  app.get<{ Params: { id: string } }>('/api/announcements/:id/summary', routeConfig({ action: 'read' }), async (req) => {
    const sum = ANN_ID.test(req.params.id) ? await summaryOf(s, req.params.id) : null;
    if (!sum) throw notFound('announcement');
    return sum;
  });
}
