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
import { html, langPrefWord, layout, qs, stateWord, timeTag, type SafeHtml } from '../html.js';
import { uiLang, type UiLang } from '../i18n.js';
import { topicLabels } from '../subscriber-data.js';

export const SUBSCRIBER_PAGE_SIZE = 50;
const STATUSES: readonly SubscriberStatus[] = ['pending', 'active', 'unsubscribed', 'bounced', 'blocked'];
const LANGS: readonly LangPref[] = ['zh', 'en', 'both'];
const CHANNELS = ['email', 'telegram'];

const TEXT = {
  en: {
    any: 'Any', addressOrChat: 'Address or chat', example: 'e.g. wang@ or 58120', channel: 'Channel', topic: 'Topic', language: 'Language', state: 'State',
    search: 'Search', clear: 'Clear', address: 'Address', topics: 'Topics', since: 'Since', title: 'Find subscribers',
    exportThese: 'Export these as CSV', import: 'Import CSV', counts: 'Counts', none: 'No subscriber matches.', newest: '← Newest', older: 'Older →', more: 'More pages',
  },
  zh: {
    any: '不限', addressOrChat: '地址或聊天 ID', example: '例如 wang@ 或 58120', channel: '渠道', topic: '主题', language: '语言', state: '状态',
    search: '搜索', clear: '清除', address: '地址', topics: '主题', since: '订阅时间', title: '查找订阅者',
    exportThese: '将结果导出为 CSV', import: '导入 CSV', counts: '统计', none: '没有符合条件的订阅者。', newest: '← 最新', older: '更早 →', more: '翻页',
  },
} as const;

export interface SubscriberFilter {
  q?: string;
  channel?: string;
  topic?: string;
  language?: LangPref;
  status?: SubscriberStatus;
}

/** The filters of a request, each checked; a bad one is a 400 that names it. */
export function parseFilter(s: Pick<Services, 'config'>, req: FastifyRequest): SubscriberFilter {
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

function select(name: string, label: string, current: string | undefined, options: [string, string][], lang: UiLang): SafeHtml {
  return html`<label class="small">${label} <select name="${name}"><option value="">${TEXT[lang].any}</option>${options.map(([v, text]) => html`<option value="${v}"${v === current ? ' selected' : ''}>${text}</option>`)}</select></label>`;
}

function filterForm(s: Pick<Services, 'config'>, f: SubscriberFilter, lang: UiLang): SafeHtml {
  const t = TEXT[lang];
  return html`<form method="get" action="/admin/subscribers/list" class="filters" role="search">
<label class="small">${t.addressOrChat} <input type="search" name="q" value="${f.q ?? ''}" placeholder="${t.example}"></label>
${select('channel', t.channel, f.channel, CHANNELS.map((c) => [c, c]), lang)}
${select('topic', t.topic, f.topic, s.config.topics.map((x) => [x.id, x.name[lang]]), lang)}
${select('language', t.language, f.language, LANGS.map((l) => [l, langPrefWord(l, lang)]), lang)}
${select('status', t.state, f.status, STATUSES.map((st) => [st, lang === 'en' ? st : stateWord(st, lang)]), lang)}
<button type="submit" class="btn primary">${t.search}</button>
<a href="/admin/subscribers/list">${t.clear}</a>
</form>`;
}

function row(s: Pick<Services, 'config'>, sub: Subscriber, tz: string, lang: UiLang): SafeHtml {
  const t = TEXT[lang];
  return html`<tr data-subscriber="${sub.id}">
<td data-label="${t.address}"><a href="/admin/subscribers/${sub.id}" class="addr">${sub.address}</a></td>
<td data-label="${t.channel}">${sub.channel}</td>
<td data-label="${t.topics}">${topicLabels(s.config, sub.topics, lang)}</td>
<td data-label="${t.language}">${langPrefWord(sub.language, lang)}</td>
<td data-label="${t.state}"><span class="badge sub-${sub.status}">${stateWord(sub.status, lang)}</span></td>
<td data-label="${t.since}">${timeTag(sub.createdAt, tz, lang)}</td>
</tr>`;
}

export async function subscriberListPage(app: FastifyInstance, opts: { ctx: AdminContext }): Promise<void> {
  const { s, tz } = opts.ctx;

  app.get('/subscribers/list', routeConfig({ action: 'subscribers' }), async (req, reply) => {
    const session = sessionOf(req);
    const lang = uiLang(req);
    const t = TEXT[lang];
    const f = parseFilter(s, req);
    const cursor = param(req, 'cursor');
    if (cursor && !/^[1-9]\d{0,14}$/.test(cursor)) throw badQuery('cursor', 'not a cursor this page made');
    const page = await s.subscribers.list({ ...f, cursor, limit: SUBSCRIBER_PAGE_SIZE });
    const body = html`<header class="page-head"><h1>${t.title}</h1>
<span><a class="btn" href="/admin/subscribers/export.csv${qs(filterQuery(f))}">${t.exportThese}</a> <a class="btn" href="/admin/subscribers/import">${t.import}</a> <a href="/admin/subscribers">${t.counts}</a></span></header>
<section class="card">${filterForm(s, f, lang)}
${page.items.length
    ? html`<table class="log subs-list"><thead><tr><th>${t.address}</th><th>${t.channel}</th><th>${t.topics}</th><th>${t.language}</th><th>${t.state}</th><th>${t.since}</th></tr></thead>
<tbody>${page.items.map((sub) => row(s, sub, tz, lang))}</tbody></table>`
    : html`<p class="empty">${t.none}</p>`}
<nav class="pager">${cursor ? html`<a href="/admin/subscribers/list${qs(filterQuery(f))}">${t.newest}</a>` : ''}
${page.next ? html`<a class="btn" rel="next" href="/admin/subscribers/list${qs({ ...filterQuery(f), cursor: page.next })}">${t.older}</a>` : ''}</nav>
</section>`;
    const path = `/admin/subscribers/list${qs({ ...filterQuery(f), cursor })}`;
    return sendPage(reply, layout(body, { title: t.title, session, active: 'subscribers', flash: flashText(param(req, 'msg'), lang), lang, path }));
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
