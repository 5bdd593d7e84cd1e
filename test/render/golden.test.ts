// Golden files per fixture: what a bilingual (or single-language) recipient gets.
import { describe, expect, it } from 'vitest';
import { renderEmail } from '../../src/render/email.js';
import { renderFeedItem } from '../../src/render/feed.js';
import { availableLanguages } from '../../src/render/language.js';
import { escapeHtml, markdownToText } from '../../src/render/markdown.js';
import { fixtureNames, LIBRARY_NAME, loadFixture, UNSUBSCRIBE_URL } from './fixtures.js';

const names = fixtureNames();

it('finds the shared fixtures', () => {
  expect(names).toEqual(expect.arrayContaining(['chinese-only', 'english-only', 'holiday-hours', 'hostile-markup']));
});

describe.each(names)('%s', (name) => {
  const ann = loadFixture(name);
  const langs = availableLanguages(ann);
  const email = renderEmail(ann, ['zh', 'en'], { libraryName: LIBRARY_NAME, unsubscribeUrl: UNSUBSCRIBE_URL });
  const feed = renderFeedItem(ann, ['zh', 'en']);

  it('matches the golden files', async () => {
    await expect(email.html).toMatchFileSnapshot(`./__golden__/${name}.email.html`);
    await expect(email.text).toMatchFileSnapshot(`./__golden__/${name}.email.txt`);
    await expect(feed.html).toMatchFileSnapshot(`./__golden__/${name}.feed.html`);
  });

  it('loses no language and puts Chinese first', () => {
    for (const lang of langs) {
      const title = ann.title[lang] as string;
      expect(email.text).toContain(`${title}\n\n${markdownToText(ann.body[lang] as string)}`);
      expect(email.html).toContain(`<h1 style="margin:0 0 16px;font-size:22px;line-height:1.3;">${escapeHtml(title)}</h1>`);
      expect(feed.html).toContain(`<h2>${escapeHtml(title)}</h2>`);
    }
    if (langs.length === 2) {
      expect(email.subject).toBe(`${ann.title.zh} / ${ann.title.en}`);
      expect(email.html.indexOf('<section lang="zh-CN">')).toBeLessThan(email.html.indexOf('<section lang="en">'));
      expect(email.text.indexOf(ann.title.zh as string)).toBeLessThan(email.text.indexOf(ann.title.en as string));
      expect(email.text).toContain('\n\n————————————————————\n\n');
      expect(feed.html.indexOf('<div lang="zh-CN">')).toBeLessThan(feed.html.indexOf('<div lang="en">'));
      expect(email.html).toContain('>退订 / Unsubscribe</a>');
    } else {
      expect(email.subject).toBe(ann.title[langs[0]]);
      expect(email.text).not.toContain('———');
    }
    expect(email.html.match(/<section lang=/g)).toHaveLength(langs.length);
    expect(email.text).toContain(`${UNSUBSCRIBE_URL}\n`);
  });

  it('is a self-contained document with inline styles only', () => {
    expect(email.html.startsWith('<!doctype html>\n')).toBe(true);
    expect(email.html).toContain('<meta charset="utf-8">');
    expect(email.html).not.toMatch(/<(?:script|style|link|img|iframe)\b/i);
    expect(email.html).not.toMatch(/<[^>]*\ssrc=/i);
  });

  if (ann.link) {
    it('carries the announcement link in every language', () => {
      const a = `<a href="${ann.link}" rel="noopener noreferrer" style="color:#0b5cad;">${ann.link}</a>`;
      expect(email.html.split(a)).toHaveLength(langs.length + 1);
      if (langs.includes('zh')) expect(email.text).toContain(`详情：${ann.link}`);
      if (langs.includes('en')) expect(email.text).toContain(`Details: ${ann.link}`);
    });
  }
});
