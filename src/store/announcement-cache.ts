// The delivery worker's copy of the announcements it is sending: the content is read once per
// revision, the status (a cancel) and the revision on every job, in one small read. Owned by
// the composition root (src/services.ts), bounded, and cleared when the services close.
import type { Announcement } from '../types.js';
import type { AnnouncementStore } from './announcements.js';

export class AnnouncementCache {
  private readonly byId = new Map<string, Announcement>();

  constructor(
    private readonly store: Pick<AnnouncementStore, 'get' | 'head'>,
    private readonly max = 200,
  ) {}

  /** The announcement as stored now: fresh status, content re-read when its revision moved on. */
  async get(id: string): Promise<Announcement | null> {
    const hit = this.byId.get(id);
    if (hit) {
      const head = await this.store.head(id);
      if (!head) {
        this.byId.delete(id);
        return null;
      }
      if (head.version === (hit.version ?? 0)) return { ...hit, status: head.status, revision: head.revision, ...(head.retracted ? { retracted: true } : {}) };
    }
    const ann = await this.store.get(id);
    this.byId.delete(id);
    if (ann) {
      this.byId.set(id, ann);
      // Oldest out first: a Map iterates in insertion order, and a hit is not re-inserted,
      // so a long fan-out's announcement stays as long as it is the newest few hundred.
      if (this.byId.size > this.max) this.byId.delete(this.byId.keys().next().value!);
    }
    return ann;
  }

  clear(): void {
    this.byId.clear();
  }
}
