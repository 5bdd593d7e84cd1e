// Mastodon statuses from every fixture (golden files), and the length limit at its edges with
// CJK text, emoji and URLs, checked against an independent count (the fake server's).
import { describe, expect, it } from 'vitest';
import { availableLanguages } from '../../../src/render/language.js';
import { markdownToText } from '../../../src/render/markdown.js';
import { composeStatus, statusLanguage, statusParts } from '../../../channels/mastodon/render.js';
import type { AnnouncementInput } from '../../../src/types.js';
import { countLikeMastodon } from '../../support/fake-mastodon.js';
import { fixtureNames, loadFixture } from '../../render/fixtures.js';

// What the channel links when an announcement has no link: its public page (ids vary; one stands in).
const FEED = 'http://crier.test/news/20261203-demo';
const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });
const graphemeSet = (s: string) => new Set(Array.from(segmenter.segment(s), (g) => g.segment));

function status(ann: AnnouncementInput, max = 500, langs = availableLanguages(ann)): string {
  return composeStatus(statusParts(ann, langs, ann.link ?? FEED), max);
}

describe.each(fixtureNames())('%s', (name) => {
  const ann = loadFixture(name);
  const text = status(ann);

  it('matches the golden status', async () => {
    await expect(text).toMatchFileSnapshot(`./__golden__/${name}.status.txt`);
  });

  it('fits 500 characters, counted as Mastodon counts, and ends with the link', () => {
    expect(countLikeMastodon(text)).toBeLessThanOrEqual(500);
    expect(text.endsWith(`\n\n${ann.link ?? FEED}`)).toBe(true);
  });

  it('has every language, Chinese first, each with its title whole', () => {
    const langs = availableLanguages(ann);
    for (const lang of langs) expect(text).toContain(ann.title[lang]);
    if (langs.length === 2) expect(text.indexOf(ann.title.zh!)).toBeLessThan(text.indexOf(ann.title.en!));
  });
});

describe('composing a status', () => {
  it('uses the summary when there is one, the body text otherwise', () => {
    const tour = loadFixture('freshman-tour');
    expect(status(tour)).toBe(
      [`${tour.title.zh}\n${tour.summary!.zh}`, `${tour.title.en}\n${tour.summary!.en}`, FEED].join('\n\n'),
    );
    const hours = loadFixture('holiday-hours');
    const text = status(hours);
    expect(text).toContain(markdownToText(hours.body.zh!));
    expect(text).toContain(markdownToText(hours.body.en!));
    expect(text).not.toContain('**'); // Markdown syntax does not reach a plain-text status
  });

  it('keeps typed markup as literal text and makes no link of javascript:', () => {
    const text = status(loadFixture('hostile-markup'));
    expect(text).toContain('<script>alert(1)</script>');
    expect(text).toContain('<b>quota</b>');
    expect(text).toContain('[a link](javascript:alert(1))');
    expect(text).toContain('a safe link (https://library.example.edu/print)');
  });

  it('cuts the long notice into both languages within 500, the link whole at the end', () => {
    const ann = loadFixture('long-notice');
    const text = status(ann);
    expect(countLikeMastodon(text)).toBeLessThanOrEqual(500);
    expect(countLikeMastodon(text)).toBeGreaterThan(470); // the room is used, not wasted
    expect(text.endsWith('\n\nhttps://library.example.edu/news/stacks')).toBe(true);
    const [zh, en] = text.split('\n\n');
    expect(zh.startsWith(`${ann.title.zh}\n为使相关学科图书集中排架`)).toBe(true);
    expect(zh.endsWith('…')).toBe(true);
    expect(en.startsWith(`${ann.title.en}\nThe library is reorganising`)).toBe(true);
    expect(en.endsWith('…')).toBe(true);
    // A larger instance limit gives a longer status.
    const longer = status(ann, 1000);
    expect(countLikeMastodon(longer)).toBeGreaterThan(900);
    expect(countLikeMastodon(longer)).toBeLessThanOrEqual(1000);
  });

  it('sends the language only for a single-language status', () => {
    const hours = loadFixture('holiday-hours');
    expect(statusLanguage(statusParts(hours, ['zh', 'en'], FEED))).toBeUndefined();
    expect(statusLanguage(statusParts(hours, ['en'], FEED))).toBe('en');
    expect(status(hours, 500, ['en'])).not.toContain(hours.title.zh);
  });
});

describe('the limit at its edges', () => {
  const link = 'https://library.example.edu/n/1';
  const make = (body: string): AnnouncementInput => ({ title: { zh: '通知' }, body: { zh: body }, topics: ['hours'], priority: 'normal' });
  // "通知\n" + body + "\n\n" + link(23) = 3 + body + 25
  const fixed = 3 + 2 + 23;

  it('leaves a status of exactly the limit whole, and cuts one character over', () => {
    const body = '图书馆'.repeat(20) + '书';
    const ann = make(body);
    const exact = composeStatus(statusParts(ann, ['zh'], link), fixed + 61);
    expect(exact).toBe(`通知\n${body}\n\n${link}`);
    expect(countLikeMastodon(exact)).toBe(fixed + 61);
    const cut = composeStatus(statusParts(ann, ['zh'], link), fixed + 60);
    expect(countLikeMastodon(cut)).toBeLessThanOrEqual(fixed + 60);
    expect(cut).toMatch(/…\n\nhttps:\/\/library\.example\.edu\/n\/1$/);
  });

  it('never splits an emoji, a ZWJ sequence or a flag', () => {
    const body = '📚👩‍💻🇨🇳é'.repeat(40);
    const whole = graphemeSet(body);
    for (let max = fixed + 20; max < fixed + 80; max++) {
      const text = composeStatus(statusParts(make(body), ['zh'], link), max);
      expect(countLikeMastodon(text)).toBeLessThanOrEqual(max);
      expect(text).toContain('…');
      const kept = text.slice('通知\n'.length, text.indexOf('…'));
      for (const g of graphemeSet(kept)) expect(whole.has(g)).toBe(true);
      expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/); // no lone high surrogate
    }
  });

  it('counts a URL in the text as 23 however long it is', () => {
    const longUrl = `https://library.example.edu/${'a'.repeat(200)}`;
    const text = composeStatus(statusParts(make(`见 ${longUrl} 。`), ['zh'], link), 500);
    expect(text).toContain(longUrl); // 200+ characters of URL fit: it counts 23
    expect(countLikeMastodon(text)).toBeLessThanOrEqual(500);
  });

  it('cuts the titles too when even they do not fit, keeping the link', () => {
    const ann: AnnouncementInput = { title: { zh: '长'.repeat(200), en: 'L'.repeat(200) }, body: { zh: '正文', en: 'Body' }, topics: ['hours'], priority: 'normal' };
    const text = composeStatus(statusParts(ann, ['zh', 'en'], link), 300);
    expect(countLikeMastodon(text)).toBeLessThanOrEqual(300);
    expect(text.endsWith(`\n\n${link}`)).toBe(true);
    expect(text.startsWith('长长长')).toBe(true);
  });
});
