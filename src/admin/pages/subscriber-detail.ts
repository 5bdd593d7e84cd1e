// /admin/subscribers/:id (admin): one subscriber, their recent deliveries, a form to change
// topics and language, and removal (the address and personal data erased, counts kept).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFound } from '../../http/errors.js';
import type { Subscriber } from '../../store/subscribers.js';
import { subscriptionsFor } from '../../subscriptions/service.js';
import type { LangPref } from '../../types.js';
import { flashText, param, routeConfig, sendPage, sessionOf, withMsg, type AdminContext } from '../context.js';
import { html, langPrefWord, layout, stateWord, timeTag, type SafeHtml } from '../html.js';
import { uiLang, type UiLang } from '../i18n.js';
import { eraseSubscriber, subscriberDeliveries, topicLabels, type SubscriberDelivery } from '../subscriber-data.js';

const LANGS: readonly LangPref[] = ['zh', 'en', 'both'];
type IdRoute = { Params: { id: string } };

const TEXT = {
  en: {
    noDeliveries: 'No delivery to this subscriber among the newest announcements.', announcement: 'Announcement', status: 'Status',
    attempts: 'Attempts', reason: 'Reason', updated: 'Updated', topics: 'Topics', everything: 'Everything (*)', language: 'Language', save: 'Save',
    back: '← Find subscribers', channel: 'Channel', subscribed: 'Subscribed', lastChange: 'Last change', change: 'Change topics and language',
    deliveries: 'Deliveries', remove: 'Remove', removeNote: 'Deletes this subscriber and erases their address from the delivery log. Announcement counts stay as they are.',
    removeConfirm: (a: string) => `Remove ${a} and erase their address?`, removeButton: 'Remove subscriber',
    noTopic: 'topics: choose at least one topic (or Everything)', noLanguage: 'language: choose zh, en or both',
  },
  zh: {
    noDeliveries: '最近的公告中没有投递给这位订阅者的记录。', announcement: '公告', status: '状态',
    attempts: '尝试次数', reason: '失败原因', updated: '更新时间', topics: '主题', everything: '全部主题（*）', language: '语言', save: '保存',
    back: '← 查找订阅者', channel: '渠道', subscribed: '订阅时间', lastChange: '最近修改', change: '修改主题和语言',
    deliveries: '投递记录', remove: '删除', removeNote: '删除这位订阅者，并从投递记录中抹去其地址。公告的统计数字保持不变。',
    removeConfirm: (a: string) => `删除 ${a} 并抹去其地址？`, removeButton: '删除订阅者',
    noTopic: '主题：请至少选择一个主题（或“全部主题”）', noLanguage: '语言：请选择中文、英文或中英双语',
  },
} as const;

function idOf(req: FastifyRequest<IdRoute>): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(req.params.id)) throw notFound('subscriber');
  return req.params.id;
}

function deliveries(list: SubscriberDelivery[], tz: string, lang: UiLang): SafeHtml {
  const t = TEXT[lang];
  if (list.length === 0) return html`<p class="empty">${t.noDeliveries}</p>`;
  const title = (a: SubscriberDelivery['ann']) => (lang === 'zh' ? a.title.zh ?? a.title.en : a.title.en ?? a.title.zh) ?? a.id;
  return html`<table class="log"><thead><tr><th>${t.announcement}</th><th>${t.status}</th><th>${t.attempts}</th><th>${t.reason}</th><th>${t.updated}</th></tr></thead><tbody>
${list.map(({ ann, record }) => html`<tr class="d-${record.status}">
<td data-label="${t.announcement}"><a href="/admin/announcements/${ann.id}">${title(ann)}</a></td>
<td data-label="${t.status}"><span class="badge st-${record.status}">${stateWord(record.status, lang)}</span></td>
<td data-label="${t.attempts}" class="num">${record.attempts}</td>
<td data-label="${t.reason}" class="reason">${record.error ?? ''}</td>
<td data-label="${t.updated}">${timeTag(record.updatedAt, tz, lang)}</td></tr>`)}
</tbody></table>`;
}

