// Rendering once per announcement revision and language: a fan-out to 4,000 readers of one
// language renders the Markdown once, not 4,000 times. Each channel holds its own memo (built
// with the channel, gone with it); the oldest entries go first past `max`.
import type { Announcement, Lang } from '../types.js';

export class RenderMemo<T> {
  private readonly entries = new Map<string, T>();

  constructor(
    private readonly render: (ann: Announcement, langs: readonly Lang[]) => T,
    private readonly max = 64,
  ) {}

  get(ann: Announcement, langs: readonly Lang[]): T {
    // Only a stored announcement has a revision, and it moves on with every rewrite of the
    // content, so an edit is never served stale. Anything else (a preview, whose id is always
    // "preview", while the librarian types) is rendered afresh each time.
    if (ann.version === undefined) return this.render(ann, langs);
    const key = `${ann.id}|${ann.version}|${langs.join(',')}`;
    let hit = this.entries.get(key);
    if (hit === undefined) {
      hit = this.render(ann, langs);
      this.entries.set(key, hit);
      if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    }
    return hit;
  }
}
