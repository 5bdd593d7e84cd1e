// A Mastodon status: plain text (the server escapes it; we never produce HTML), one block per
// language — title, then the summary or the body as text — and the link to the full notice last.
// It must fit the instance's max_characters as Mastodon counts (every URL as 23), so the
// texts are shortened at grapheme boundaries, each language keeping a fair share.
import type { AnnouncementInput, Lang } from '../../src/types.js';
import { orderLanguages } from '../../src/render/language.js';
import { markdownToText } from '../../src/render/markdown.js';
import { mastodonLength, truncate } from '../../src/render/measure.js';

/** Mastodon's default status length, used until (or when) the instance says otherwise. */
export const DEFAULT_MAX_CHARACTERS = 500;

/** One language's part of a status, before fitting. */
export interface StatusBlock {
  lang: Lang;
  title: string;
  text: string;
}

/** What a status is made of; `composeStatus` fits it to any limit. */
export interface StatusParts {
  blocks: StatusBlock[];
  /** Always the last line, never cut. */
  link: string;
}

type Source = Pick<AnnouncementInput, 'title' | 'body' | 'summary'>;

/** The blocks of a status: per language, zh first, the title and the summary or body text. */
/**
 * Typed `@name` or `@name@instance` stays text: a WORD JOINER after the "@" keeps Mastodon's
 * mention parser (an "@" then [a-z0-9_]) from notifying that account, and reads the same
 * (found by test/security/inert-output.test.ts: a pasted handle pinged its owner).
 */
function noMentions(s: string): string {
  return s.replace(/(^|[^/\w])@(?=[a-z0-9_])/gi, '$1@\u2060');
}

export function statusParts(ann: Source, langs: readonly Lang[], link: string): StatusParts {
  const blocks = orderLanguages(ann, langs).map((lang) => {
    const summary = ann.summary?.[lang]?.trim();
    const text = summary || markdownToText(ann.body[lang] ?? '');
    return { lang, title: noMentions((ann.title[lang] ?? '').trim()), text: noMentions(text.trim()) };
  });
  return { blocks, link };
}

const BLOCK_GAP = '\n\n';

function join(blocks: readonly { title: string; text: string }[], link: string): string {
  const body = blocks.map((b) => [b.title, b.text].filter((s) => s !== '').join('\n')).filter((s) => s !== '');
  return [...body, link].join(BLOCK_GAP);
}

/**
 * Shares `budget` among texts: each gets an equal part, and what a short text leaves over goes
 * to the longer ones. Returns each text's allowance.
 */
function shares(lengths: number[], budget: number): number[] {
  const out = lengths.map(() => 0);
  let left = Math.max(0, budget);
  let open = lengths.map((_, i) => i);
  while (open.length > 0 && left > 0) {
    const each = Math.floor(left / open.length);
    const small = open.filter((i) => lengths[i] - out[i] <= each);
    if (small.length === 0) {
      for (const i of open) out[i] += each;
      break;
    }
    for (const i of small) {
      left -= lengths[i] - out[i];
      out[i] = lengths[i];
    }
    open = open.filter((i) => !small.includes(i));
  }
  return out;
}

/**
 * The status text for `maxChars`: everything when it fits; otherwise the titles whole and each
 * language's text cut (with "…") to its share, the link always last and whole. Never longer than
 * maxChars by mastodonLength; when even the titles do not fit, they are cut too.
 */
export function composeStatus(parts: StatusParts, maxChars: number): string {
  const measure = mastodonLength;
  const full = join(parts.blocks, parts.link);
  if (measure(full) <= maxChars) return full;

  const lengths = parts.blocks.map((b) => measure(b.text));
  // Room for texts: the limit minus the titles, the link and every separator a text brings.
  const skeleton = join(parts.blocks.map((b) => ({ title: b.title, text: '' })), parts.link);
  const budget = maxChars - measure(skeleton) - parts.blocks.filter((b) => b.text !== '').length;
  // Texts shorter than a sentence are not worth keeping: then only the titles are cut.
  if (budget >= 20 * parts.blocks.length) {
    const allowance = shares(lengths, budget);
    const cut = parts.blocks.map((b, i) => ({
      title: b.title,
      text: allowance[i] >= lengths[i] ? b.text : allowance[i] >= 10 ? truncate(b.text, allowance[i], measure) : '',
    }));
    const status = join(cut, parts.link);
    // Lengths add up across the blank lines (no URL spans them); checked all the same.
    if (measure(status) <= maxChars) return status;
  }
  return fallback(parts, maxChars);
}

/** Last resort: titles only, cut as one text, then the link; or the link alone. */
function fallback(parts: StatusParts, maxChars: number): string {
  const tail = `${BLOCK_GAP}${parts.link}`;
  const titles = parts.blocks.map((b) => b.title).filter((t) => t !== '').join('\n');
  const room = maxChars - mastodonLength(tail);
  if (titles === '' || room < 2) return truncate(parts.link, maxChars, mastodonLength);
  return `${truncate(titles, room, mastodonLength)}${tail}`;
}

/** Mastodon's `language` parameter (ISO 639-1): set only for a single-language status. */
export function statusLanguage(parts: StatusParts): Lang | undefined {
  return parts.blocks.length === 1 ? parts.blocks[0].lang : undefined;
}
