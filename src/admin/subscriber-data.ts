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
export type DeliveryLookupDeps = Pick<Services, 'announcements' | 'redis' | 'keys'>;

export interface SubscriberDelivery {
  ann: Announcement;
  record: DeliveryRecord;
}

/** The subscriber's deliveries among the newest announcements, newest first. */
export async function subscriberDeliveries(s: DeliveryLookupDeps, sub: Subscriber, limit = 50): Promise<SubscriberDelivery[]> {
  const ids = await s.announcements.recentIds(DELIVERY_LOOKBACK);
  const p = s.redis.pipeline();
  for (const id of ids) p.hget(s.keys.deliveries(id, sub.channel), sub.id);
  const rows = (await p.exec()) ?? [];
  const out: SubscriberDelivery[] = [];
  for (let i = 0; i < ids.length && out.length < limit; i++) {
    const raw = rows[i]?.[1] as string | null;
    if (!raw) continue;
    const ann = await s.announcements.get(ids[i]);
    if (ann) out.push({ ann, record: JSON.parse(raw) as DeliveryRecord });
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
    const p = s.redis.pipeline();
    for (const annId of chunk) p.hget(s.keys.deliveries(annId, sub.channel), sub.id);
    const rows = (await p.exec()) ?? [];
    const w = s.redis.pipeline();
    chunk.forEach((annId, j) => {
      const raw = rows[j]?.[1] as string | null;
      if (!raw) return;
      const rec = JSON.parse(raw) as DeliveryRecord;
      const { subscriberId: _gone, ...rest } = rec;
      w.hset(s.keys.deliveries(annId, sub.channel), sub.id, JSON.stringify({ ...rest, address: REMOVED_ADDRESS }));
      anonymized += 1;
    });
    if (w.length) await w.exec();
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
