// /admin/subscribers/list (admin): every subscriber, newest first, searched by address or chat
// id and filtered by channel, topic, language and state, 50 a page; and the same selection as
// CSV (/admin/subscribers/export.csv), cells that a spreadsheet would run as a formula defused.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badQuery } from '../../http/errors.js';
import { csvField } from '../../http/routes/subscribers-admin.js';
import type { Services } from '../../services.js';
import type { Subscriber, SubscriberStatus } from '../../store/subscribers.js';
import type { LangPref } from '../../types.js';
import { flashText, param, routeConfig, sendPage, sessionOf, type AdminContext } from '../context.js';
import { html, layout, qs, timeTag, type SafeHtml } from '../html.js';
import { topicLabels } from '../subscriber-data.js';

export const SUBSCRIBER_PAGE_SIZE = 50;
const STATUSES: readonly SubscriberStatus[] = ['pending', 'active', 'unsubscribed', 'bounced', 'blocked'];
const LANGS: readonly LangPref[] = ['zh', 'en', 'both'];
const CHANNELS = ['email', 'telegram'];

export interface SubscriberFilter {
  q?: string;
  channel?: string;
  topic?: string;
  language?: LangPref;
  status?: SubscriberStatus;
}

/** The filters of a request, each checked; a bad one is a 400 that names it. */
export function parseFilter(s: Services, req: FastifyRequest): SubscriberFilter {
  const f: SubscriberFilter = {
    q: param(req, 'q')?.trim() || undefined, channel: param(req, 'channel'), topic: param(req, 'topic'),
    language: param(req, 'language') as LangPref | undefined, status: param(req, 'status') as SubscriberStatus | undefined,
  };
  if (f.q && f.q.length > 254) throw badQuery('q', 'at most 254 characters');
  if (f.channel && !CHANNELS.includes(f.channel)) throw badQuery('channel', `must be one of ${CHANNELS.join(', ')}`);
  if (f.topic && !s.config.topics.some((t) => t.id === f.topic)) throw badQuery('topic', 'not a configured topic');
  if (f.language && !LANGS.includes(f.language)) throw badQuery('language', 'must be zh, en or both');
  if (f.status && !STATUSES.includes(f.status)) throw badQuery('status', `must be one of ${STATUSES.join(', ')}`);
  return f;
}

const filterQuery = (f: SubscriberFilter) => ({ q: f.q, channel: f.channel, topic: f.topic, language: f.language, status: f.status });

function select(name: string, label: string, current: string | undefined, options: [string, string][]): SafeHtml {
  return html`<label class="small">${label} <select name="${name}"><option value="">Any</option>${options.map(([v, text]) => html`<option value="${v}"${v === current ? ' selected' : ''}>${text}</option>`)}</select></label>`;
}

function filterForm(s: Services, f: SubscriberFilter): SafeHtml {
  return html`<form method="get" action="/admin/subscribers/list" class="filters" role="search">
<label class="small">Address or chat <input type="search" name="q" value="${f.q ?? ''}" placeholder="e.g. wang@ or 58120"></label>
${select('channel', 'Channel', f.channel, CHANNELS.map((c) => [c, c]))}
${select('topic', 'Topic', f.topic, s.config.topics.map((t) => [t.id, t.name.en]))}
${select('language', 'Language', f.language, LANGS.map((l) => [l, l]))}
${select('status', 'State', f.status, STATUSES.map((st) => [st, st]))}
<button type="submit" class="btn primary">Search</button>
<a href="/admin/subscribers/list">Clear</a>
</form>`;
}

function row(s: Services, sub: Subscriber, tz: string): SafeHtml {
  return html`<tr data-subscriber="${sub.id}">
<td data-label="Address"><a href="/admin/subscribers/${sub.id}" class="addr">${sub.address}</a></td>
<td data-label="Channel">${sub.channel}</td>
<td data-label="Topics">${topicLabels(s.config, sub.topics)}</td>
<td data-label="Language">${sub.language}</td>
<td data-label="State"><span class="badge sub-${sub.status}">${sub.status}</span></td>
<td data-label="Since">${timeTag(sub.createdAt, tz)}</td>
</tr>`;
}

export async function subscriberListPage(app: FastifyInstance, opts: { ctx: AdminContext }): Promise<void> {
  const { s, tz } = opts.ctx;

  app.get('/subscribers/list', routeConfig({ action: 'subscribers' }), async (req, reply) => {
    const session = sessionOf(req);
    const f = parseFilter(s, req);
    const cursor = param(req, 'cursor');
    if (cursor && !/^[1-9]\d{0,14}$/.test(cursor)) throw badQuery('cursor', 'not a cursor this page made');
    const page = await s.subscribers.list({ ...f, cursor, limit: SUBSCRIBER_PAGE_SIZE });
    const body = html`<header class="page-head"><h1>Find subscribers</h1>
<span><a class="btn" href="/admin/subscribers/export.csv${qs(filterQuery(f))}">Export these as CSV</a> <a class="btn" href="/admin/subscribers/import">Import CSV</a> <a href="/admin/subscribers">Counts</a></span></header>
<section class="card">${filterForm(s, f)}
${page.items.length
    ? html`<table class="log subs-list"><thead><tr><th>Address</th><th>Channel</th><th>Topics</th><th>Language</th><th>State</th><th>Since</th></tr></thead>
<tbody>${page.items.map((sub) => row(s, sub, tz))}</tbody></table>`
    : html`<p class="empty">No subscriber matches.</p>`}
<nav class="pager">${cursor ? html`<a href="/admin/subscribers/list${qs(filterQuery(f))}">← Newest</a>` : ''}
${page.next ? html`<a class="btn" rel="next" href="/admin/subscribers/list${qs({ ...filterQuery(f), cursor: page.next })}">Older →</a>` : ''}</nav>
</section>`;
    return sendPage(reply, layout(body, { title: 'Find subscribers', session, active: 'subscribers', flash: flashText(param(req, 'msg')) }));
  });

  app.get('/subscribers/export.csv', routeConfig({ action: 'subscribers' }), async (req, reply) => {
    const f = parseFilter(s, req);
    async function* rows(): AsyncGenerator<string> {
      yield 'channel,address,topics,language,status,createdAt\r\n';
      let cursor: string | null = null;
      do {
        const page: { items: Subscriber[]; next: string | null } = await s.subscribers.list({ ...f, cursor, limit: 500 });
        yield page.items.map((sub) => `${[sub.channel, sub.address, sub.topics.join(';'), sub.language, sub.status, sub.createdAt].map(csvField).join(',')}\r\n`).join('');
        cursor = page.next;
      } while (cursor);
    }
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="subscribers-${new Date().toISOString().slice(0, 10)}.csv"`)
      .send(Readable.from(rows()));
  });
}
