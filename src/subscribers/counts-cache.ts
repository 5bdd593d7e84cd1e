// The subscriber counts of /admin/subscribers: one walk over every subscriber (SubscriberStore.counts),
// kept for a short while so reloads of the page stay cheap. One per Services, built by
// createServices and cleared by Services.close(): two Services in one process (tests) never
// see each other's numbers, even under the same key prefix.
import type { ChannelCounts, SubscriberStore } from '../store/subscribers.js';

/** How long counted numbers are shown before the next walk. */
export const SUBSCRIBER_COUNTS_TTL_MS = 30_000;

export class SubscriberCountsCache {
  private hit: { at: number; counts: Record<string, ChannelCounts> } | undefined;

  constructor(
    private readonly store: Pick<SubscriberStore, 'counts'>,
    private readonly topicIds: readonly string[],
    private readonly ttlMs = SUBSCRIBER_COUNTS_TTL_MS,
  ) {}

  /** The counts, at most ttlMs old. */
  async get(): Promise<Record<string, ChannelCounts>> {
    const hit = this.hit;
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.counts;
    const counts = await this.store.counts(this.topicIds);
    this.hit = { at: Date.now(), counts };
    return counts;
  }

  /** The page's "recount now" link, and Services.close(). */
  forget(): void {
    this.hit = undefined;
  }
}
