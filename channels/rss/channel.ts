// The RSS channel: "sending" puts the announcement into the feed; /feeds/rss.xml reads it.
// One delivery per announcement, recipient "feed".
import type { ChannelContext } from '../../src/channel-module.js';
import { FeedIndex } from '../../src/store/feed-index.js';
import { renderFeedItem, type RenderedFeedItem } from '../../src/render/feed.js';
import { languagesFor } from '../../src/render/language.js';
import type { Announcement, Channel } from '../../src/types.js';
import type { RssSettings } from './settings.js';

interface FeedEntry {
  announcementId: string;
  publishedAtMs: number;
  /** What the feed shows for it (for `crier preview`; /feeds/rss.xml renders per request). */
  item: RenderedFeedItem;
}

export function createRssChannel({ settings, library, deps }: ChannelContext<RssSettings>): Channel<FeedEntry> {
  // The feed index keeps more than one feed's worth: topic filters pick from it.
  const keep = Math.max(settings.items * 20, 1000);
  const feed = new FeedIndex(deps.redis, deps.keys);
  return {
    name: 'rss',
    limits: { batchSize: 1, concurrency: 1 },
    async recipientPage(_ann: Announcement, cursor: string | null) {
      if (cursor !== null) return { recipients: [], next: null };
      return { recipients: [{ id: 'feed', address: 'rss', language: 'both' }], next: null };
    },
    render: (ann, recipient) => ({
      announcementId: ann.id,
      publishedAtMs: Date.parse(ann.publishedAt),
      item: renderFeedItem(ann, languagesFor(ann, recipient.language)),
    }),
    preview: (m) =>
      [
        `RSS item for announcement ${m.announcementId}, published ${new Date(m.publishedAtMs).toISOString()}`,
        `Title: ${m.item.title}`,
        'Description (HTML):',
        m.item.html,
      ].join('\n'),
    async send(msg) {
      await feed.add(msg.announcementId, msg.publishedAtMs, keep);
      return { externalId: `${library.baseUrl.replace(/\/$/, '')}/feeds/rss.xml#${msg.announcementId}` };
    },
    async check() {
      return 'the feed is served by Crier itself at /feeds/rss.xml';
    },
  };
}
