// Per-channel progress of one announcement, for `crier post --wait` and `crier status ID`.
//
// Rendering is pure: counts + terminal width + tty flag (+ colour) in, lines out
// (renderBars, renderBlock, countsLine, failureSummaryLines). LiveProgress puts those lines on
// the screen:
//   - on a terminal, a block of bars redrawn in place (cursor up, erase line, rewrite), only
//     when a line changed and at most ~10 times a second;
//   - elsewhere (CI logs, a pipe), plain lines: one line per channel when its counts changed,
//     at most one per channel per second; finish() prints the final state at once.
import type { AnnouncementView } from '../producer.js';
import type { DeliveryCounts } from '../store/deliveries.js';

// ---------------------------------------------------------------------------------------------
// Plain lines (not a terminal)

/** `email  12/30 sent, 1 failed, 17 queued` (queued includes those being sent right now). */
export function countsLine(channel: string, c: DeliveryCounts, width = channel.length): string {
  const parts = [`${c.sent}/${c.total} sent`, `${c.failed} failed`, `${c.queued + c.sending} queued`];
  if (c.skipped > 0) parts.push(`${c.skipped} skipped`);
  return `${padEndDisplay(channel, width)}  ${parts.join(', ')}`;
}

// ---------------------------------------------------------------------------------------------
// Display width: what a terminal gives each character (CJK and emoji take two columns,
// combining marks none), so names like "webhook:图书馆" line up.

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

function graphemeWidth(g: string): number {
  const cp = g.codePointAt(0) ?? 0;
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (/^\p{Mark}+$/u.test(g) || cp === 0x200b || cp === 0x200d || cp === 0xfeff) return 0;
  if (isWide(cp) || /\p{Extended_Pictographic}\uFE0F|\p{Emoji_Presentation}/u.test(g)) return 2;
  return 1;
}

/** Columns a string takes on a terminal (ANSI colour codes take none). */
export function displayWidth(s: string): number {
  let w = 0;
  for (const { segment } of segmenter.segment(s.replace(ANSI, ''))) w += graphemeWidth(segment);
  return w;
}

export function padEndDisplay(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

/**
 * Cuts a string to at most `max` columns, never inside a character or a colour code; a cut
 * string ends with "…" (and a colour reset when it had colour).
 */
export function truncateDisplay(s: string, max: number): string {
  if (displayWidth(s) <= max) return s;
  if (max <= 0) return '';
  let out = '';
  let w = 0;
  let coloured = false;
  // Walk colour codes and graphemes in order.
  const parts = s.split(/(\x1b\[[0-9;?]*[A-Za-z])/);
  outer: for (const part of parts) {
    if (part.startsWith('\x1b[')) {
      out += part;
      coloured = true;
      continue;
    }
    for (const { segment } of segmenter.segment(part)) {
      const gw = graphemeWidth(segment);
      if (w + gw > max - 1) break outer;
      out += segment;
      w += gw;
    }
  }
  return `${out}…${coloured ? '\x1b[0m' : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Bars (a terminal)

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

export type ProgressState = Pick<AnnouncementView, 'status' | 'channels' | 'deliveries'>;

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

/** Colour on a terminal unless NO_COLOR is set (https://no-color.org) or TERM is "dumb". */
export function colorEnabled(out: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(out.isTTY) && !env.NO_COLOR && env.TERM !== 'dumb';
}

// ---------------------------------------------------------------------------------------------
// Failures, grouped by reason

export interface FailedDelivery {
  channel: string;
  recipient: string;
  address?: string;
  error: string | null;
}

export interface FailureGroup {
  channel: string;
  reason: string;
  count: number;
  /** The first few addresses (or recipient ids) with this reason. */
  examples: string[];
}

const EXAMPLES = 3;

/** One line of reason: whitespace (an SMTP reply's line breaks) collapsed, at most 300 characters. */
export function reasonText(error: string | null | undefined): string {
  const r = (error ?? '').replace(/\s+/g, ' ').trim() || 'no reason recorded';
  return r.length > 300 ? `${r.slice(0, 299)}…` : r;
}

/** Groups failed deliveries by channel and identical reason; the largest groups first. */
export function groupFailures(records: Iterable<FailedDelivery>): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const d of records) {
    const reason = reasonText(d.error);
    const key = `${d.channel}\u0000${reason}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { channel: d.channel, reason, count: 0, examples: [] }));
    g.count += 1;
    if (g.examples.length < EXAMPLES) g.examples.push(d.address || d.recipient);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.channel.localeCompare(b.channel) || a.reason.localeCompare(b.reason));
}

/**
 * `Failures: N`, then one line per reason, up to `limit` reasons:
 *   `  email  gone@example.edu: bounced: 550 5.1.1 No such user here`        (one delivery)
 *   `  email  3× bounced: 550 5.1.1 No such user here  (a@…, b@…, c@…, +2 more)`  (several)
 * `failedCount` is the counters' total; `scanned` how many failed records were read (fewer
 * than failedCount when the reading stopped at its cap).
 */
