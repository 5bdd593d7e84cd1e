// Lengths as each platform counts them, and cutting that never splits a grapheme
// (an emoji, a ZWJ sequence, a flag, a surrogate pair, a letter with its accents).
import MarkdownIt from 'markdown-it';

export type Measure = (s: string) => number;

const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });

/** Telegram counts UTF-16 code units. */
export function utf16Length(s: string): number {
  return s.length;
}

/** WeCom counts UTF-8 bytes (a lone surrogate is encoded as U+FFFD, 3 bytes). */
export function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

export function graphemes(s: string): string[] {
  return Array.from(segmenter.segment(s), (seg) => seg.segment);
}

export function graphemeLength(s: string): number {
  let n = 0;
  for (const _ of segmenter.segment(s)) n++;
  return n;
}

// markdown-it's linkify-it, limited to URLs with an explicit http(s) scheme, as Mastodon
// only shortens those; it also leaves trailing punctuation out of the URL, as Mastodon does.
const linkify = new MarkdownIt().linkify.set({ fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false });
const MASTODON_URL_LENGTH = 23;

/**
 * Mastodon's count: characters, with every http(s) URL as 23. We count code points; the
 * server counts grapheme clusters, never more, so a text that fits here fits there.
 */
export function mastodonLength(s: string): number {
  let length = 0;
  let from = 0;
  for (const m of linkify.match(s) ?? []) {
    if (m.schema !== 'http:' && m.schema !== 'https:') continue;
    length += codePoints(s.slice(from, m.index)) + MASTODON_URL_LENGTH;
    from = m.lastIndex;
  }
  return length + codePoints(s.slice(from));
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Graphemes of s with their string offsets: offsets[i] is where grapheme i starts. */
function segment(s: string): { gs: string[]; offsets: number[] } {
  const gs: string[] = [];
  const offsets: number[] = [];
  for (const seg of segmenter.segment(s)) {
    gs.push(seg.segment);
    offsets.push(seg.index);
  }
  offsets.push(s.length);
  return { gs, offsets };
}

/**
 * The largest n in [lo, hi] with fits(n), or lo - 1 if none. Gallops up from lo + guess and
 * then bisects, so the cost follows the answer rather than the text's length. Only probed
 * values are returned, so the answer fits even for a measure that is not monotonic
 * (a URL cut short stops counting as 23).
 */
function largestFitting(lo: number, hi: number, fits: (n: number) => boolean, guess: number): number {
  let good = lo - 1;
  let bad = hi + 1;
  let probe = Math.min(hi, lo + Math.max(0, guess));
  while (probe >= lo) {
    if (!fits(probe)) {
      bad = probe;
      break;
    }
    good = probe;
    if (probe === hi) break;
    probe = Math.min(hi, lo + 2 * (probe - lo + 1));
  }
  while (bad - good > 1) {
    const mid = Math.floor((good + bad) / 2);
    if (fits(mid)) good = mid;
    else bad = mid;
  }
  return good;
}

const WHITESPACE = /^[\t\n\v\f\r \u1680\u2000-\u2006\u2008-\u200a\u2028\u2029\u205f\u3000]+$/u;
const NEWLINE = /^(?:\r\n|[\n\r\u2028\u2029])$/u;
const SENTENCE_END = new Set(['。', '！', '？', '.', '!', '?']);
const CJK_SENTENCE_END = new Set(['。', '！', '？']);
const CLOSERS = new Set(['"', "'", '”', '’', '」', '』', '）', ')', '】', '》']);
// Cut after these even with no space following (CJK text has none). ASCII punctuation only
// counts before a space, so "3.5" or "example.edu" is never cut at its dot.
const CJK_CLAUSE_END = new Set([...CJK_SENTENCE_END, '，', '；', '：', '、']);

const isSpace = (g: string | undefined): boolean => g !== undefined && WHITESPACE.test(g);

/**
 * Longest prefix (whole graphemes) such that measure(prefix + ellipsis) <= max, preferring
 * to end at a space or punctuation in the last 20% of it. Returns s when it already fits.
 * When not even the ellipsis fits, cuts without one.
 */
export function truncate(s: string, max: number, measure: Measure, ellipsis = '…'): string {
  if (measure(s) <= max) return s;
  if (ellipsis !== '' && measure(ellipsis) > max) return truncate(s, max, measure, '');
  const { gs, offsets } = segment(s);
  const withEllipsis = (n: number): string => s.slice(0, offsets[n]) + ellipsis;
  const k = Math.max(0, largestFitting(0, gs.length, (n) => measure(withEllipsis(n)) <= max, max));

  // Prefer a word or clause boundary near the end, so the cut does not land mid-word.
  for (let n = k; n > 0 && n >= k - Math.floor(k * 0.2); n--) {
    const before = gs[n - 1];
    let cut = -1;
    if (isSpace(gs[n])) cut = n;
    else if (CJK_CLAUSE_END.has(before)) cut = n;
    if (cut < 0) continue;
    while (cut > 0 && isSpace(gs[cut - 1])) cut--;
    if (cut > 0 && measure(withEllipsis(cut)) <= max) return withEllipsis(cut);
  }
  return withEllipsis(k);
}

/**
 * Where the text may break between graphemes n-1 and n, and how good a break it is:
 * 4 paragraph, 3 line, 2 sentence, 1 space, 0 none (any grapheme boundary).
 */
function breakRank(gs: string[], n: number): number {
  const before = gs[n - 1];
  if (isSpace(before)) return 0; // break at the start of a whitespace run only
  if (isSpace(gs[n])) {
    let newlines = 0;
    for (let i = n; i < gs.length && isSpace(gs[i]); i++) if (NEWLINE.test(gs[i])) newlines++;
    if (newlines >= 2) return 4;
    if (newlines === 1) return 3;
  }
  // A sentence may end in closing quotes: 。” or ." — look through them.
  let i = n - 1;
  while (i > 0 && CLOSERS.has(gs[i])) i--;
  const end = gs[i];
  if (SENTENCE_END.has(end) && (CJK_SENTENCE_END.has(end) || n === gs.length || isSpace(gs[n]))) return 2;
  return isSpace(gs[n]) ? 1 : 0;
}

/**
 * Splits s into parts with measure(part) <= max, breaking at paragraphs, then lines, then
 * sentence ends, then spaces, then graphemes. Whitespace at a split point is dropped.
 * Throws RangeError when a single grapheme does not fit.
 */
export function splitText(s: string, max: number, measure: Measure): string[] {
  if (measure(s) <= max) return [s];
  const { gs, offsets } = segment(s);
  const parts: string[] = [];
  let start = 0;
  while (start < gs.length) {
    const from = start;
    const piece = (end: number): string => s.slice(offsets[from], offsets[end]);
    const k = largestFitting(start + 1, gs.length, (end) => measure(piece(end)) <= max, max);
    if (k === gs.length) {
      parts.push(piece(k));
      break;
    }
    if (k <= start) throw new RangeError(`splitText: "${gs[start]}" alone measures more than ${max}`);

    // The best-ranked break in the fitting prefix, latest among equals; a break in the first
    // 30% is ignored so one short paragraph does not waste a whole message.
    const minEnd = start + Math.max(1, Math.floor((k - start) * 0.3));
    let end = k;
    let best = 0;
    for (let n = k; n >= minEnd && best < 4; n--) {
      const rank = n < gs.length ? breakRank(gs, n) : 0;
      if (rank > best) {
        best = rank;
        end = n;
      }
    }
    let cut = end;
    while (cut > start && isSpace(gs[cut - 1])) cut--;
    if (cut === start || measure(piece(cut)) > max) cut = k;
    parts.push(piece(cut));
    start = cut;
    while (start < gs.length && isSpace(gs[start])) start++;
  }
  return parts;
}
