// LiveProgress: puts the progress block on a terminal (redrawn in place) or in a log (lines).
import { renderBlock, type ProgressState } from './bars.js';
import { colorEnabled } from './terminal.js';

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
 * On a terminal, a block of bars redrawn in place (cursor up, erase line, rewrite), only when a
 * line changed and at most ~10 times a second. Elsewhere (CI logs, a pipe), plain lines: one
 * line per channel when its counts changed, at most one per channel per second.
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
