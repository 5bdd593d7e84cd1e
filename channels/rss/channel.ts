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
    correctionSupport: { edit: 'in_place', retract: 'in_place' },
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
      // The feed's <guid> is the announcement id (src/feed/rss.ts).
      return { externalId: `${library.baseUrl.replace(/\/$/, '')}/feeds/rss.xml#${msg.announcementId}`, ref: { guid: msg.announcementId } };
    },
    // The feed is read from the store on every request, so an edit's new title and text are
    // already there; what the correction owns is the index. Both cases are safe to repeat.
    async correct(task) {
      // A record from before refs: the guid was the announcement id then too.
      const guid = typeof task.sent.ref?.guid === 'string' ? task.sent.ref.guid : task.ann.id;
      const ref = { guid };
      if (task.kind === 'retract') {
        const removed = await feed.remove(guid);
        return { action: 'retract', ref, note: removed ? 'the item left the feed' : 'the item was already out of the feed' };
      }
      if (!(await feed.has(guid))) return { action: 'none', ref, note: 'the item had already left the feed; nothing to change' };
      return { action: 'edit', ref, note: 'the feed shows the new text under the same guid, with an updated date' };
    },
    async check() {
      return 'the feed is served by Crier itself at /feeds/rss.xml';
    },
  };
}
