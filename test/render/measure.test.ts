import { describe, expect, it } from 'vitest';
import {
  graphemeLength,
  graphemes,
  mastodonLength,
  splitText,
  truncate,
  utf16Length,
  utf8Bytes,
  type Measure,
} from '../../src/render/measure.js';
import { loadFixture } from './fixtures.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const EMOJI = '📚👩‍💻🇨🇳👨‍👩‍👧‍👦e\u0301中👍🏽';

describe('lengths', () => {
  it('counts as each platform does', () => {
    expect(utf16Length('📚')).toBe(2);
    expect(utf16Length('中')).toBe(1);
    expect(utf8Bytes('中')).toBe(3);
    expect(utf8Bytes('📚')).toBe(4);
    expect(utf8Bytes('a')).toBe(1);
    expect(graphemeLength('👩‍💻')).toBe(1);
    expect(utf16Length('👩‍💻')).toBe(5);
    expect(graphemes(EMOJI)).toEqual(['📚', '👩‍💻', '🇨🇳', '👨‍👩‍👧‍👦', 'e\u0301', '中', '👍🏽']);
    expect(graphemeLength(EMOJI)).toBe(7);
  });

  it('counts an http(s) URL as 23 for Mastodon, whatever its length', () => {
    const url = 'https://library.example.edu/' + 'a'.repeat(72);
    expect(url).toHaveLength(100);
    expect(mastodonLength(url)).toBe(23);
    expect(mastodonLength(`See ${url}`)).toBe(27);
    expect(mastodonLength('Go: http://a.edu/x. Then https://b.edu/y!')).toBe(4 + 23 + 7 + 23 + 1);
    expect(mastodonLength('中文📚')).toBe(3); // code points, not UTF-16 units
    expect(mastodonLength('👩‍💻')).toBe(3);
    expect(mastodonLength('mail desk@lib.edu or visit lib.edu')).toBe(34); // no scheme: counted as typed
  });
});

/** The graphemes of `prefix` are exactly the first graphemes of `s`. */
function isWholeGraphemePrefix(s: string, prefix: string): boolean {
  const a = graphemes(prefix);
  const b = graphemes(s);
  return a.every((g, i) => g === b[i]);
}

describe('truncate', () => {
  const text = EMOJI.repeat(3);
  const measures: [string, Measure][] = [
    ['utf16Length', utf16Length],
    ['utf8Bytes', utf8Bytes],
    ['graphemeLength', graphemeLength],
    ['mastodonLength', mastodonLength],
  ];

  it.each(measures)('never splits a grapheme (%s, every max 1..20)', (_name, measure) => {
    for (let max = 1; max <= 20; max++) {
      const out = truncate(text, max, measure);
      // An ellipsis that alone is too long (3 UTF-8 bytes) is left out.
      const ellipsis = measure('…') <= max ? '…' : '';
      expect(out.endsWith(ellipsis)).toBe(true);
      const prefix = out.slice(0, out.length - ellipsis.length);
      expect(text.startsWith(prefix)).toBe(true);
      expect(isWholeGraphemePrefix(text, prefix)).toBe(true);
      expect(LONE_SURROGATE.test(out)).toBe(false);
      expect(measure(out)).toBeLessThanOrEqual(max);
      // Longest: one more grapheme would not fit.
      const next = graphemes(text)[graphemes(prefix).length];
      expect(measure(prefix + next + ellipsis)).toBeGreaterThan(max);
    }
  });

  it('returns the text unchanged when it fits', () => {
    expect(truncate('短文📚', 5, utf16Length)).toBe('短文📚');
    expect(truncate('abc', 3, utf16Length)).toBe('abc');
  });

  it('prefers a word or clause boundary near the end', () => {
    expect(truncate('The library opens at nine tomorrow', 20, utf16Length)).toBe('The library opens…');
    expect(truncate('图书馆今天照常开放，明天闭馆整修', 12, utf16Length)).toBe('图书馆今天照常开放，…');
    // No boundary in the last 20%: cut at the limit.
    expect(truncate('Supercalifragilistic word', 10, utf16Length)).toBe('Supercali…');
    // A dot inside a word is not a boundary.
    expect(truncate('visit library.example.edu', 20, utf16Length)).toBe('visit library.examp…');
  });

  it('takes a custom ellipsis and cuts without one when even that does not fit', () => {
    expect(truncate('abcdefgh', 6, utf16Length, '...')).toBe('abc...');
    expect(truncate('📚📚', 2, utf16Length, '...')).toBe('📚');
    expect(truncate('📚📚', 1, utf16Length, '...')).toBe('');
    expect(truncate('中文', 2, utf8Bytes)).toBe('');
    expect(truncate('a中文', 2, utf8Bytes)).toBe('a');
  });
});

