// RSS item content: every language of the item in one entry, Chinese first.
import type { AnnouncementInput, Lang } from '../types.js';
import { LANG_TAG, joinTextBlocks, localizedTitle, orderLanguages } from './language.js';
import { escapeHtml, markdownToHtml, markdownToText } from './markdown.js';

export interface RenderedFeedItem {
  /** Plain text; the feed library escapes it. */
  title: string;
  /** Sanitized HTML for the item's description. */
  html: string;
  text: string;
}

type Renderable = Pick<AnnouncementInput, 'title' | 'body'>;

export function renderFeedItem(ann: Renderable, langs: readonly Lang[]): RenderedFeedItem {
  const order = orderLanguages(ann, langs);
  const html = order
    .map((lang) =>
      [
        `<div lang="${LANG_TAG[lang]}">`,
        `<h2>${escapeHtml(ann.title[lang] ?? '')}</h2>`,
        markdownToHtml(ann.body[lang] ?? ''),
        '</div>',
      ].join('\n'),
    )
    .join('\n');
  const text = joinTextBlocks(
    order.map((lang) => [ann.title[lang] ?? '', markdownToText(ann.body[lang] ?? '')].filter(Boolean).join('\n\n')),
  );
  return { title: localizedTitle(ann, order), html, text };
}
