// Reach of an announcement per channel: how many people it was delivered to (subscribers) and
// how many groups, channels or feeds it was posted to (broadcast targets). From the sent
// counts where a channel has one kind of recipient; Telegram has both (private-chat
// subscribers and broadcast chats), so its sent records are read and told apart by whether
// they name a subscriber.
import type { Services } from './services.js';
import type { Announcement, DeliveryRecord } from './types.js';

export interface ChannelReach {
  /** Subscribers a message was delivered to. */
  people: number;
  /** Groups, channels, robots, accounts or feeds it was posted to. */
  groups: number;
}

/** Channels whose recipients are all subscribers. */
const PEOPLE_ONLY = new Set(['email']);
const MIXED = new Set(['telegram']);

export async function reachOf(s: Pick<Services, 'deliveries'>, ann: Announcement): Promise<Record<string, ChannelReach>> {
  const counts = await s.deliveries.counts(ann.id, ann.channels);
  const out: Record<string, ChannelReach> = {};
  for (const ch of ann.channels) {
    const sent = counts[ch]?.sent ?? 0;
    if (PEOPLE_ONLY.has(ch)) out[ch] = { people: sent, groups: 0 };
    else if (!MIXED.has(ch) || sent === 0) out[ch] = { people: 0, groups: sent };
    else {
      let people = 0;
      let groups = 0;
      let cursor: string | null = null;
      do {
        const page: { items: DeliveryRecord[]; next: string | null } = await s.deliveries.list(ann.id, [ch], { status: 'sent', cursor, limit: 500 });
        for (const r of page.items) {
          if (r.subscriberId) people += 1;
          else groups += 1;
        }
        cursor = page.next;
      } while (cursor);
      out[ch] = { people, groups };
    }
  }
  return out;
}
