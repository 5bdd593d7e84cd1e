// /admin/queues-overview (admin): per queue the depth, in-flight, delayed and failed jobs, the
// paused state with pause/resume, and the last hour's completed jobs per minute as a bar chart
// drawn here as SVG (no script). bull-board at /admin/queues has the jobs themselves.
import type { FastifyInstance } from 'fastify';
import { flashText, param, routeConfig, sendPage, sessionOf, type AdminContext } from '../context.js';
import { html, layout, type SafeHtml } from '../html.js';
import { queueCounts, throughput, type QueueCounts, type Throughput } from '../queue-stats.js';
import type { AdminSession } from '../session.js';

/** Bars of `t.perMinute` in a 240×40 box, the current minute on the right. */
export function sparkline(t: Throughput, label: string): SafeHtml {
  const w = 240;
  const h = 40;
  const n = t.perMinute.length;
  const max = Math.max(1, ...t.perMinute);
  const bw = w / n;
  const rects = t.perMinute.map((v, i) => {
    if (v === 0) return '';
    const bh = Math.max(1, Math.round((v / max) * (h - 2)));
    const minsAgo = n - 1 - i;
    return html`<rect x="${(i * bw).toFixed(2)}" y="${h - bh}" width="${Math.max(1, bw - 1).toFixed(2)}" height="${bh}"><title>${v} jobs ${minsAgo === 0 ? 'this minute' : `${minsAgo} min ago`}</title></rect>`;
  });
  return html`<svg class="spark" viewBox="0 0 ${w} ${h}" role="img" aria-label="${label}: ${t.total} jobs completed in the last hour, at most ${max} a minute">
<line x1="0" y1="${h - 0.5}" x2="${w}" y2="${h - 0.5}" class="axis"></line>${rects}</svg>`;
}

function row(q: QueueCounts, t: Throughput | null, session: AdminSession): SafeHtml {
  const ch = q.channel;
  return html`<tr data-queue="${q.queue}">
<td data-label="Queue"><b>${ch ?? 'dispatch (fan-out)'}</b><br><code class="small">${q.queue}</code></td>
<td data-label="Depth" class="num">${q.depth}</td>
<td data-label="In flight" class="num">${q.active}</td>
<td data-label="Delayed" class="num">${q.delayed}</td>
<td data-label="Failed jobs" class="num">${q.failed}</td>
<td data-label="State">${q.paused ? html`<span class="badge paused">paused</span>` : html`<span class="badge running">running</span>`}
${ch ? html`<form method="post" action="/admin/channels/${encodeURIComponent(ch)}/${q.paused ? 'resume' : 'pause'}" class="inline"${q.paused ? '' : html` data-confirm="Pause every delivery of ${ch} until resumed?"`}>
<input type="hidden" name="_csrf" value="${session.csrf}"><input type="hidden" name="back" value="/admin/queues-overview"><button type="submit" class="btn small">${q.paused ? 'Resume' : 'Pause'}</button></form>` : ''}</td>
<td data-label="Last hour" class="chart">${t ? html`${sparkline(t, ch ?? q.queue)}<span class="small">${t.total} job${t.total === 1 ? '' : 's'}</span>` : html`<span class="small muted">n/a</span>`}</td>
</tr>`;
}

export async function queuesPage(app: FastifyInstance, opts: { ctx: AdminContext }): Promise<void> {
  const { s } = opts.ctx;
  app.get('/queues-overview', routeConfig({ action: 'queues' }), async (req, reply) => {
    const session = sessionOf(req);
    const counts = await queueCounts(s);
    const charts = await Promise.all(counts.map((q) => (q.channel ? throughput(s.queues.deliver(q.channel)) : Promise.resolve(null))));
    const body = html`<header class="page-head"><h1>Queues</h1><a class="btn" href="/admin/queues/">Jobs in bull-board →</a></header>
<section class="card">
<table class="queues"><thead><tr><th>Queue</th><th>Depth</th><th>In flight</th><th>Delayed</th><th>Failed jobs</th><th>State</th><th>Completed jobs / minute, last hour</th></tr></thead>
<tbody>${counts.map((q, i) => row(q, charts[i], session))}</tbody></table>
</section>
<p class="note">Depth: jobs waiting to run (waiting + prioritized). In flight: running now. Delayed: waiting for a retry's backoff or a scheduled time.
Failed jobs: jobs that ran out of attempts (each recipient's own state is in the announcement's delivery log).
A delivery job carries a batch of up to ${s.config.delivery.batchSize} recipients. Pausing a channel stops its workers from taking new jobs, for every announcement, until it is resumed; jobs in flight finish.</p>`;
    return sendPage(reply, layout(body, { title: 'Queues', session, active: 'queues', flash: flashText(param(req, 'msg')) }));
  });
}
