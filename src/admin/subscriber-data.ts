// What the dashboard's subscriber pages need beyond the store: one subscriber's deliveries
// (the delivery log is kept per announcement, so this looks the subscriber up in the newest
// announcements' logs) and removal that erases the person, not the statistics.
import type { Services } from '../services.js';
import type { Subscriber } from '../store/subscribers.js';
import { subscriptionsFor } from '../subscriptions/service.js';
import type { Announcement, DeliveryRecord } from '../types.js';

/** How many of the newest announcements a subscriber's page looks through. */
export const DELIVERY_LOOKBACK = 200;
export const REMOVED_ADDRESS = '(removed)';

/** Reading a subscriber's delivery records: the newest announcements and their delivery hashes. */
export type DeliveryLookupDeps = Pick<Services, 'announcements' | 'deliveries'>;

export interface SubscriberDelivery {
  ann: Announcement;
  record: DeliveryRecord;
}

/** The subscriber's deliveries among the newest announcements, newest first. */
export async function subscriberDeliveries(s: DeliveryLookupDeps, sub: Subscriber, limit = 50): Promise<SubscriberDelivery[]> {
  const ids = await s.announcements.recentIds(DELIVERY_LOOKBACK);
  const records = await s.deliveries.recordsOf(ids, sub.channel, sub.id);
  const out: SubscriberDelivery[] = [];
  for (let i = 0; i < ids.length && out.length < limit; i++) {
    const record = records[i];
    if (!record) continue;
    const ann = await s.announcements.get(ids[i]);
    if (ann) out.push({ ann, record });
  }
  return out;
}

/**
 * Removes a subscriber: the subscriber record and every key about them (SubscriptionService.remove),
 * and their address in every delivery record still kept (delivery.retentionDays). The records
 * stay, anonymous, so an announcement's counts and log totals do not change.
 */
export async function eraseSubscriber(s: DeliveryLookupDeps & Pick<Services, 'subscribers' | 'subscriptions'>, id: string): Promise<{ removed: boolean; anonymized: number }> {
  const sub = await s.subscribers.get(id);
  if (!sub) return { removed: false, anonymized: 0 };
  const ids = await s.announcements.recentIds();
  let anonymized = 0;
  for (let i = 0; i < ids.length; i += 200) {
    const chunk = ids.slice(i, i + 200);
    const records = await s.deliveries.recordsOf(chunk, sub.channel, sub.id);
    const changes = chunk.flatMap((annId, j) => {
      const rec = records[j];
      if (!rec) return [];
      const { subscriberId: _gone, ...rest } = rec;
      return [{ annId, record: { ...rest, channel: rec.channel ?? sub.channel, recipient: rec.recipient ?? sub.id, address: REMOVED_ADDRESS } }];
    });
    await s.deliveries.rewrite(changes);
    anonymized += changes.length;
  }
  const removed = await subscriptionsFor(s).remove(id);
  return { removed, anonymized };
}

/** A subscriber's topics as a librarian reads them: names, and "All topics" for *. */
export function topicLabels(config: { topics: { id: string; name: { en: string; zh: string } }[] }, topics: readonly string[], lang: 'en' | 'zh' = 'en'): string {
  if (topics.length === 0) return '—';
  const all = lang === 'zh' ? '全部主题' : 'All topics';
  return topics.map((id) => (id === '*' ? all : config.topics.find((t) => t.id === id)?.name[lang] ?? id)).join(lang === 'zh' ? '、' : ', ');
}
