import { describe, expect, it } from 'vitest';
import { availableLanguages, languagesFor, localizedTitle } from '../../src/render/language.js';
import type { Lang, LangPref } from '../../src/types.js';

const bilingual = { title: { en: 'Hours', zh: '开放时间' }, body: { en: 'Open.', zh: '开放。' } };
const enOnly = { title: { en: 'Workshop' }, body: { en: 'Bring a laptop.' } };
const zhOnly = { title: { zh: '读书月' }, body: { zh: '欢迎参加。' } };

describe('languagesFor', () => {
  const table: [LangPref, typeof bilingual | typeof enOnly | typeof zhOnly, string, Lang[]][] = [
    ['both', bilingual, 'bilingual', ['zh', 'en']],
    ['both', enOnly, 'en-only', ['en']],
    ['both', zhOnly, 'zh-only', ['zh']],
    ['en', bilingual, 'bilingual', ['en']],
    ['en', enOnly, 'en-only', ['en']],
    ['en', zhOnly, 'zh-only', ['zh']],
    ['zh', bilingual, 'bilingual', ['zh']],
    ['zh', enOnly, 'en-only', ['en']],
    ['zh', zhOnly, 'zh-only', ['zh']],
  ];
  it.each(table)('%s × %s (%s)', (pref, ann, _name, expected) => {
    expect(languagesFor(ann, pref)).toEqual(expected);
  });
});

describe('availableLanguages and localizedTitle', () => {
  it('orders Chinese first', () => {
    expect(availableLanguages(bilingual)).toEqual(['zh', 'en']);
    expect(localizedTitle(bilingual, ['zh', 'en'])).toBe('开放时间 / Hours');
    expect(localizedTitle(bilingual, ['en', 'zh'])).toBe('开放时间 / Hours');
  });

  it('gives the one title for one language, falling back to what exists', () => {
    expect(localizedTitle(bilingual, ['en'])).toBe('Hours');
    expect(localizedTitle(bilingual, ['zh'])).toBe('开放时间');
    expect(localizedTitle(zhOnly, ['en'])).toBe('读书月');
  });
});
