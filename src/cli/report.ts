// What `crier post --wait` and `crier status ID` print about an announcement's outcome.
import type { Services } from '../services.js';
import type { AnnouncementView } from '../producer.js';
import { DELIVERY_STATUSES, type DeliveryRecord } from '../types.js';

export function totalsLine(view: AnnouncementView): string {
  const sum = { total: 0, queued: 0, sending: 0, sent: 0, failed: 0, skipped: 0 };
  for (const c of Object.values(view.deliveries)) {
    sum.total += c.total;
    for (const st of DELIVERY_STATUSES) sum[st] += c[st];
  }
  const pending = sum.queued + sum.sending;
  return `${view.status}: ${sum.total} ${sum.total === 1 ? 'delivery' : 'deliveries'}, ${sum.sent} sent, ${sum.failed} failed, ${sum.skipped} skipped${pending ? `, ${pending} queued` : ''}`;
}

/** Up to `limit` failed deliveries, over every channel of the announcement. */
export async function failedDeliveries(s: Pick<Services, 'deliveries'>, view: AnnouncementView, limit = 20): Promise<DeliveryRecord[]> {
  const found: DeliveryRecord[] = [];
  let cursor: string | null = null;
  do {
    const page = await s.deliveries.list(view.id, view.channels, { status: 'failed', cursor, limit: limit - found.length });
    found.push(...page.items);
    cursor = page.next;
  } while (cursor && found.length < limit);
  return found.slice(0, limit);
}
