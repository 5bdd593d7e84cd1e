// The feed's index: `<p>:rss:items`, a sorted set of announcement ids by publish time. The RSS
// channel adds to it when it "sends"; /feeds/rss.xml and the news archive read it back.
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';

export class FeedIndex {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Pick<Keys, 'rssItems'>,
  ) {}

  /** Adds (or keeps) one item, trimming the index to the newest `keep`. */
  async add(announcementId: string, publishedAtMs: number, keep: number): Promise<void> {
    await this.redis
      .multi()
      .zadd(this.keys.rssItems, publishedAtMs, announcementId)
      .zremrangebyrank(this.keys.rssItems, 0, -(keep + 1))
      .exec();
  }

  /** True while the item is in the index (not trimmed, not retracted). */
  async has(announcementId: string): Promise<boolean> {
    return (await this.redis.zscore(this.keys.rssItems, announcementId)) !== null;
  }

  /** Takes one item out (a retraction); false when it was not there. */
  async remove(announcementId: string): Promise<boolean> {
    return (await this.redis.zrem(this.keys.rssItems, announcementId)) > 0;
  }

  /** Ids newest first, `count` from position `start`. */
  newest(start: number, count: number): Promise<string[]> {
    return this.redis.zrevrange(this.keys.rssItems, start, start + count - 1);
  }
}
