// Per-channel progress as lines: bars on a terminal, plain counts lines elsewhere; pure.
import type { AnnouncementView } from '../../producer.js';
import type { DeliveryCounts } from '../../store/deliveries.js';
import { displayWidth, padEndDisplay, truncateDisplay } from './terminal.js';

/** `email  12/30 sent, 1 failed, 17 queued` (queued includes those being sent right now). */
export function countsLine(channel: string, c: DeliveryCounts, width = channel.length): string {
  const parts = [`${c.sent}/${c.total} sent`, `${c.failed} failed`, `${c.queued + c.sending} queued`];
  if (c.skipped > 0) parts.push(`${c.skipped} skipped`);
  return `${padEndDisplay(channel, width)}  ${parts.join(', ')}`;
}

export const BAR = { sent: '█', failed: '▓', pending: '░' } as const;
const SGR = { green: '\x1b[32m', red: '\x1b[31m', yellow: '\x1b[33m', dim: '\x1b[2m', reset: '\x1b[0m' };

export interface ChannelProgress {
  channel: string;
  counts: DeliveryCounts;
}

export interface RenderOptions {
  /** Terminal width; lines never exceed columns - 1 (so nothing wraps). Default 80. */
  columns?: number;
  /** A terminal gets bars; anything else plain lines (countsLine). */
  tty: boolean;
  /** ANSI colours (terminal only). See colorEnabled(). */
  color?: boolean;
  /** The announcement is final: a channel with nothing to deliver shows 100%. */
  final?: boolean;
}

export const MIN_BAR = 10;
export const MAX_BAR = 40;

export function zeroCounts(): DeliveryCounts {
  return { total: 0, queued: 0, sending: 0, sent: 0, failed: 0, skipped: 0 };
}

/** Whole percent of deliveries that are final (sent, failed or skipped); 100 only when all are. */
export function percentDone(c: DeliveryCounts, final = false): number {
  if (c.total <= 0) return final ? 100 : 0;
  const done = Math.min(c.total, c.sent + c.failed + c.skipped);
  return Math.floor((done * 100) / c.total);
}

/**
 * The bar's cells: sent (█), then failed or skipped (▓), then the rest (░). Cells are floored,
 * so a bar is full only when every delivery is final.
 */
export function barCells(c: DeliveryCounts, width: number, final = false): { sent: number; failed: number; pending: number } {
  if (c.total <= 0) return final ? { sent: width, failed: 0, pending: 0 } : { sent: 0, failed: 0, pending: width };
  const sent = Math.floor((Math.min(c.sent, c.total) * width) / c.total);
  const done = Math.floor((Math.min(c.total, c.sent + c.failed + c.skipped) * width) / c.total);
  return { sent, failed: done - sent, pending: width - done };
}

/**
 * One line per channel:
 * `email     ████████████░░░░░░░░  62%   930/1500 sent  3 failed  567 queued`
 * Names and number columns line up across channels; the bar takes what the width leaves
 * (MIN_BAR..MAX_BAR cells). Not a terminal: the plain countsLine() lines instead.
 */
export function renderBars(rows: ChannelProgress[], opts: RenderOptions): string[] {
  if (!opts.tty) {
    const width = Math.max(0, ...rows.map((r) => displayWidth(r.channel)));
    return rows.map((r) => countsLine(r.channel, r.counts, width));
  }
  if (rows.length === 0) return [];
  const columns = opts.columns && opts.columns > 0 ? opts.columns : 80;
  const limit = Math.max(1, columns - 1);
  const paint = (code: string, s: string) => (opts.color && code && s ? `${code}${s}${SGR.reset}` : s);

  const cols = rows.map(({ counts: c }) => ({
    ratio: `${c.sent}/${c.total}`,
    failed: String(c.failed),
    queued: String(c.queued + c.sending),
    skipped: c.skipped > 0 ? String(c.skipped) : '',
  }));
  const w = {
    ratio: Math.max(...cols.map((c) => c.ratio.length)),
    failed: Math.max(...cols.map((c) => c.failed.length)),
    queued: Math.max(...cols.map((c) => c.queued.length)),
    skipped: Math.max(...cols.map((c) => c.skipped.length)),
  };
  const text = (i: number) => {
    const c = cols[i];
    return `${c.ratio.padStart(w.ratio)} sent  ${c.failed.padStart(w.failed)} failed  ${c.queued.padStart(w.queued)} queued${c.skipped ? `  ${c.skipped.padStart(w.skipped)} skipped` : ''}`;
  };
  // The bar's width is worked out from the widest the numbers can get (every count at the
  // channel's total), so it does not jump by a cell each time a count gains or loses a digit.
  const stable = rows.map(({ counts: c }) => {
    const t = String(c.total).length;
    return 4 * t + 24 + (c.skipped > 0 ? t + 10 : 0); // "T/T sent  T failed  T queued[  T skipped]"
  });
  const textW = Math.max(...stable, ...rows.map((_, i) => text(i).length));
  // Long names (webhook:…) get at most a third of the width.
  const nameW = Math.min(Math.max(...rows.map((r) => displayWidth(r.channel))), Math.max(12, Math.floor(columns / 3)));
  const fixed = nameW + 2 + 2 + 4 + 2 + textW; // name, gap, bar, gap, "100%", gap, text
  const barW = Math.max(MIN_BAR, Math.min(MAX_BAR, limit - fixed));

  return rows.map((r, i) => {
    const c = r.counts;
    const name = padEndDisplay(truncateDisplay(r.channel, nameW), nameW);
    const cells = barCells(c, barW, opts.final);
    const bar =
      paint(SGR.green, BAR.sent.repeat(cells.sent)) +
      paint(c.failed > 0 ? SGR.red : SGR.yellow, BAR.failed.repeat(cells.failed)) +
      paint(SGR.dim, BAR.pending.repeat(cells.pending));
    const pct = `${percentDone(c, opts.final)}%`.padStart(4);
    const col = cols[i];
    let text = `${col.ratio.padStart(w.ratio)} sent  ${paint(c.failed > 0 ? SGR.red : '', `${col.failed.padStart(w.failed)} failed`)}  ${col.queued.padStart(w.queued)} queued`;
    if (col.skipped) text += `  ${paint(SGR.yellow, `${col.skipped.padStart(w.skipped)} skipped`)}`;
    return truncateDisplay(`${name}  ${bar}  ${pct}  ${text}`, limit);
  });
}

/** What the live block shows: an announcement's sends, or a correction's (its status is then a word like "correcting"). */
export type ProgressState = Pick<AnnouncementView, 'channels' | 'deliveries'> & { status: string };

export function rowsOf(view: Pick<AnnouncementView, 'channels' | 'deliveries'>): ChannelProgress[] {
  return view.channels.map((channel) => ({ channel, counts: view.deliveries[channel] ?? zeroCounts() }));
}

/** The live block: `status: <status>`, then a line per channel, indented by two. */
export function renderBlock(view: ProgressState, opts: RenderOptions): string[] {
  const columns = opts.columns && opts.columns > 0 ? opts.columns : 80;
  const status = `status: ${view.status}`;
  const lines = renderBars(rowsOf(view), { ...opts, columns: columns - 2 }).map((l) => `  ${l}`);
  return [opts.tty ? truncateDisplay(status, columns - 1) : status, ...lines];
}
