// Live per-channel progress of one announcement, for `crier post --wait`.
// On a terminal the block is redrawn in place; otherwise a line is printed only when it changed.
import type { AnnouncementView } from '../producer.js';
import type { DeliveryCounts } from '../store/deliveries.js';

/** `email  12/30 sent, 1 failed, 17 queued` (queued includes those being sent right now). */
export function countsLine(channel: string, c: DeliveryCounts, width = channel.length): string {
  const parts = [`${c.sent}/${c.total} sent`, `${c.failed} failed`, `${c.queued + c.sending} queued`];
  if (c.skipped > 0) parts.push(`${c.skipped} skipped`);
  return `${channel.padEnd(width)}  ${parts.join(', ')}`;
}

export function channelLines(view: Pick<AnnouncementView, 'channels' | 'deliveries'>): string[] {
  const width = Math.max(0, ...view.channels.map((c) => c.length));
  return view.channels.map((ch) => countsLine(ch, view.deliveries[ch], width));
}

export interface ProgressOut {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export class ProgressView {
  private drawn = 0;
  private last = new Map<string, string>();

  constructor(private readonly out: ProgressOut) {}

  update(view: AnnouncementView): void {
    const lines = [`status: ${view.status}`, ...channelLines(view).map((l) => `  ${l}`)];
    if (this.out.isTTY) {
      // Cursor up to the first line of the block, then rewrite each line.
      let s = this.drawn > 0 ? `\x1b[${this.drawn}F` : '';
      for (const l of lines) s += `\x1b[2K${l}\n`;
      this.out.write(s);
      this.drawn = lines.length;
      return;
    }
    const keys = ['status', ...view.channels];
    const changed = lines.filter((l, i) => this.last.get(keys[i]) !== l);
    lines.forEach((l, i) => this.last.set(keys[i], l));
    if (changed.length > 0) this.out.write(changed.map((l) => `${l}\n`).join(''));
  }
}