export function failureSummaryLines(groups: FailureGroup[], failedCount: number, opts: { limit?: number; scanned?: number } = {}): string[] {
  if (failedCount <= 0) return [];
  const limit = opts.limit ?? 20;
  const shown = groups.slice(0, limit);
  const notes: string[] = [];
  if (groups.length > shown.length) notes.push(`the ${shown.length} most common of ${groups.length} reasons shown`);
  if (opts.scanned !== undefined && opts.scanned < failedCount) notes.push(`grouped from the first ${opts.scanned}`);
  const width = Math.max(0, ...shown.map((g) => displayWidth(g.channel)));
  const lines = [`Failures: ${failedCount}${notes.length ? ` (${notes.join('; ')})` : ''}`];
  for (const g of shown) {
    const ch = padEndDisplay(g.channel, width);
    if (g.count === 1) {
      lines.push(`  ${ch}  ${g.examples[0]}: ${g.reason}`);
    } else {
      const more = g.count > g.examples.length ? `, +${g.count - g.examples.length} more` : '';
      lines.push(`  ${ch}  ${g.count}× ${g.reason}  (${g.examples.join(', ')}${more})`);
    }
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Putting it on the screen

export interface ProgressOut {
  write(chunk: string): unknown;
  isTTY?: boolean;
  /** Terminal width (process.stdout.columns). */
  columns?: number;
}

export interface LiveProgressOptions {
  /** Default: colorEnabled(out). */
  color?: boolean;
  /** Terminal: least time between two redraws (default 100 ms: at most ~10 a second). */
  ttyIntervalMs?: number;
  /** Not a terminal: least time between two lines of the same channel (default 1 s). */
  plainIntervalMs?: number;
  now?: () => number;
}

/**
 * Live progress on a terminal or in a log. update() as often as you like: what reaches the
 * output is throttled and deduplicated; finish() shows the final state at once.
 */
export class LiveProgress {
  private readonly tty: boolean;
  private readonly color: boolean;
  private readonly ttyInterval: number;
  private readonly plainInterval: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private finished = false;
  // Terminal: the block on screen, when it was drawn, and the newest state not drawn yet.
  private drawn: string[] = [];
  private drawnAt = -Infinity;
  private pendingView: ProgressState | null = null;
  // Plain: per key ("status" or a channel) the last printed line and when.
  private readonly printed = new Map<string, { line: string; at: number }>();
  private readonly pendingLines = new Map<string, string>();
  private order: string[] = [];

  constructor(
    private readonly out: ProgressOut,
    opts: LiveProgressOptions = {},
  ) {
    this.tty = Boolean(out.isTTY);
    this.color = opts.color ?? colorEnabled(out);
    this.ttyInterval = opts.ttyIntervalMs ?? 100;
    this.plainInterval = opts.plainIntervalMs ?? 1000;
    this.now = opts.now ?? Date.now;
  }

  update(view: ProgressState): void {
    if (this.finished) return;
    if (this.tty) this.offerTty(view, false);
    else this.offerPlain(view, false);
  }

  /** Shows the final state now (whatever the throttle) and stops. */
  finish(view: ProgressState): void {
    if (this.finished) return;
    if (this.tty) this.offerTty(view, true);
    else this.offerPlain(view, true);
    this.finished = true;
    this.stop();
  }

  /** Cancels a pending redraw (the process is about to end). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private lines(view: ProgressState, final: boolean): string[] {
    return renderBlock(view, { tty: this.tty, color: this.color, columns: this.out.columns, final });
  }

  private offerTty(view: ProgressState, final: boolean): void {
    const now = this.now();
    if (final || now - this.drawnAt >= this.ttyInterval) {
      this.pendingView = null;
      this.stop();
      this.draw(this.lines(view, final), now);
      return;
    }
    this.pendingView = view;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      const v = this.pendingView;
      this.pendingView = null;
      if (v && !this.finished) this.draw(this.lines(v, false), this.now());
    }, this.drawnAt + this.ttyInterval - now);
  }

  private draw(lines: string[], now: number): void {
    if (lines.length === this.drawn.length && lines.every((l, i) => l === this.drawn[i])) return;
    // Cursor to the start of the block's first line, then erase and rewrite each line.
    let s = this.drawn.length > 0 ? `\x1b[${this.drawn.length}F` : '';
    for (const l of lines) s += `\x1b[2K${l}\n`;
    if (lines.length < this.drawn.length) s += '\x1b[J';
    this.out.write(s);
    this.drawn = lines;
    this.drawnAt = now;
  }

  private offerPlain(view: ProgressState, final: boolean): void {
    const now = this.now();
    const lines = this.lines(view, final);
    const keys = ['status', ...view.channels];
    this.order = keys;
    const emit: string[] = [];
    keys.forEach((key, i) => {
      const line = lines[i];
      const last = this.printed.get(key);
      if (last?.line === line) {
        this.pendingLines.delete(key);
        return;
      }
      if (final || !last || now - last.at >= this.plainInterval) {
        this.pendingLines.delete(key);
        this.printed.set(key, { line, at: now });
        emit.push(line);
      } else {
        this.pendingLines.set(key, line);
      }
    });
    if (emit.length) this.out.write(emit.map((l) => `${l}\n`).join(''));
    this.schedulePlain(now);
  }

  private schedulePlain(now: number): void {
    this.stop();
    if (this.finished || this.pendingLines.size === 0) return;
    let due = Infinity;
    for (const key of this.pendingLines.keys()) due = Math.min(due, (this.printed.get(key)?.at ?? now) + this.plainInterval);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const t = this.now();
      const emit: string[] = [];
      for (const key of this.order) {
        const line = this.pendingLines.get(key);
        if (line === undefined) continue;
        const last = this.printed.get(key);
        if (last && t - last.at < this.plainInterval) continue;
        this.pendingLines.delete(key);
        this.printed.set(key, { line, at: t });
        emit.push(line);
      }
      if (emit.length) this.out.write(emit.map((l) => `${l}\n`).join(''));
      this.schedulePlain(t);
    }, Math.max(0, due - now));
  }
}
