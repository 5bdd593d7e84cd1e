// What an alert says: per channel that had failures, how many of how many failed and the most
// common reasons with their counts, read from the delivery log.
import type { Services } from '../services.js';
import type { Announcement } from '../types.js';

export interface ChannelFailures {
  channel: string;
  failed: number;
  total: number;
  /** The most frequent reasons, most frequent first. */
  reasons: { reason: string; count: number }[];
}

const TOP_REASONS = 5;
/** Failed records read per channel for the reasons (the counts come from the counters). */
const SAMPLE = 5000;

/** "452 4.2.2 Mailbox full (gave up after 3 attempts)" and the same after 8 attempts are one reason. */
export function reasonKey(error: string | null): string {
  return (error ?? 'no reason recorded').replace(/\s*\(gave up after \d+ attempts?\)\s*$/, '').trim() || 'no reason recorded';
}

export async function failureReport(s: Pick<Services, 'deliveries'>, ann: Announcement): Promise<ChannelFailures[]> {
  const counts = await s.deliveries.counts(ann.id, ann.channels);
  const out: ChannelFailures[] = [];
  for (const channel of ann.channels) {
    const c = counts[channel];
    if (!c || c.failed === 0) continue;
    const tally = new Map<string, number>();
    let cursor: string | null = null;
    let read = 0;
    do {
      const page: Awaited<ReturnType<typeof s.deliveries.list>> = await s.deliveries.list(ann.id, [channel], { status: 'failed', cursor, limit: 500 });
      for (const r of page.items) tally.set(reasonKey(r.error), (tally.get(reasonKey(r.error)) ?? 0) + 1);
      read += page.items.length;
      cursor = page.next;
    } while (cursor && read < SAMPLE);
    const reasons = [...tally.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, TOP_REASONS).map(([reason, count]) => ({ reason, count }));
    out.push({ channel, failed: c.failed, total: c.total, reasons });
  }
  return out;
}