/** Rebuilds s from parts, allowing only whitespace between them; fails on any other gap. */
function expectReassembles(s: string, parts: string[]): void {
  let at = 0;
  for (const part of parts) {
    expect(part.length).toBeGreaterThan(0);
    while (at < s.length && /\s/.test(s[at] as string) && !s.startsWith(part, at)) at++;
    expect(s.startsWith(part, at)).toBe(true);
    at += part.length;
  }
  expect(s.slice(at).trim()).toBe('');
}

describe('splitText', () => {
  const zh = loadFixture('long-notice').body.zh as string;
  const en = loadFixture('long-notice').body.en as string;

  it('splits long CJK + emoji text so every part fits and nothing is lost', () => {
    const text = zh.replaceAll('。', '。📚').replaceAll('数日', '数日👩‍💻');
    for (const [measure, max] of [
      [utf16Length, 97],
      [utf8Bytes, 301],
      [graphemeLength, 50],
      [mastodonLength, 500],
    ] as [Measure, number][]) {
      const parts = splitText(text, max, measure);
      expect(parts.length).toBeGreaterThan(1);
      for (const part of parts) {
        expect(measure(part)).toBeLessThanOrEqual(max);
        expect(LONE_SURROGATE.test(part)).toBe(false);
        expect(part).toBe(part.trim());
      }
      expectReassembles(text, parts);
      expect(parts.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
    }
  });

  it('splits at paragraphs when they fit', () => {
    expect(splitText(zh, 500, utf16Length)).toEqual(zh.split('\n\n'));
  });

  it('then at sentence ends', () => {
    const paragraph = zh.split('\n\n')[0] as string;
    const parts = splitText(paragraph, 100, utf16Length);
    expect(parts.length).toBeGreaterThan(3);
    for (const part of parts) expect(part.endsWith('。')).toBe(true);
    const enParts = splitText(en, 280, utf16Length);
    for (const part of enParts) {
      expect(utf16Length(part)).toBeLessThanOrEqual(280);
      expect(part.trimEnd().endsWith('.')).toBe(true); // the text itself ends in a space
    }
    expectReassembles(en, enParts);
  });

  it('then at line breaks and spaces', () => {
    expect(splitText('first line here\nsecond line here', 20, utf16Length)).toEqual(['first line here', 'second line here']);
    expect(splitText('alpha beta gamma delta', 12, utf16Length)).toEqual(['alpha beta', 'gamma delta']);
  });

  it('falls back to whole graphemes', () => {
    const text = EMOJI.repeat(4);
    for (let max = 11; max <= 30; max++) {
      const parts = splitText(text, max, utf16Length);
      expect(parts.join('')).toBe(text);
      for (const part of parts) {
        expect(utf16Length(part)).toBeLessThanOrEqual(max);
        expect(isWholeGraphemePrefix(part + text, part)).toBe(true);
        expect(graphemes(part).every((g) => graphemes(EMOJI).includes(g))).toBe(true);
      }
    }
  });

  it('returns short text as one part and refuses a limit below one grapheme', () => {
    expect(splitText('short', 10, utf16Length)).toEqual(['short']);
    expect(() => splitText('👨‍👩‍👧‍👦👨‍👩‍👧‍👦', 5, utf16Length)).toThrow(RangeError);
  });
});
