// The body of a generic JSON webhook: the announcement as data, for a website or any receiver.
//
// Schema (keys absent when empty; language maps hold only the languages the target gets):
//   {
//     "id":          "…",                          announcement id (stable across retries)
//     "titles":      { "zh"?: "…", "en"?: "…" },   plain text, exactly as typed
//     "bodies":      { "zh"?: "…", "en"?: "…" },   the Markdown source, exactly as typed (data, not markup)
//     "html":        { "zh"?: "…", "en"?: "…" },   the body rendered and sanitized (typed HTML escaped)
//     "summary"?:    { "zh"?: "…", "en"?: "…" },
//     "topics":      ["hours"],
//     "link"?:       "https://…",
//     "publishedAt": "2030-01-01T01:00:00.000Z",  ISO 8601
//     "expiresAt"?:  "…",
//     "priority":    "normal" | "urgent"
//   }
// Every request is one event, the payload above with two keys in front:
//   { "event": "announcement.published", "revision": 1, …payload }   a send
//   { "event": "announcement.updated",   "revision": 2, …payload, "updatedAt"?, "notice"? }   an edit
//   { "event": "announcement.retracted", "revision": 3, "id": "…", "notice"? }   a retraction
// `notice` is the librarian's word to readers, in the target's languages. A receiver keeps the
// highest revision it has seen per id: a retried or late request never goes backwards.
// Titles and bodies are raw user text: a receiver showing them in HTML must escape them, or
// use `html`, which is safe to insert as is.
import type { Announcement, Lang, Localized } from '../../src/types.js';
import { orderLanguages } from '../../src/render/language.js';
import { markdownToHtml } from '../../src/render/markdown.js';

export interface JsonPayload {
  id: string;
  titles: Localized;
  bodies: Localized;
  html: Localized;
  summary?: Localized;
  topics: string[];
  link?: string;
  publishedAt: string;
  expiresAt?: string;
  priority: 'normal' | 'urgent';
}

type Source = Pick<Announcement, 'id' | 'title' | 'body' | 'summary' | 'topics' | 'link' | 'publishedAt' | 'expiresAt' | 'priority'>;

function pick(value: Localized | undefined, langs: readonly Lang[], map: (s: string) => string = (s) => s): Localized {
  const out: Localized = {};
  for (const lang of langs) {
    const v = value?.[lang];
    if (v !== undefined && v !== '') out[lang] = map(v);
  }
  return out;
}

/** The payload for the given languages (zh first in every map). Pure. */
export function renderJsonPayload(ann: Source, langs: readonly Lang[]): JsonPayload {
  const use = orderLanguages(ann, langs);
  const summary = pick(ann.summary, use);
  return {
    id: ann.id,
    titles: pick(ann.title, use),
    bodies: pick(ann.body, use),
    html: pick(ann.body, use, markdownToHtml),
    ...(Object.keys(summary).length > 0 ? { summary } : {}),
    topics: [...ann.topics],
    ...(ann.link ? { link: ann.link } : {}),
    publishedAt: ann.publishedAt,
    ...(ann.expiresAt ? { expiresAt: ann.expiresAt } : {}),
    priority: ann.priority,
  };
}

export type JsonEventName = 'announcement.published' | 'announcement.updated' | 'announcement.retracted';

export type JsonEvent =
  | ({ event: 'announcement.published' | 'announcement.updated'; revision: number; updatedAt?: string; notice?: Localized } & JsonPayload)
  | { event: 'announcement.retracted'; revision: number; id: string; notice?: Localized };

/** One event for the given languages. Pure. */
export function renderJsonEvent(
  event: JsonEventName, ann: Source & Pick<Announcement, 'revision' | 'updatedAt'>, langs: readonly Lang[], notice?: Localized,
): JsonEvent {
  const revision = ann.revision ?? 1;
  // The notice in the target's languages, or in the ones it was written in when none of those.
  const inTarget = pick(notice, orderLanguages(ann, langs));
  const said = Object.keys(inTarget).length > 0 ? inTarget : pick(notice, ['zh', 'en']);
  const extra = Object.keys(said).length > 0 ? { notice: said } : {};
  if (event === 'announcement.retracted') return { event, revision, id: ann.id, ...extra };
  const updated = event === 'announcement.updated' && ann.updatedAt ? { updatedAt: ann.updatedAt } : {};
  return { event, revision, ...renderJsonPayload(ann, langs), ...updated, ...extra };
}
