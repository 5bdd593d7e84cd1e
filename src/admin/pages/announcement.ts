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
import { actionForm, bars, html, langPrefWord, layout, qs, stateWord, statusBadge, timeTag, type SafeHtml } from '../html.js';
import { uiLang, type UiLang } from '../i18n.js';
import type { AdminSession } from '../session.js';
import { may } from '../session.js';
import { liveState, titleOf, topicsText } from './announcements.js';
import { logPage, logSection, parseLogFilter } from './delivery-log.js';
import { channelLabel } from '../channel-names.js';
import { correctionButtons, correctionSections, revisionFacts } from './announcement-corrections.js';

type IdRoute = { Params: { id: string } };
const LANGS: LangPref[] = ['both', 'en', 'zh'];

const TEXT = {
  en: {
    notEnabled: '(this channel is not enabled in this configuration)', couldNot: (m: string) => `(could not render: ${m})`,
    pauseConfirm: (ch: string) => `Pause every delivery of ${ch} (all announcements) until resumed?`,
    pause: (ch: string) => `Pause ${ch}`, resume: (ch: string) => `Resume ${ch}`,
    back: '← Announcements', status: 'Status', urgent: 'urgent', created: 'Created', by: (n: string) => `by ${n}`, published: 'Published',
    expires: 'Expires', topics: 'Topics', link: 'Link', id: 'Id',
    retry: (n: number) => `Retry ${n} failed`, retryConfirm: 'Queue every failed delivery of this announcement again?',
    cancel: 'Cancel announcement', cancelConfirm: 'Cancel this announcement? Nothing more will be sent.',
    reach: 'Reach', channel: 'Channel', people: 'People', groups: 'Groups, channels, feeds', csv: 'Download the delivery log (CSV)',
    channels: 'Channels', sends: 'What each channel sends', language: 'Language:',
    sameAs: html`the same output as <code>crier preview</code>, for a sample recipient.`,
  },
  zh: {
    notEnabled: '（当前配置未启用此渠道）', couldNot: (m: string) => `（无法生成预览：${m}）`,
    pauseConfirm: (ch: string) => `暂停 ${ch} 的全部投递（所有公告），直到恢复为止？`,
    pause: (ch: string) => `暂停 ${ch}`, resume: (ch: string) => `恢复 ${ch}`,
    back: '← 公告列表', status: '状态', urgent: '紧急', created: '创建', by: (n: string) => `，创建人：${n}`, published: '发布',
    expires: '失效', topics: '主题', link: '链接', id: '编号',
    retry: (n: number) => `重试 ${n} 条失败投递`, retryConfirm: '将这条公告所有失败的投递重新排队？',
    cancel: '取消公告', cancelConfirm: '确定取消这条公告吗？之后不会再发送任何内容。',
    reach: '覆盖范围', channel: '渠道', people: '人数', groups: '群组、频道、订阅源', csv: '下载投递记录（CSV）',
    channels: '渠道', sends: '各渠道发送的内容', language: '语言：',
    sameAs: html`与 <code>crier preview</code> 的输出相同（以示例收件人生成）。`,
  },
} as const;

async function load(s: Pick<Services, 'announcements'>, id: string): Promise<Announcement> {
  const ann = /^[A-Za-z0-9_-]{1,64}$/.test(id) ? await s.announcements.get(id) : null;
  if (!ann) throw notFound('announcement');
  return ann;
}

/** What `crier preview` prints for each channel, for the same sample recipient. */
function renderings(s: Pick<Services, 'channels'>, ann: Announcement, language: LangPref, lang: UiLang): SafeHtml[] {
  const t = TEXT[lang];
  return ann.channels.map((name) => {
    const channel = s.channels.get(name);
    let text: string;
    if (!channel) text = t.notEnabled;
    else {
      const sample: Recipient = { id: 'sample', address: name === 'email' ? 'reader@example.edu' : 'sample', language };
      try {
        text = channel.preview(channel.render(ann, sample));
      } catch (err) {
        text = t.couldNot((err as Error).message);
      }
    }
    return html`<details class="render"><summary>${channelLabel(name, lang)}</summary><pre>${text}</pre></details>`;
  });
}

function channelControls(ann: Announcement, paused: boolean[], session: AdminSession, back: string, lang: UiLang): SafeHtml {
  const t = TEXT[lang];
  return html`<ul class="channels">${ann.channels.map((ch, i) => html`<li><span class="ch">${channelLabel(ch, lang)}</span> ${paused[i] ? html`<span class="badge paused">${stateWord('paused', lang)}</span>` : html`<span class="badge running">${stateWord('running', lang)}</span>`}
${may(session.role, 'pause') ? html`<form method="post" action="/admin/channels/${encodeURIComponent(ch)}/${paused[i] ? 'resume' : 'pause'}" class="inline"${paused[i] ? '' : html` data-confirm="${t.pauseConfirm(channelLabel(ch, lang))}"`}>
<input type="hidden" name="_csrf" value="${session.csrf}"><input type="hidden" name="back" value="${back}"><button type="submit" class="btn small">${paused[i] ? t.resume(channelLabel(ch, lang)) : t.pause(channelLabel(ch, lang))}</button></form>` : ''}</li>`)}</ul>`;
}

