// The delivery log of one announcement as an HTML table: filters (channel, status), exact
// pages over the log's HSCAN cursor, each failure's reason and attempts, possible duplicates
// and recipients who are gone marked.
import { badQuery } from '../../http/errors.js';
import type { Services } from '../../services.js';
import { InvalidCursorError } from '../../store/deliveries.js';
import { DELIVERY_STATUSES, type Announcement, type DeliveryRecord, type DeliveryStatus } from '../../types.js';
import { html, qs, timeTag, type SafeHtml } from '../html.js';

export const LOG_PAGE_SIZE = 50;

export interface LogFilter {
  channel?: string;
  status?: DeliveryStatus;
  cursor?: string;
}

export function parseLogFilter(ann: Announcement, q: { channel?: string; status?: string; cursor?: string }): LogFilter {
  if (q.channel !== undefined && !ann.channels.includes(q.channel)) throw badQuery('channel', `not one of this announcement's channels`);
  if (q.status !== undefined && !DELIVERY_STATUSES.includes(q.status as DeliveryStatus)) throw badQuery('status', `must be one of ${DELIVERY_STATUSES.join(', ')}`);
  if (q.cursor !== undefined && !/^\d{1,4}\.\d{1,20}\.\d{1,6}$/.test(q.cursor)) throw badQuery('cursor', 'not a cursor this page made');
  return { channel: q.channel, status: q.status as DeliveryStatus | undefined, cursor: q.cursor };
}

/** One page of the delivery log, exactly `limit` records (the store's exact-limit pager). */
export async function logPage(s: Services, ann: Announcement, f: LogFilter, limit = LOG_PAGE_SIZE): Promise<{ items: DeliveryRecord[]; next: string | null }> {
  const channels = f.channel ? [f.channel] : ann.channels;
  try {
    return await s.deliveries.page(ann.id, channels, { status: f.status, cursor: f.cursor, limit });
  } catch (err) {
    if (err instanceof InvalidCursorError) throw badQuery('cursor', 'not a cursor this page made');
    throw err;
  }
}

function row(d: DeliveryRecord, tz: string): SafeHtml {
  return html`<tr class="d-${d.status}" data-recipient="${d.recipient}">
<td data-label="Recipient"><span class="addr">${d.address || d.recipient}</span>${d.possibleDuplicate ? html` <span class="badge dup" title="a crash interrupted the send: this recipient may have two copies">possible duplicate</span>` : ''}${d.gone ? html` <span class="badge gone" title="blocked or bounced: never retried">gone</span>` : ''}</td>
<td data-label="Channel">${d.channel}</td>
<td data-label="Status"><span class="badge st-${d.status}">${d.status}</span></td>
<td data-label="Attempts" class="num">${d.attempts}</td>
<td data-label="Reason" class="reason">${d.error ?? ''}</td>
<td data-label="Updated">${timeTag(d.updatedAt, tz)}</td>
</tr>`;
}

/** The filter form, the table and the pager; `#log` is what the page script re-reads. */
export function logSection(ann: Announcement, f: LogFilter, page: { items: DeliveryRecord[]; next: string | null }, tz: string): SafeHtml {
  const base = `/admin/announcements/${encodeURIComponent(ann.id)}`;
  return html`<section id="log" class="card" data-log-url="${base}${qs({ channel: f.channel, status: f.status, cursor: f.cursor, fragment: 'log' })}">
<h2>Delivery log</h2>
<form method="get" action="${base}#log" class="filters">
  <select name="channel" aria-label="Channel"><option value="">All channels</option>${ann.channels.map((c) => html`<option value="${c}"${c === f.channel ? ' selected' : ''}>${c}</option>`)}</select>
  <select name="status" aria-label="Status"><option value="">Any status</option>${DELIVERY_STATUSES.map((st) => html`<option value="${st}"${st === f.status ? ' selected' : ''}>${st}</option>`)}</select>
  <button type="submit" class="btn">Filter</button>
  <a href="${base}${qs({ channel: f.channel, status: 'failed' })}#log">Failures only</a>
</form>
${page.items.length
    ? html`<table class="log"><thead><tr><th>Recipient</th><th>Channel</th><th>Status</th><th>Attempts</th><th>Reason</th><th>Updated</th></tr></thead>
<tbody>${page.items.map((d) => row(d, tz))}</tbody></table>`
    : html`<p class="empty">No deliveries${f.status || f.channel ? ' match these filters' : ' yet'}.</p>`}
<nav class="pager" aria-label="More pages">${f.cursor ? html`<a href="${base}${qs({ channel: f.channel, status: f.status })}#log">← First page</a>` : ''}
${page.next ? html`<a class="btn" href="${base}${qs({ channel: f.channel, status: f.status, cursor: page.next })}#log">Next page →</a>` : ''}</nav>
</section>`;
}
