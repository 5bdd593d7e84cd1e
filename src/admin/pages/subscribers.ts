// /admin/subscribers (admin): subscribers per channel by status, and the active ones by topic
// and by language, from the subscriber store's counts() (one walk over every subscriber; the
// result is kept for 30 s so reloads stay cheap); the newest sign-ups and the latest departures
// from its list() (newest first by sequence, so "latest departures" are those among the
// newest 5,000 subscribers, ordered by when they left).
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services.js';
import type { ChannelCounts, Subscriber } from '../../store/subscribers.js';
import { routeConfig, sendPage, sessionOf, type AdminContext } from '../context.js';
import { html, layout, timeTag, type SafeHtml } from '../html.js';

const CACHE_MS = 30_000;
const RECENT = 10;
const cache = new Map<string, { at: number; counts: Record<string, ChannelCounts> }>();

async function cachedCounts(s: Services): Promise<Record<string, ChannelCounts>> {
  const hit = cache.get(s.keys.prefix);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.counts;
  const counts = await s.subscribers.counts(s.config.topics.map((t) => t.id));
  cache.set(s.keys.prefix, { at: Date.now(), counts });
  return counts;
}

/** Tests and the page's "refresh now" link. */
export function forgetSubscriberCounts(): void {
  cache.clear();
}

function table(title: string, rows: [string, number][], total: number): SafeHtml {
  return html`<table class="counts"><caption>${title}</caption><tbody>${rows.map(([k, n]) => html`<tr><th scope="row">${k}</th><td class="num">${n}</td><td class="pct">${total ? Math.round((n / total) * 100) : 0}%</td></tr>`)}</tbody></table>`;
}

function people(list: Subscriber[], when: 'createdAt' | 'updatedAt', tz: string): SafeHtml {
  if (list.length === 0) return html`<p class="empty">None.</p>`;
  return html`<ul class="people">${list.map((p) => html`<li><span class="addr">${p.address}</span> <span class="badge sub-${p.status}">${p.status}</span> <span class="small">${p.channel} · ${p.topics.join(', ')} · ${p.language} · ${timeTag(p[when], tz)}</span></li>`)}</ul>`;
}

export async function subscribersPage(app: FastifyInstance, opts: { ctx: AdminContext }): Promise<void> {
  const { s, tz } = opts.ctx;
  const topicName = new Map(s.config.topics.map((t) => [t.id, t.name.en]));

  app.get('/subscribers', routeConfig({ action: 'subscribers' }), async (req, reply) => {
    const session = sessionOf(req);
    if ((req.query as Record<string, unknown>).refresh) forgetSubscriberCounts();
    const counts = await cachedCounts(s);
    const joined = (await s.subscribers.list({ limit: RECENT, scanLimit: 5000 })).items;
    const left = (
      await Promise.all((['unsubscribed', 'bounced', 'blocked'] as const).map((status) => s.subscribers.list({ status, limit: RECENT, scanLimit: 5000 })))
    )
      .flatMap((r) => r.items)
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
      .slice(0, RECENT);
    const channels = Object.keys(counts).sort();
    const body = html`<header class="page-head"><h1>Subscribers</h1><span><a class="btn primary" href="/admin/subscribers/list">Find a subscriber</a> <a class="btn" href="/admin/subscribers/import">Import CSV</a> <a class="btn" href="/admin/subscribers/export.csv">Export CSV</a> <a href="/admin/subscribers?refresh=1">Recount now</a></span></header>
${channels.length === 0 ? html`<p class="empty card">No subscribers yet.</p>` : ''}
${channels.map((ch) => {
  const c = counts[ch];
  const topics = Object.entries(c.topics).sort((a, b) => b[1] - a[1]).map(([t, n]): [string, number] => [t === '*' ? 'everything (*)' : (topicName.get(t) ?? t), n]);
  return html`<section class="card subs" data-channel="${ch}">
<h2>${ch}: <span data-n="active">${c.active}</span> active <span class="small muted">of ${c.total} stored</span></h2>
<div class="grid3">
${table('By status', Object.entries(c.statuses), c.total)}
${table('Active, by chosen topic', topics, c.active)}
${table('Active, by language', Object.entries(c.languages), c.active)}
</div>
${table('An announcement of each topic reaches', Object.entries(c.reach).map(([t, n]): [string, number] => [topicName.get(t) ?? t, n]), c.active)}
</section>`;
})}
<div class="grid2">
<section class="card"><h2>Newest sign-ups</h2>${people(joined, 'createdAt', tz)}</section>
<section class="card"><h2>Latest departures</h2><p class="note">Unsubscribed, bounced or blocked the bot.</p>${people(left, 'updatedAt', tz)}</section>
</div>
<p class="note">Counts are at most 30 s old.</p>`;
    return sendPage(reply, layout(body, { title: 'Subscribers', session, active: 'subscribers' }));
  });
}
