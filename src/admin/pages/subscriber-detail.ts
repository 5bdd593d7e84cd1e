// /admin/subscribers/:id (admin): one subscriber, their recent deliveries, a form to change
// topics and language, and removal (the address and personal data erased, counts kept).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFound } from '../../http/errors.js';
import type { Subscriber } from '../../store/subscribers.js';
import { subscriptionsFor } from '../../subscriptions/service.js';
import type { LangPref } from '../../types.js';
import { flashText, param, routeConfig, sendPage, sessionOf, withMsg, type AdminContext } from '../context.js';
import { html, layout, timeTag, type SafeHtml } from '../html.js';
import { eraseSubscriber, subscriberDeliveries, topicLabels, type SubscriberDelivery } from '../subscriber-data.js';

const LANGS: readonly LangPref[] = ['zh', 'en', 'both'];
type IdRoute = { Params: { id: string } };

function idOf(req: FastifyRequest<IdRoute>): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(req.params.id)) throw notFound('subscriber');
  return req.params.id;
}

function deliveries(list: SubscriberDelivery[], tz: string): SafeHtml {
  if (list.length === 0) return html`<p class="empty">No delivery to this subscriber among the newest announcements.</p>`;
  return html`<table class="log"><thead><tr><th>Announcement</th><th>Status</th><th>Attempts</th><th>Reason</th><th>Updated</th></tr></thead><tbody>
${list.map(({ ann, record }) => html`<tr class="d-${record.status}">
<td data-label="Announcement"><a href="/admin/announcements/${ann.id}">${ann.title.en ?? ann.title.zh ?? ann.id}</a></td>
<td data-label="Status"><span class="badge st-${record.status}">${record.status}</span></td>
<td data-label="Attempts" class="num">${record.attempts}</td>
<td data-label="Reason" class="reason">${record.error ?? ''}</td>
<td data-label="Updated">${timeTag(record.updatedAt, tz)}</td></tr>`)}
</tbody></table>`;
}

export async function subscriberDetailPage(app: FastifyInstance, opts: { ctx: AdminContext }): Promise<void> {
  const { s, tz } = opts.ctx;

  const editForm = (sub: Subscriber, csrf: string, error?: string): SafeHtml => html`<form method="post" action="/admin/subscribers/${sub.id}/edit" class="edit-sub">
<input type="hidden" name="_csrf" value="${csrf}">
<fieldset><legend>Topics</legend>${error ? html`<p class="error" id="topics-error">${error}</p>` : ''}
<label class="check"><input type="checkbox" name="topics" value="*"${sub.topics.includes('*') ? ' checked' : ''}> Everything (*)</label>
${s.config.topics.map((t) => html`<label class="check"><input type="checkbox" name="topics" value="${t.id}"${sub.topics.includes(t.id) ? ' checked' : ''}> ${t.name.en} <span class="small">(${t.id})</span></label>`)}
</fieldset>
<fieldset><legend>Language</legend>${LANGS.map((l) => html`<label class="check"><input type="radio" name="language" value="${l}"${sub.language === l ? ' checked' : ''}> ${l}</label>`)}</fieldset>
<button type="submit" class="btn primary">Save</button>
</form>`;

  const page = async (req: FastifyRequest, sub: Subscriber, error?: string) => {
    const session = sessionOf(req);
    const list = await subscriberDeliveries(s, sub);
    const body = html`<p class="crumbs"><a href="/admin/subscribers/list">← Find subscribers</a></p>
<header class="page-head"><h1 class="addr">${sub.address}</h1><span class="badge sub-${sub.status}">${sub.status}</span></header>
<section class="card"><dl class="facts">
<dt>Channel</dt><dd>${sub.channel}</dd><dt>Topics</dt><dd>${topicLabels(s.config, sub.topics)}</dd><dt>Language</dt><dd>${sub.language}</dd>
<dt>Subscribed</dt><dd>${timeTag(sub.createdAt, tz)}</dd><dt>Last change</dt><dd>${timeTag(sub.updatedAt, tz)}</dd></dl></section>
<section class="card"><h2>Change topics and language</h2>${editForm(sub, session.csrf, error)}</section>
<section class="card"><h2>Deliveries</h2>${deliveries(list, tz)}</section>
<section class="card"><h2>Remove</h2><p class="note">Deletes this subscriber and erases their address from the delivery log. Announcement counts stay as they are.</p>
<form method="post" action="/admin/subscribers/${sub.id}/remove" data-confirm="Remove ${sub.address} and erase their address?"><input type="hidden" name="_csrf" value="${session.csrf}"><button type="submit" class="btn danger">Remove subscriber</button></form></section>`;
    return layout(body, { title: sub.address, session, active: 'subscribers', flash: flashText(param(req, 'msg')) });
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
      const error = topics.length === 0 ? 'topics: choose at least one topic (or Everything)' : 'language: choose zh, en or both';
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