export async function subscriberDetailPage(app: FastifyInstance, opts: { ctx: AdminContext }): Promise<void> {
  const { s, tz } = opts.ctx;

  const editForm = (sub: Subscriber, csrf: string, lang: UiLang, error?: string): SafeHtml => html`<form method="post" action="/admin/subscribers/${sub.id}/edit" class="edit-sub">
<input type="hidden" name="_csrf" value="${csrf}">
<fieldset><legend>${TEXT[lang].topics}</legend>${error ? html`<p class="error" id="topics-error">${error}</p>` : ''}
<label class="check"><input type="checkbox" name="topics" value="*"${sub.topics.includes('*') ? ' checked' : ''}> ${TEXT[lang].everything}</label>
${s.config.topics.map((t) => html`<label class="check"><input type="checkbox" name="topics" value="${t.id}"${sub.topics.includes(t.id) ? ' checked' : ''}> ${t.name[lang]} <span class="small">(${t.id})</span></label>`)}
</fieldset>
<fieldset><legend>${TEXT[lang].language}</legend>${LANGS.map((l) => html`<label class="check"><input type="radio" name="language" value="${l}"${sub.language === l ? ' checked' : ''}> ${langPrefWord(l, lang)}</label>`)}</fieldset>
<button type="submit" class="btn primary">${TEXT[lang].save}</button>
</form>`;

  const page = async (req: FastifyRequest, sub: Subscriber, error?: string) => {
    const session = sessionOf(req);
    const lang = uiLang(req);
    const t = TEXT[lang];
    const list = await subscriberDeliveries(s, sub);
    const body = html`<p class="crumbs"><a href="/admin/subscribers/list">${t.back}</a></p>
<header class="page-head"><h1 class="addr">${sub.address}</h1><span class="badge sub-${sub.status}">${stateWord(sub.status, lang)}</span></header>
<section class="card"><dl class="facts">
<dt>${t.channel}</dt><dd>${sub.channel}</dd><dt>${t.topics}</dt><dd>${topicLabels(s.config, sub.topics, lang)}</dd><dt>${t.language}</dt><dd>${langPrefWord(sub.language, lang)}</dd>
<dt>${t.subscribed}</dt><dd>${timeTag(sub.createdAt, tz, lang)}</dd><dt>${t.lastChange}</dt><dd>${timeTag(sub.updatedAt, tz, lang)}</dd></dl></section>
<section class="card"><h2>${t.change}</h2>${editForm(sub, session.csrf, lang, error)}</section>
<section class="card"><h2>${t.deliveries}</h2>${deliveries(list, tz, lang)}</section>
<section class="card"><h2>${t.remove}</h2><p class="note">${t.removeNote}</p>
<form method="post" action="/admin/subscribers/${sub.id}/remove" data-confirm="${t.removeConfirm(sub.address)}"><input type="hidden" name="_csrf" value="${session.csrf}"><button type="submit" class="btn danger">${t.removeButton}</button></form></section>`;
    return layout(body, { title: sub.address, session, active: 'subscribers', flash: flashText(param(req, 'msg'), lang), lang, path: `/admin/subscribers/${sub.id}` });
  };

  app.get<IdRoute>('/subscribers/:id', routeConfig({ action: 'subscribers' }), async (req, reply) => {
    const sub = await s.subscribers.get(idOf(req));
    if (!sub) throw notFound('subscriber');
    return sendPage(reply, await page(req, sub));
  });

  app.post<IdRoute>('/subscribers/:id/edit', routeConfig({ action: 'subscribers' }), async (req, reply) => {
    const sub = await s.subscribers.get(idOf(req));
    if (!sub) throw notFound('subscriber');
    const body = req.body as Record<string, unknown>;
    const raw = body.topics;
    const given = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((t): t is string => typeof t === 'string');
    const topics = subscriptionsFor(s).normalizeTopics(given);
    const language = body.language as LangPref;
    if (topics.length === 0 || !LANGS.includes(language)) {
      const t = TEXT[uiLang(req)];
      const error = topics.length === 0 ? t.noTopic : t.noLanguage;
      return sendPage(reply, await page(req, sub, error), 400);
    }
    await s.subscribers.upsert({ channel: sub.channel, address: sub.address, topics, language, status: sub.status });
    return reply.redirect(withMsg(`/admin/subscribers/${sub.id}`, 'subscriber-saved'), 303);
  });

  app.post<IdRoute>('/subscribers/:id/remove', routeConfig({ action: 'subscribers' }), async (req, reply) => {
    const r = await eraseSubscriber(s, idOf(req));
    if (!r.removed) throw notFound('subscriber');
    return reply.redirect(withMsg('/admin/subscribers/list', `subscriber-removed-${r.anonymized}`), 303);
  });
}
