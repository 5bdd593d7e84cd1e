// Failed deliveries grouped by channel and reason, and the `Failures: N` summary lines.
import { displayWidth, padEndDisplay } from './terminal.js';

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
