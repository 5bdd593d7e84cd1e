// Pages of the public archive, newest first (by creation, the announcement index's order),
// per topic. The index holds every announcement; this walks it a store page at a time and
// keeps the public ones, so a page may read past many hidden ones but never shows one.
import type { Services } from '../services.js';
import type { Announcement } from '../types.js';
import { isPublic } from './visibility.js';

export const NEWS_PAGE_SIZE = 20;
/** Store pages read for one archive page at most, so a topic with few items stays cheap. */
const MAX_SCANS = 25;

export async function archivePage(
  s: Pick<Services, 'announcements'>, opts: { topic?: string; cursor?: string; limit?: number; now?: number },
): Promise<{ items: Announcement[]; next: string | null }> {
  const limit = opts.limit ?? NEWS_PAGE_SIZE;
  const now = opts.now ?? Date.now();
  const items: Announcement[] = [];
  let cursor: string | null = opts.cursor ?? null;
  for (let scans = 0; scans < MAX_SCANS; scans++) {
    const page = await s.announcements.list({ cursor, limit: 100 });
    for (const [i, ann] of page.items.entries()) {
      if (!isPublic(ann, now) || (opts.topic && !ann.topics.includes(opts.topic))) continue;
      items.push(ann);
      if (items.length === limit) {
        const more = i < page.items.length - 1 || page.next !== null;
        return { items, next: more ? `${Date.parse(ann.createdAt)}.${ann.id}` : null };
      }
    }
    if (!page.next) return { items, next: null };
    cursor = page.next;
  }
  return { items, next: cursor };
}

/** One public announcement, or null (unknown, not yet published, expired, retracted). */
export async function publicAnnouncement(s: Pick<Services, 'announcements'>, id: string, now = Date.now()): Promise<Announcement | null> {
  const ann = await s.announcements.get(id);
  return ann && isPublic(ann, now) ? ann : null;
}