export async function announcementPage(app: FastifyInstance, opts: { ctx: AdminContext }): Promise<void> {
  const { s, tz } = opts.ctx;

  app.get<IdRoute>('/announcements/:id', routeConfig({ action: 'read' }), async (req, reply) => {
    const session = sessionOf(req);
    const ui = uiLang(req);
    const tx = TEXT[ui];
    const ann = await load(s, req.params.id);
    const filter = parseLogFilter(ann, { channel: param(req, 'channel'), status: param(req, 'status'), cursor: param(req, 'cursor') });
    const page = await logPage(s, ann, filter);
    const log = logSection(ann, filter, page, tz, ui);
    if (param(req, 'fragment') === 'log') return reply.type('text/html; charset=utf-8').send(log.value);

    // The sample recipient's language is ?preview= (?lang= in older links; that one also sets the page's language).
    const langParam = (param(req, 'preview') ?? param(req, 'lang')) as LangPref | undefined;
    const lang = langParam && LANGS.includes(langParam) ? langParam : s.config.library.defaultLanguage;
    const [counts, paused, reach, corrections] = await Promise.all([
      s.deliveries.counts(ann.id, ann.channels),
      Promise.all(ann.channels.map((ch) => (s.channels.has(ch) ? s.queues.deliver(ch).isPaused() : Promise.resolve(false)))),
      reachOf(s, ann),
      correctionSections(s, ann, tz, ui),
    ]);
    const self = `/admin/announcements/${encodeURIComponent(ann.id)}`;
    const here = safeBack(req.url.replace(/([?&])msg=[^&#]*&?/, '$1').replace(/[?&]$/, ''));
    const failed = Object.values(counts).reduce((n, c) => n + c.failed, 0);
    const t = titleOf(ann, ui);
    const body = html`<p class="crumbs"><a href="/admin">${tx.back}</a></p>
${liveState(ui)}
<article class="card ann" data-ann="${ann.id}">
<h1>${t.main}${t.other ? html` <span class="alt" lang="${t.otherLang}">${t.other}</span>` : ''}</h1>
<dl class="facts">
  <dt>${tx.status}</dt><dd>${statusBadge(ann.status, ui)}${ann.priority === 'urgent' ? html` <span class="badge urgent">${tx.urgent}</span>` : ''}</dd>
  <dt>${tx.created}</dt><dd>${timeTag(ann.createdAt, tz, ui)}${ui === 'en' ? ' ' : ''}${tx.by(ann.createdBy)}</dd>
  <dt>${tx.published}</dt><dd>${timeTag(ann.publishedAt, tz, ui)}</dd>
  ${ann.expiresAt ? html`<dt>${tx.expires}</dt><dd>${timeTag(ann.expiresAt, tz, ui)}</dd>` : ''}
  <dt>${tx.topics}</dt><dd>${topicsText(s, ann.topics, ui)}</dd>
  ${ann.link ? html`<dt>${tx.link}</dt><dd><a href="${ann.link}" rel="noopener noreferrer">${ann.link}</a></dd>` : ''}
  <dt>${tx.id}</dt><dd><code>${ann.id}</code></dd>
  ${revisionFacts(ann, ui)}
</dl>
${bars(ann.channels, counts, ui)}
<div class="actions">
${may(session.role, 'retry') && failed > 0 ? actionForm(`${self}/retry`, session.csrf, tx.retry(failed), { cls: 'btn primary', confirm: tx.retryConfirm, back: here }) : ''}
${may(session.role, 'cancel') && (ann.status === 'scheduled' || ann.status === 'queued') ? actionForm(`${self}/cancel`, session.csrf, tx.cancel, { cls: 'btn danger', confirm: tx.cancelConfirm, back: here }) : ''}
${correctionButtons(session, ann, ui)}
</div>
</article>
${corrections}
<section class="card reach"><h2>${tx.reach}</h2>
<table class="counts"><thead><tr><th scope="col">${tx.channel}</th><th scope="col">${tx.people}</th><th scope="col">${tx.groups}</th></tr></thead>
<tbody>${ann.channels.map((ch) => html`<tr data-channel="${ch}"><th scope="row">${channelLabel(ch, ui)}</th><td class="num" data-n="people">${reach[ch]?.people ?? 0}</td><td class="num" data-n="groups">${reach[ch]?.groups ?? 0}</td></tr>`)}</tbody></table>
<p><a href="${self}/deliveries.csv">${tx.csv}</a></p></section>
<section class="card"><h2>${tx.channels}</h2>${channelControls(ann, paused, session, here, ui)}</section>
<section class="card"><h2>${tx.sends}</h2>
<p class="note">${tx.language} ${LANGS.map((l) => (l === lang ? html`<b>${langPrefWord(l, ui)}</b> ` : html`<a href="${self}${qs({ preview: l })}">${langPrefWord(l, ui)}</a> `))}· ${tx.sameAs}</p>
${renderings(s, ann, lang, ui)}
</section>
${log}`;
    return sendPage(reply, layout(body, { title: t.main, session, active: 'announcements', scripts: ['live.js'], flash: flashText(param(req, 'msg'), ui), lang: ui, path: here.replace(/([?&])lang=[^&#]*&?/, '$1').replace(/[?&]$/, '') }));
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
