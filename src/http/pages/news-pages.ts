// The public archive /news and one announcement's page /news/:id, in the page's language
// (an announcement written only in the other one is shown in that one, marked with its lang).
// Bodies come from the same Markdown renderer (and sanitizer) as e-mail and RSS.
import type { CrierConfig } from '../../config/schema.js';
import { LANG_TAG as CONTENT_TAG, localizedTitle, orderLanguages } from '../../render/language.js';
import { escapeHtml, isSafeLink, markdownToHtml, markdownToText } from '../../render/markdown.js';
import type { Announcement, Lang } from '../../types.js';
import { publicLayout } from './public-layout.js';

const e = escapeHtml;
type T = Record<Lang, string>;

export const NEWS = {
  title: { en: 'Announcements', zh: '图书馆通知' } as T,
  all: { en: 'All topics', zh: '全部主题' } as T,
  empty: { en: 'No announcements yet.', zh: '暂无通知。' } as T,
  older: { en: 'Older announcements', zh: '更早的通知' } as T,
  newest: { en: 'Newest', zh: '最新' } as T,
  feed: { en: 'RSS feed', zh: 'RSS 订阅源' } as T,
  subscribe: { en: 'Get these by e-mail', zh: '通过邮件接收通知' } as T,
  back: { en: 'All announcements', zh: '全部通知' } as T,
  details: { en: 'Details', zh: '详情' } as T,
  published: { en: 'Published', zh: '发布于' } as T,
  expires: { en: 'Until', zh: '有效期至' } as T,
  topicFilter: { en: 'Topics', zh: '主题' } as T,
  notFoundTitle: { en: 'Announcement not found', zh: '未找到该通知' } as T,
  notFound: {
    en: 'This announcement does not exist, is not published yet, has expired or was withdrawn.',
    zh: '该通知不存在、尚未发布、已过期或已撤回。',
  } as T,
};

export interface NewsContext {
  config: CrierConfig;
  lang: Lang;
  /** The path prefix of library.baseUrl ("" at the root), for links that work behind a proxy. */
  prefix: string;
}

function date(iso: string, ctx: NewsContext): string {
  try {
    return new Intl.DateTimeFormat(ctx.lang === 'zh' ? 'zh-CN' : 'en-GB', { timeZone: ctx.config.library.timezone, dateStyle: 'long' }).format(new Date(iso));
  } catch {
    return iso.slice(0, 10);
  }
}

const qs = (q: Record<string, string | undefined>) => {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v) u.set(k, v);
  const s = u.toString();
  return s ? `?${s}` : '';
};

/** The language an announcement is shown in on a page of language `lang`. */
const shownIn = (ann: Announcement, lang: Lang): Lang => orderLanguages(ann, [lang])[0] ?? lang;

function feedHead(ctx: NewsContext, topic?: string): string {
  const href = `${ctx.prefix}/feeds/rss.xml${qs({ topic, lang: ctx.lang })}`;
  return `<link rel="alternate" type="application/rss+xml" title="${e(`${ctx.config.library.name[ctx.lang]} · RSS`)}" href="${e(href)}">`;
}

function topicNames(ann: Announcement, ctx: NewsContext): string {
  return ann.topics.map((id) => ctx.config.topics.find((t) => t.id === id)?.name[ctx.lang] ?? id).join(ctx.lang === 'zh' ? '、' : ', ');
}

function excerpt(ann: Announcement, l: Lang): string {
  // One line: list items become "a · b", other line breaks spaces.
  const text = (ann.summary?.[l]?.trim() || markdownToText(ann.body[l] ?? '')).replace(/\s*\n+\s*(?:[-*•]\s+|\d+\.\s+)/g, ' · ').replace(/\s*\n+\s*/g, ' ');
  const graphemes = Array.from(new Intl.Segmenter(l, { granularity: 'grapheme' }).segment(text), (g) => g.segment);
  return graphemes.length > 160 ? `${graphemes.slice(0, 160).join('').trimEnd()}…` : text;
}

