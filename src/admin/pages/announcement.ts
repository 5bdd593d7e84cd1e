// /admin/announcements/:id: one announcement. Its live per-channel bars, what each channel sends
// (channel.preview(channel.render(…)) for a sample recipient, as `crier preview` prints it), the
// delivery log, and the actions: retry failed (admin), cancel (while scheduled or queued), and
// pause/resume of each channel's delivery queue (admin). Also the POST handlers of those actions.
import { reachOf } from '../../reach.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError, notFound } from '../../http/errors.js';
import type { Services } from '../../services.js';
import type { Announcement, LangPref, Recipient } from '../../types.js';
import { field, flashText, param, routeConfig, safeBack, sendPage, sessionOf, withMsg, type AdminContext } from '../context.js';
import { actionForm, bars, html, layout, qs, statusBadge, timeTag, type SafeHtml } from '../html.js';
import type { AdminSession } from '../session.js';
import { may } from '../session.js';
import { titleOf } from './announcements.js';
import { logPage, logSection, parseLogFilter } from './delivery-log.js';

type IdRoute = { Params: { id: string } };
const LANGS: LangPref[] = ['both', 'en', 'zh'];

async function load(s: Services, id: string): Promise<Announcement> {
  const ann = /^[A-Za-z0-9_-]{1,64}$/.test(id) ? await s.announcements.get(id) : null;
  if (!ann) throw notFound('announcement');
  return ann;
}

/** What `crier preview` prints for each channel, for the same sample recipient. */
function renderings(s: Services, ann: Announcement, language: LangPref): SafeHtml[] {
  return ann.channels.map((name) => {
    const channel = s.channels.get(name);
    let text: string;
    if (!channel) text = '(this channel is not enabled in this configuration)';
    else {
      const sample: Recipient = { id: 'sample', address: name === 'email' ? 'reader@example.edu' : 'sample', language };
      try {
        text = channel.preview(channel.render(ann, sample));
      } catch (err) {
        text = `(could not render: ${(err as Error).message})`;
      }
    }
    return html`<details class="render"><summary>${name}</summary><pre>${text}</pre></details>`;
  });
}

function channelControls(ann: Announcement, paused: boolean[], session: AdminSession, back: string): SafeHtml {
  return html`<ul class="channels">${ann.channels.map((ch, i) => html`<li><span class="ch">${ch}</span> ${paused[i] ? html`<span class="badge paused">paused</span>` : html`<span class="badge running">running</span>`}
${may(session.role, 'pause') ? html`<form method="post" action="/admin/channels/${encodeURIComponent(ch)}/${paused[i] ? 'resume' : 'pause'}" class="inline"${paused[i] ? '' : html` data-confirm="Pause every delivery of ${ch} (all announcements) until resumed?"`}>
<input type="hidden" name="_csrf" value="${session.csrf}"><input type="hidden" name="back" value="${back}"><button type="submit" class="btn small">${paused[i] ? 'Resume' : 'Pause'} ${ch}</button></form>` : ''}</li>`)}</ul>`;
}

