// Which languages a recipient gets, in display order: Chinese first, then English,
// the way bilingual library news is usually laid out.
import type { AnnouncementInput, Lang, LangPref } from '../types.js';

/** Display order of languages in a bilingual message. */
export const DISPLAY_ORDER: readonly Lang[] = ['zh', 'en'];

/** BCP 47 tags for the `lang` attribute. */
export const LANG_TAG: Readonly<Record<Lang, string>> = { zh: 'zh-CN', en: 'en' };

// Renderers only read title and body, so they accept a stored Announcement or a bare input.
type Texts = Pick<AnnouncementInput, 'title' | 'body'>;

function has(ann: Texts, lang: Lang): boolean {
  return Boolean(ann.title[lang]?.trim() || ann.body[lang]?.trim());
}

/** The languages the announcement is written in, zh then en. */
export function availableLanguages(ann: Texts): Lang[] {
  return DISPLAY_ORDER.filter((lang) => has(ann, lang));
}

/**
 * The languages to render for a recipient's preference. A preferred language the
 * announcement lacks falls back to what it has: an English reader still gets a
 * Chinese-only notice rather than nothing.
 */
export function languagesFor(ann: Texts, pref: LangPref): Lang[] {
  const available = availableLanguages(ann);
  if (pref === 'both') return available;
  return available.includes(pref) ? [pref] : available;
}

/**
 * Normalises a caller's language list: the announcement's languages only, in display
 * order, without repeats; falls back to every available language when none is left.
 */
export function orderLanguages(ann: Texts, langs: readonly Lang[]): Lang[] {
  const picked = availableLanguages(ann).filter((lang) => langs.includes(lang));
  return picked.length > 0 ? picked : availableLanguages(ann);
}

/** "中文标题 / English title" for two languages, the one title for one. */
export function localizedTitle(ann: Texts, langs: readonly Lang[]): string {
  return orderLanguages(ann, langs)
    .map((lang) => ann.title[lang]?.trim() ?? '')
    .filter((title) => title !== '')
    .join(' / ');
}

/** A localized value (library name, label) for the given languages, joined like titles. */
export function joinLocalized(value: Partial<Record<Lang, string>>, langs: readonly Lang[]): string {
  const ordered = DISPLAY_ORDER.filter((lang) => langs.includes(lang) && value[lang]);
  const use = ordered.length > 0 ? ordered : DISPLAY_ORDER.filter((lang) => value[lang]);
  return use.map((lang) => value[lang]).join(' / ');
}

/** The line between the language blocks of a bilingual plain-text message. */
export const TEXT_SEPARATOR = '—'.repeat(20);

/** Joins per-language plain-text blocks, separated by a line of dashes. */
export function joinTextBlocks(blocks: readonly string[]): string {
  return blocks.join(`\n\n${TEXT_SEPARATOR}\n\n`);
}
