// /admin/subscribers (admin): subscribers per channel by status, and the active ones by topic
// and by language, from the subscriber store's counts() (one walk over every subscriber; the
// result is kept for 30 s by the Services' SubscriberCountsCache so reloads stay cheap); the newest sign-ups and the latest departures
// from its list() (newest first by sequence, so "latest departures" are those among the
// newest 5,000 subscribers, ordered by when they left).
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services.js';
import type { Subscriber } from '../../store/subscribers.js';
import { routeConfig, sendPage, sessionOf, type AdminContext } from '../context.js';
import { html, langPrefWord, layout, stateWord, timeTag, type SafeHtml } from '../html.js';
import { uiLang, type UiLang } from '../i18n.js';
import { topicLabels } from '../subscriber-data.js';

const RECENT = 10;
const TEXT = {
  en: {
    none: 'None.', title: 'Subscribers', find: 'Find a subscriber', import: 'Import CSV', export: 'Export CSV', recount: 'Recount now',
    empty: 'No subscribers yet.', everything: 'everything (*)', active: 'active', of: (n: number) => `of ${n} stored`,
    byStatus: 'By status', byTopic: 'Active, by chosen topic', byLang: 'Active, by language', reach: 'An announcement of each topic reaches',
    joined: 'Newest sign-ups', left: 'Latest departures', leftNote: 'Unsubscribed, bounced or blocked the bot.', fresh: 'Counts are at most 30 s old.',
  },
  zh: {
    none: '无。', title: '订阅者', find: '查找订阅者', import: '导入 CSV', export: '导出 CSV', recount: '立即重新统计',
    empty: '还没有订阅者。', everything: '全部主题（*）', active: '位有效', of: (n: number) => `（共存储 ${n} 位）`,
    byStatus: '按状态', byTopic: '有效订阅者，按所选主题', byLang: '有效订阅者，按语言', reach: '各主题公告可送达',
    joined: '最新订阅', left: '最近离开', leftNote: '已退订、退信或屏蔽了机器人。', fresh: '统计数字最多延迟 30 秒。',
  },
} as const;

function table(title: string, rows: [string, number][], total: number): SafeHtml {
  return html`<table class="counts"><caption>${title}</caption><tbody>${rows.map(([k, n]) => html`<tr><th scope="row">${k}</th><td class="num">${n}</td><td class="pct">${total ? Math.round((n / total) * 100) : 0}%</td></tr>`)}</tbody></table>`;
}

function people(s: Pick<Services, 'config'>, list: Subscriber[], when: 'createdAt' | 'updatedAt', tz: string, lang: UiLang): SafeHtml {
  // English keeps the topic ids as before; Chinese shows the configured names.
  const topics = (p: Subscriber) => (lang === 'en' ? p.topics.join(', ') : topicLabels(s.config, p.topics, lang));
  if (list.length === 0) return html`<p class="empty">${TEXT[lang].none}</p>`;
  return html`<ul class="people">${list.map((p) => html`<li><span class="addr">${p.address}</span> <span class="badge sub-${p.status}">${stateWord(p.status, lang)}</span> <span class="small">${p.channel} · ${topics(p)} · ${langPrefWord(p.language, lang)} · ${timeTag(p[when], tz, lang)}</span></li>`)}</ul>`;
}

export async function subscribersPage(app: FastifyInstance, opts: { ctx: AdminContext }): Promise<void> {
  const { s, tz } = opts.ctx;

  app.get('/subscribers', routeConfig({ action: 'subscribers' }), async (req, reply) => {
    const session = sessionOf(req);
    const lang = uiLang(req);
    const tx = TEXT[lang];
    const topicName = new Map(s.config.topics.map((t) => [t.id, t.name[lang]]));
    if ((req.query as Record<string, unknown>).refresh) s.subscriberCounts.forget();
    const counts = await s.subscriberCounts.get();
    const joined = (await s.subscribers.list({ limit: RECENT, scanLimit: 5000 })).items;
    const left = (
      await Promise.all((['unsubscribed', 'bounced', 'blocked'] as const).map((status) => s.subscribers.list({ status, limit: RECENT, scanLimit: 5000 })))
    )
      .flatMap((r) => r.items)
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
      .slice(0, RECENT);
    const channels = Object.keys(counts).sort();
    const body = html`<header class="page-head"><h1>${tx.title}</h1><span><a class="btn primary" href="/admin/subscribers/list">${tx.find}</a> <a class="btn" href="/admin/subscribers/import">${tx.import}</a> <a class="btn" href="/admin/subscribers/export.csv">${tx.export}</a> <a href="/admin/subscribers?refresh=1">${tx.recount}</a></span></header>
${channels.length === 0 ? html`<p class="empty card">${tx.empty}</p>` : ''}
${channels.map((ch) => {
  const c = counts[ch];
  const topics = Object.entries(c.topics).sort((a, b) => b[1] - a[1]).map(([t, n]): [string, number] => [t === '*' ? tx.everything : (topicName.get(t) ?? t), n]);
  return html`<section class="card subs" data-channel="${ch}">
<h2>${ch}: <span data-n="active">${c.active}</span> ${tx.active} <span class="small muted">${tx.of(c.total)}</span></h2>
<div class="grid3">
${table(tx.byStatus, Object.entries(c.statuses).map(([k, n]): [string, number] => [stateWord(k, lang), n]), c.total)}
${table(tx.byTopic, topics, c.active)}
${table(tx.byLang, Object.entries(c.languages).map(([k, n]): [string, number] => [langPrefWord(k, lang), n]), c.active)}
</div>
${table(tx.reach, Object.entries(c.reach).map(([t, n]): [string, number] => [topicName.get(t) ?? t, n]), c.active)}
</section>`;
})}
<div class="grid2">
<section class="card"><h2>${tx.joined}</h2>${people(s, joined, 'createdAt', tz, lang)}</section>
<section class="card"><h2>${tx.left}</h2><p class="note">${tx.leftNote}</p>${people(s, left, 'updatedAt', tz, lang)}</section>
</div>
<p class="note">${tx.fresh}</p>`;
    return sendPage(reply, layout(body, { title: tx.title, session, active: 'subscribers', lang, path: '/admin/subscribers' }));
  });
}