export async function announcementPage(app: FastifyInstance, opts: { ctx: AdminContext }): Promise<void> {
  const { s, tz } = opts.ctx;

  app.get<IdRoute>('/announcements/:id', routeConfig({ action: 'read' }), async (req, reply) => {
    const session = sessionOf(req);
    const ann = await load(s, req.params.id);
    const filter = parseLogFilter(ann, { channel: param(req, 'channel'), status: param(req, 'status'), cursor: param(req, 'cursor') });
    const page = await logPage(s, ann, filter);
    const log = logSection(ann, filter, page, tz);
    if (param(req, 'fragment') === 'log') return reply.type('text/html; charset=utf-8').send(log.value);

    const langParam = param(req, 'lang') as LangPref | undefined;
    const lang = langParam && LANGS.includes(langParam) ? langParam : s.config.library.defaultLanguage;
    const [counts, paused, reach] = await Promise.all([
      s.deliveries.counts(ann.id, ann.channels),
      Promise.all(ann.channels.map((ch) => (s.channels.has(ch) ? s.queues.deliver(ch).isPaused() : Promise.resolve(false)))),
      reachOf(s, ann),
    ]);
    const self = `/admin/announcements/${encodeURIComponent(ann.id)}`;
    const here = safeBack(req.url.replace(/([?&])msg=[^&#]*&?/, '$1').replace(/[?&]$/, ''));
    const failed = Object.values(counts).reduce((n, c) => n + c.failed, 0);
    const t = titleOf(ann);
    const body = html`<p class="crumbs"><a href="/admin">← Announcements</a></p>
<article class="card ann" data-ann="${ann.id}">
<h1>${t.main}${t.other ? html` <span class="alt" lang="zh">${t.other}</span>` : ''}</h1>
<dl class="facts">
  <dt>Status</dt><dd>${statusBadge(ann.status)}${ann.priority === 'urgent' ? html` <span class="badge urgent">urgent</span>` : ''}</dd>
  <dt>Created</dt><dd>${timeTag(ann.createdAt, tz)} by ${ann.createdBy}</dd>
  <dt>Published</dt><dd>${timeTag(ann.publishedAt, tz)}</dd>
  ${ann.expiresAt ? html`<dt>Expires</dt><dd>${timeTag(ann.expiresAt, tz)}</dd>` : ''}
  <dt>Topics</dt><dd>${ann.topics.join(', ')}</dd>
  ${ann.link ? html`<dt>Link</dt><dd><a href="${ann.link}" rel="noopener noreferrer">${ann.link}</a></dd>` : ''}
  <dt>Id</dt><dd><code>${ann.id}</code></dd>
</dl>
${bars(ann.channels, counts)}
<div class="actions">
${may(session.role, 'retry') && failed > 0 ? actionForm(`${self}/retry`, session.csrf, `Retry ${failed} failed`, { cls: 'btn primary', confirm: 'Queue every failed delivery of this announcement again?', back: here }) : ''}
${may(session.role, 'cancel') && (ann.status === 'scheduled' || ann.status === 'queued') ? actionForm(`${self}/cancel`, session.csrf, 'Cancel announcement', { cls: 'btn danger', confirm: 'Cancel this announcement? Nothing more will be sent.', back: here }) : ''}
</div>
</article>
<section class="card reach"><h2>Reach</h2>
<table class="counts"><thead><tr><th scope="col">Channel</th><th scope="col">People</th><th scope="col">Groups, channels, feeds</th></tr></thead>
<tbody>${ann.channels.map((ch) => html`<tr data-channel="${ch}"><th scope="row">${ch}</th><td class="num" data-n="people">${reach[ch]?.people ?? 0}</td><td class="num" data-n="groups">${reach[ch]?.groups ?? 0}</td></tr>`)}</tbody></table>
<p><a href="${self}/deliveries.csv">Download the delivery log (CSV)</a></p></section>
<section class="card"><h2>Channels</h2>${channelControls(ann, paused, session, here)}</section>
<section class="card"><h2>What each channel sends</h2>
<p class="note">Language: ${LANGS.map((l) => (l === lang ? html`<b>${l}</b> ` : html`<a href="${self}${qs({ lang: l })}">${l}</a> `))}· the same output as <code>crier preview</code>, for a sample recipient.</p>
${renderings(s, ann, lang)}
</section>
${log}`;
    return sendPage(reply, layout(body, { title: t.main, session, active: 'announcements', scripts: ['live.js'], flash: flashText(param(req, 'msg')) }));
  });

  /** The page the form was on (its filters kept), if it is this announcement's page. */
  const back = (req: FastifyRequest<IdRoute>) => {
    const self = `/admin/announcements/${encodeURIComponent(req.params.id)}`;
    const b = safeBack(field(req, 'back'));
    return b === self || b.startsWith(`${self}?`) ? b : self;
  };

  app.post<IdRoute>('/announcements/:id/retry', routeConfig({ action: 'retry' }), async (req, reply) => {
    await load(s, req.params.id);
    const r = await s.producer.retryFailed(req.params.id);
    if (!r) throw notFound('announcement');
    return reply.redirect(withMsg(back(req), `retried-${r.requeued}`), 303);
  });

  app.post<IdRoute>('/announcements/:id/cancel', routeConfig({ action: 'cancel' }), async (req, reply) => {
    const r = await s.producer.cancel((await load(s, req.params.id)).id);
    if (!r.ok && r.reason === 'not_found') throw notFound('announcement');
    return reply.redirect(withMsg(back(req), r.ok ? 'cancelled' : 'not-cancellable'), 303);
  });

  for (const op of ['pause', 'resume'] as const) {
    app.post<{ Params: { channel: string } }>(`/channels/:channel/${op}`, routeConfig({ action: 'pause' }), async (req, reply) => {
      const ch = req.params.channel;
      if (!s.channels.has(ch)) throw new HttpError(404, 'not_found', `no enabled channel "${ch}"`);
      const q = s.queues.deliver(ch);
      await (op === 'pause' ? q.pause() : q.resume());
      s.log.child('admin').info(`channel ${op}d`, { channel: ch, by: sessionOf(req).name });
      return reply.redirect(withMsg(safeBack(field(req, 'back')), `${op}d-${ch}`), 303);
    });
  }
}