export function archivePageHtml(ctx: NewsContext, items: Announcement[], opts: { topic?: string; next: string | null; first: boolean }): string {
  const { lang, config, prefix } = ctx;
  const filter = [
    `<nav class="filters" aria-label="${e(NEWS.topicFilter[lang])}">`,
    `<a href="${e(`${prefix}/news${qs({ lang })}`)}"${opts.topic ? '' : ' aria-current="page"'}>${e(NEWS.all[lang])}</a>`,
    ...config.topics.map((t) => `<a href="${e(`${prefix}/news${qs({ topic: t.id, lang })}`)}"${opts.topic === t.id ? ' aria-current="page"' : ''}>${e(t.name[lang])}</a>`),
    '</nav>',
  ].join('\n');
  const list = items.length === 0
    ? `<p>${e(NEWS.empty[lang])}</p>`
    : `<ul class="news">\n${items.map((ann) => {
        const l = shownIn(ann, lang);
        return `<li lang="${CONTENT_TAG[l]}"><h2><a href="${e(`${prefix}/news/${ann.id}${qs({ lang })}`)}">${e(ann.title[l] ?? localizedTitle(ann, [l]))}</a></h2>`
          + `<p class="meta"><time datetime="${e(ann.publishedAt)}">${e(date(ann.publishedAt, ctx))}</time> · ${e(topicNames(ann, ctx))}</p><p>${e(excerpt(ann, l))}</p></li>`;
      }).join('\n')}\n</ul>`;
  const pager = opts.first && !opts.next ? '' : [
    '<nav class="pager">',
    opts.first ? '<span></span>' : `<a href="${e(`${prefix}/news${qs({ topic: opts.topic, lang })}`)}">${e(NEWS.newest[lang])}</a>`,
    opts.next ? `<a href="${e(`${prefix}/news${qs({ topic: opts.topic, lang, cursor: opts.next })}`)}" rel="next">${e(NEWS.older[lang])}</a>` : '',
    '</nav>',
  ].join('\n');
  const body = [
    filter, list, pager,
    `<p class="alt"><a href="${e(`${prefix}/feeds/rss.xml${qs({ topic: opts.topic, lang })}`)}">${e(NEWS.feed[lang])}</a> · <a href="${e(`${prefix}/subscribe${qs({ topic: opts.topic, lang })}`)}">${e(NEWS.subscribe[lang])}</a></p>`,
  ].join('\n');
  const topic = config.topics.find((t) => t.id === opts.topic);
  return publicLayout({
    lang, libraryName: config.library.name, title: topic ? `${NEWS.title[lang]} · ${topic.name[lang]}` : NEWS.title[lang], body,
    head: [feedHead(ctx, opts.topic)],
    switchHref: `${prefix}/news${qs({ topic: opts.topic, lang: lang === 'zh' ? 'en' : 'zh' })}`,
  });
}

export function announcementPageHtml(ctx: NewsContext, ann: Announcement): string {
  const { lang, config, prefix } = ctx;
  const l = shownIn(ann, lang);
  const link = ann.link && isSafeLink(ann.link) ? ann.link : undefined;
  const body = [
    `<article lang="${CONTENT_TAG[l]}">`,
    `<p class="meta">${e(NEWS.published[lang])} <time datetime="${e(ann.publishedAt)}">${e(date(ann.publishedAt, ctx))}</time>`
      + `${ann.expiresAt ? ` · ${e(NEWS.expires[lang])} <time datetime="${e(ann.expiresAt)}">${e(date(ann.expiresAt, ctx))}</time>` : ''}`
      + ` · ${ann.topics.map((id) => `<a href="${e(`${prefix}/news${qs({ topic: id, lang })}`)}">${e(config.topics.find((t) => t.id === id)?.name[lang] ?? id)}</a>`).join(', ')}</p>`,
    `<div class="body">${markdownToHtml(ann.body[l] ?? '')}</div>`,
    ...(link ? [`<p>${e(NEWS.details[lang])}: <a href="${e(link)}" rel="noopener">${e(link)}</a></p>`] : []),
    '</article>',
    `<p class="alt"><a href="${e(`${prefix}/news${qs({ lang })}`)}">${e(NEWS.back[lang])}</a> · <a href="${e(`${prefix}/subscribe${qs({ topic: ann.topics[0], lang })}`)}">${e(NEWS.subscribe[lang])}</a></p>`,
  ].join('\n');
  return publicLayout({
    lang, libraryName: config.library.name, title: ann.title[l] ?? localizedTitle(ann, [l]), body,
    head: [feedHead(ctx), ...(ann.summary?.[l] ? [`<meta name="description" content="${e(ann.summary[l]!)}">`] : [])],
    switchHref: `${prefix}/news/${ann.id}${qs({ lang: lang === 'zh' ? 'en' : 'zh' })}`,
  });
}

export function notFoundHtml(ctx: NewsContext): string {
  const { lang, config, prefix } = ctx;
  return publicLayout({
    lang, libraryName: config.library.name, title: NEWS.notFoundTitle[lang], noindex: true,
    body: `<p>${e(NEWS.notFound[lang])}</p>\n<p><a href="${e(`${prefix}/news${qs({ lang })}`)}">${e(NEWS.back[lang])}</a></p>`,
  });
}
