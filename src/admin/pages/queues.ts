// /admin/queues-overview (admin): per queue the depth, in-flight, delayed and failed jobs, the
// paused state with pause/resume, and the last hour's completed jobs per minute as a bar chart
// drawn here as SVG (no script). bull-board at /admin/queues has the jobs themselves.
import type { FastifyInstance } from 'fastify';
import { flashText, param, routeConfig, sendPage, sessionOf, type AdminContext } from '../context.js';
import { html, layout, stateWord, type SafeHtml } from '../html.js';
import { uiLang, type UiLang } from '../i18n.js';
import { queueCounts, throughput, type QueueCounts, type Throughput } from '../queue-stats.js';
import type { AdminSession } from '../session.js';
import { channelLabel } from '../channel-names.js';

const TEXT = {
  en: {
    jobsAt: (v: number, minsAgo: number) => `${v} jobs ${minsAgo === 0 ? 'this minute' : `${minsAgo} min ago`}`,
    chart: (label: string, total: number, max: number) => `${label}: ${total} jobs completed in the last hour, at most ${max} a minute`,
    jobs: (n: number) => `${n} job${n === 1 ? '' : 's'}`, na: 'n/a', dispatch: 'dispatch (fan-out)',
    queue: 'Queue', depth: 'Depth', inFlight: 'In flight', delayed: 'Delayed', failed: 'Failed jobs', state: 'State', lastHour: 'Last hour',
    perMinute: 'Completed jobs / minute, last hour', pauseConfirm: (ch: string) => `Pause every delivery of ${ch} until resumed?`, pause: 'Pause', resume: 'Resume',
    title: 'Queues', bull: 'Jobs in bull-board →',
    note: (batch: number) => `Depth: jobs waiting to run (waiting + prioritized). In flight: running now. Delayed: waiting for a retry's backoff or a scheduled time.
Failed jobs: jobs that ran out of attempts (each recipient's own state is in the announcement's delivery log).
A delivery job carries a batch of up to ${batch} recipients. Pausing a channel stops its workers from taking new jobs, for every announcement, until it is resumed; jobs in flight finish.`,
  },
  zh: {
    jobsAt: (v: number, minsAgo: number) => `${minsAgo === 0 ? '本分钟' : `${minsAgo} 分钟前`} ${v} 个任务`,
    chart: (label: string, total: number, max: number) => `${label}：最近一小时完成 ${total} 个任务，每分钟最多 ${max} 个`,
    jobs: (n: number) => `${n} 个任务`, na: '无数据', dispatch: '分发（拆分投递）',
    queue: '队列', depth: '等待中', inFlight: '执行中', delayed: '延后', failed: '失败任务', state: '状态', lastHour: '最近一小时',
    perMinute: '每分钟完成的任务（最近一小时）', pauseConfirm: (ch: string) => `暂停 ${ch} 的全部投递，直到恢复为止？`, pause: '暂停', resume: '恢复',
    title: '队列', bull: '在 bull-board 中查看任务 →',
    note: (batch: number) => `等待中：排队等待执行的任务（含优先任务）。执行中：正在运行的任务。延后：等待重试间隔或定时发布的任务。
失败任务：用完重试次数的任务（每位收件人的状态见该公告的投递记录）。
每个投递任务最多包含 ${batch} 位收件人。暂停某个渠道后，该渠道的所有公告都不再开始新任务，直到恢复；正在执行的任务会完成。`,
  },
} as const;

/** Bars of `t.perMinute` in a 240×40 box, the current minute on the right. */
export function sparkline(t: Throughput, label: string, lang: UiLang = 'en'): SafeHtml {
  const tx = TEXT[lang];
  const w = 240;
  const h = 40;
  const n = t.perMinute.length;
  const max = Math.max(1, ...t.perMinute);
  const bw = w / n;
  const rects = t.perMinute.map((v, i) => {
    if (v === 0) return '';
    const bh = Math.max(1, Math.round((v / max) * (h - 2)));
    const minsAgo = n - 1 - i;
    return html`<rect x="${(i * bw).toFixed(2)}" y="${h - bh}" width="${Math.max(1, bw - 1).toFixed(2)}" height="${bh}"><title>${tx.jobsAt(v, minsAgo)}</title></rect>`;
  });
  return html`<svg class="spark" viewBox="0 0 ${w} ${h}" role="img" aria-label="${tx.chart(label, t.total, max)}">
<line x1="0" y1="${h - 0.5}" x2="${w}" y2="${h - 0.5}" class="axis"></line>${rects}</svg>`;
}

function row(q: QueueCounts, t: Throughput | null, session: AdminSession, lang: UiLang): SafeHtml {
  const ch = q.channel;
  const tx = TEXT[lang];
  return html`<tr data-queue="${q.queue}">
<td data-label="${tx.queue}"><b>${ch ? channelLabel(ch, lang) : tx.dispatch}</b><br><code class="small">${q.queue}</code></td>
<td data-label="${tx.depth}" class="num">${q.depth}</td>
<td data-label="${tx.inFlight}" class="num">${q.active}</td>
<td data-label="${tx.delayed}" class="num">${q.delayed}</td>
<td data-label="${tx.failed}" class="num">${q.failed}</td>
<td data-label="${tx.state}">${q.paused ? html`<span class="badge paused">${stateWord('paused', lang)}</span>` : html`<span class="badge running">${stateWord('running', lang)}</span>`}
${ch ? html`<form method="post" action="/admin/channels/${encodeURIComponent(ch)}/${q.paused ? 'resume' : 'pause'}" class="inline"${q.paused ? '' : html` data-confirm="${tx.pauseConfirm(ch)}"`}>
<input type="hidden" name="_csrf" value="${session.csrf}"><input type="hidden" name="back" value="/admin/queues-overview"><button type="submit" class="btn small">${q.paused ? tx.resume : tx.pause}</button></form>` : ''}</td>
<td data-label="${tx.lastHour}" class="chart">${t ? html`${sparkline(t, ch ?? q.queue, lang)}<span class="small">${tx.jobs(t.total)}</span>` : html`<span class="small muted">${tx.na}</span>`}</td>
</tr>`;
}

export async function queuesPage(app: FastifyInstance, opts: { ctx: AdminContext }): Promise<void> {
  const { s } = opts.ctx;
  app.get('/queues-overview', routeConfig({ action: 'queues' }), async (req, reply) => {
    const session = sessionOf(req);
    const lang = uiLang(req);
    const tx = TEXT[lang];
    const counts = await queueCounts(s);
    const charts = await Promise.all(counts.map((q) => (q.channel ? throughput(s.queues.deliver(q.channel)) : Promise.resolve(null))));
    const body = html`<header class="page-head"><h1>${tx.title}</h1><a class="btn" href="/admin/queues/">${tx.bull}</a></header>
<section class="card">
<table class="queues"><thead><tr><th>${tx.queue}</th><th>${tx.depth}</th><th>${tx.inFlight}</th><th>${tx.delayed}</th><th>${tx.failed}</th><th>${tx.state}</th><th>${tx.perMinute}</th></tr></thead>
<tbody>${counts.map((q, i) => row(q, charts[i], session, lang))}</tbody></table>
</section>
<p class="note">${tx.note(s.config.delivery.batchSize)}</p>`;
    return sendPage(reply, layout(body, { title: tx.title, session, active: 'queues', flash: flashText(param(req, 'msg'), lang), lang, path: '/admin/queues-overview' }));
  });
}
