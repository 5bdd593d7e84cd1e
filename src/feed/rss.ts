// The RSS 2.0 document of /feeds/rss.xml. The RSS channel's "send" puts announcement ids into
// the feed index (src/store/feed-index.ts) (score = publish time); this reads the newest ones back, leaves
// out expired ones and other topics, and renders each in the reader's languages.
import { FeedIndex } from '../store/feed-index.js';
import RSS from 'rss';
import { renderFeedItem } from '../render/feed.js';
import { LANG_TAG, joinLocalized, languagesFor } from '../render/language.js';
import type { Services } from '../services.js';
import type { Announcement, Lang, LangPref } from '../types.js';

/** Where the feed's items are: the RSS channel's sorted set and the announcement store. */
export type FeedItemDeps = Pick<Services, 'redis' | 'keys' | 'announcements'>;

export interface FeedOptions {
  /** Only announcements about this topic id. */
  topic?: string;
  /** Languages of titles and texts (default: library.defaultLanguage). */
  lang?: LangPref;
}

/** The newest `limit` feed announcements that are not expired and match the topic. */
export async function feedAnnouncements(s: FeedItemDeps, opts: { topic?: string; limit: number; now?: number }): Promise<Announcement[]> {
  const now = opts.now ?? Date.now();
  const pageSize = Math.max(opts.limit * 2, 50);
  const out: Announcement[] = [];
  for (let start = 0; out.length < opts.limit; start += pageSize) {
    const index = new FeedIndex(s.redis, s.keys);
    const ids = await index.newest(start, pageSize);
    const anns = await Promise.all(ids.map((id) => s.announcements.get(id)));
    // An announcement past its retention has left Redis; its feed entry goes with it.
    for (const [i, ann] of anns.entries()) if (!ann) await index.remove(ids[i]);
    for (const ann of anns) {
      if (!ann || ann.status === 'cancelled' || ann.retracted) continue;
      if (ann.expiresAt && Date.parse(ann.expiresAt) <= now) continue;
      if (opts.topic && !ann.topics.includes(opts.topic)) continue;
      out.push(ann);
      if (out.length >= opts.limit) break;
    }
    if (ids.length < pageSize) break;
  }
  return out;
}

export async function buildFeed(s: FeedItemDeps & Pick<Services, 'config'>, opts: FeedOptions = {}): Promise<string> {
  const cfg = s.config;
  const pref = opts.lang ?? cfg.library.defaultLanguage;
  const langs: Lang[] = pref === 'both' ? ['zh', 'en'] : [pref];
  const base = cfg.library.baseUrl.replace(/\/+$/, '');
  const libraryName = joinLocalized(cfg.library.name, langs);
  const topic = opts.topic ? cfg.topics.find((t) => t.id === opts.topic) : undefined;

  const query = new URLSearchParams();
  if (opts.topic) query.set('topic', opts.topic);
  if (opts.lang) query.set('lang', opts.lang);
  const qs = query.toString();

  const items = await feedAnnouncements(s, { topic: opts.topic, limit: cfg.channels.rss.items });
  const feed = new RSS({
    title: libraryName,
    description: topic ? `${libraryName}: ${joinLocalized(topic.name, langs)}` : libraryName,
    site_url: cfg.library.baseUrl,
    feed_url: `${base}/feeds/rss.xml${qs ? `?${qs}` : ''}`,
    generator: 'Crier',
    language: pref === 'both' ? undefined : LANG_TAG[pref],
    pubDate: items[0]?.publishedAt,
    ttl: 15,
  });
  for (const ann of items) {
    const rendered = renderFeedItem(ann, languagesFor(ann, pref));
    feed.item({
      title: rendered.title,
      description: rendered.html,
      url: ann.link ?? cfg.library.baseUrl,
      guid: ann.id,
      categories: ann.topics,
      date: ann.publishedAt,
      // RSS 2.0 has no item element for a later change, and pubDate must stay the publication
      // date (readers would take a moved pubDate for a new item). Atom's <updated> (RFC 4287
      // §4.2.15, an RFC 3339 date) in the atom namespace the feed already declares for
      // atom:link is the usual extension; the guid stays the announcement id.
      ...(ann.updatedAt ? { custom_elements: [{ 'atom:updated': new Date(ann.updatedAt).toISOString() }] } : {}),
    });
  }
  return feed.xml({ indent: true });
}
