// The delivery log of one announcement as an HTML table: filters (channel, status), exact
// pages over the log's HSCAN cursor, each failure's reason and attempts, possible duplicates
// and recipients who are gone marked.
import { badQuery } from '../../http/errors.js';
import type { Services } from '../../services.js';
import { InvalidCursorError } from '../../store/deliveries.js';
import { DELIVERY_STATUSES, type Announcement, type DeliveryRecord, type DeliveryStatus } from '../../types.js';
import { html, qs, stateWord, timeTag, type SafeHtml } from '../html.js';
import type { UiLang } from '../lang.js';
import { channelLabel } from '../channel-names.js';

export const LOG_PAGE_SIZE = 50;

const TEXT = {
  en: {
    recipient: 'Recipient', channel: 'Channel', status: 'Status', attempts: 'Attempts', reason: 'Reason', updated: 'Updated',
    dup: 'possible duplicate', dupHint: 'a crash interrupted the send: this recipient may have two copies', gone: 'gone', goneHint: 'blocked or bounced: never retried',
    heading: 'Delivery log', allChannels: 'All channels', anyStatus: 'Any status', filter: 'Filter', failuresOnly: 'Failures only',
    none: (filtered: boolean) => `No deliveries${filtered ? ' match these filters' : ' yet'}.`, more: 'More pages', first: '← First page', next: 'Next page →',
  },
  zh: {
    recipient: '收件人', channel: '渠道', status: '状态', attempts: '尝试次数', reason: '失败原因', updated: '更新时间',
    dup: '可能重复', dupHint: '发送时程序中断：此收件人可能收到两份', gone: '已失效', goneHint: '已屏蔽或退信：不会再重试',
    heading: '投递记录', allChannels: '全部渠道', anyStatus: '全部状态', filter: '筛选', failuresOnly: '只看失败',
    none: (filtered: boolean) => (filtered ? '没有符合筛选条件的投递。' : '还没有投递。'), more: '翻页', first: '← 第一页', next: '下一页 →',
  },
} as const;

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
export async function logPage(s: Pick<Services, 'deliveries'>, ann: Announcement, f: LogFilter, limit = LOG_PAGE_SIZE): Promise<{ items: DeliveryRecord[]; next: string | null }> {
  const channels = f.channel ? [f.channel] : ann.channels;
  try {
    return await s.deliveries.page(ann.id, channels, { status: f.status, cursor: f.cursor, limit });
  } catch (err) {
    if (err instanceof InvalidCursorError) throw badQuery('cursor', 'not a cursor this page made');
    throw err;
  }
}

function row(d: DeliveryRecord, tz: string, lang: UiLang): SafeHtml {
  const t = TEXT[lang];
  return html`<tr class="d-${d.status}" data-recipient="${d.recipient}">
<td data-label="${t.recipient}"><span class="addr">${d.address || d.recipient}</span>${d.possibleDuplicate ? html` <span class="badge dup" title="${t.dupHint}">${t.dup}</span>` : ''}${d.gone ? html` <span class="badge gone" title="${t.goneHint}">${t.gone}</span>` : ''}</td>
<td data-label="${t.channel}">${channelLabel(d.channel, lang)}</td>
<td data-label="${t.status}"><span class="badge st-${d.status}">${stateWord(d.status, lang)}</span></td>
<td data-label="${t.attempts}" class="num">${d.attempts}</td>
<td data-label="${t.reason}" class="reason">${d.error ?? ''}</td>
<td data-label="${t.updated}">${timeTag(d.updatedAt, tz, lang)}</td>
</tr>`;
}

/** The filter form, the table and the pager; `#log` is what the page script re-reads. */
export function logSection(ann: Announcement, f: LogFilter, page: { items: DeliveryRecord[]; next: string | null }, tz: string, lang: UiLang = 'en'): SafeHtml {
  const t = TEXT[lang];
  const base = `/admin/announcements/${encodeURIComponent(ann.id)}`;
  return html`<section id="log" class="card" data-log-url="${base}${qs({ channel: f.channel, status: f.status, cursor: f.cursor, fragment: 'log' })}">
<h2>${t.heading}</h2>
<form method="get" action="${base}#log" class="filters">
  <select name="channel" aria-label="${t.channel}"><option value="">${t.allChannels}</option>${ann.channels.map((c) => html`<option value="${c}"${c === f.channel ? ' selected' : ''}>${channelLabel(c, lang)}</option>`)}</select>
  <select name="status" aria-label="${t.status}"><option value="">${t.anyStatus}</option>${DELIVERY_STATUSES.map((st) => html`<option value="${st}"${st === f.status ? ' selected' : ''}>${lang === 'en' ? st : stateWord(st, lang)}</option>`)}</select>
  <button type="submit" class="btn">${t.filter}</button>
  <a href="${base}${qs({ channel: f.channel, status: 'failed' })}#log">${t.failuresOnly}</a>
</form>
${page.items.length
    ? html`<table class="log"><thead><tr><th>${t.recipient}</th><th>${t.channel}</th><th>${t.status}</th><th>${t.attempts}</th><th>${t.reason}</th><th>${t.updated}</th></tr></thead>
<tbody>${page.items.map((d) => row(d, tz, lang))}</tbody></table>`
    : html`<p class="empty">${t.none(Boolean(f.status || f.channel))}</p>`}
<nav class="pager" aria-label="${t.more}">${f.cursor ? html`<a href="${base}${qs({ channel: f.channel, status: f.status })}#log">${t.first}</a>` : ''}
${page.next ? html`<a class="btn" href="${base}${qs({ channel: f.channel, status: f.status, cursor: page.next })}#log">${t.next}</a>` : ''}</nav>
</section>`;
}
