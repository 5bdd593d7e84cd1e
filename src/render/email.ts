// E-mail rendering: a subject, a plain-text part and a small self-contained HTML document.
// Inline styles only (mail clients drop <style> and block remote resources), no script.
import type { AnnouncementInput, Lang } from '../types.js';
import { LANG_TAG, joinLocalized, joinTextBlocks, localizedTitle, orderLanguages } from './language.js';
import { escapeHtml, isSafeLink, markdownToHtml, markdownToText } from './markdown.js';

/** One e-mail as the e-mail channel sends it: announcements, confirmations, alerts alike. */
export interface EmailMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

export interface EmailOptions {
  libraryName: Record<Lang, string>;
  /** "Read more" link: the announcement's link or its page; defaults to ann.link. */
  link?: string;
  /** Per-recipient unsubscribe page; omitted for messages that have none (confirmations). */
  unsubscribeUrl?: string;
  /** Per-recipient page to change topics and language (beside the unsubscribe link). */
  manageUrl?: string;
  /** A plain-text line above the unsubscribe link ("You subscribed to: …"). */
  footerNote?: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

type Renderable = Pick<AnnouncementInput, 'title' | 'body' | 'link'>;

const LINK_LABEL: Record<Lang, string> = { zh: '详情：', en: 'Details: ' };
const UNSUBSCRIBE: Record<Lang, string> = { zh: '退订', en: 'Unsubscribe' };
const MANAGE: Record<Lang, string> = { zh: '管理订阅', en: 'Manage your subscription' };

const FONT = "-apple-system,'Segoe UI',Helvetica,Arial,'PingFang SC','Microsoft YaHei',sans-serif";
/** Inline styles every Crier e-mail shares (mail clients ignore <style> blocks). */
export const EMAIL_STYLE = {
  body: 'margin:0;padding:0;background-color:#f4f4f4;',
  card:
    'max-width:640px;margin:0 auto;padding:24px;background-color:#ffffff;color:#222222;' +
    `font-family:${FONT};font-size:16px;line-height:1.6;`,
  link: 'color:#0b5cad;',
  rule: 'border:none;border-top:1px solid #dddddd;margin:24px 0;',
} as const;
const STYLE = {
  ...EMAIL_STYLE,
  h1: 'margin:0 0 16px;font-size:22px;line-height:1.3;',
  footer: 'margin-top:32px;padding-top:16px;border-top:1px solid #dddddd;font-size:13px;color:#666666;',
  p: 'margin:0 0 8px;',
};

/**
 * A complete, self-contained HTML e-mail: one card, the language sections separated by rules,
 * then the footer. `sections` and `footer` are HTML already escaped by the caller.
 */
export function emailDocument(opts: { lang: Lang; title: string; sections: string[]; footer: string[] }): string {
  return [
    '<!doctype html>',
    `<html lang="${LANG_TAG[opts.lang]}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(opts.title)}</title>`,
    '</head>',
    `<body style="${EMAIL_STYLE.body}">`,
    `<div style="${EMAIL_STYLE.card}">`,
    opts.sections.join(`\n<hr style="${EMAIL_STYLE.rule}">\n`),
    ...opts.footer,
    '</div>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function safeUrl(url: string | undefined): string | undefined {
  return url && isSafeLink(url) ? url : undefined;
}

function anchor(href: string, text: string): string {
  return `<a href="${escapeHtml(href)}" rel="noopener noreferrer" style="${STYLE.link}">${escapeHtml(text)}</a>`;
}

/** The part of an e-mail that depends on the announcement and the languages only. */
export interface PreparedEmail {
  order: Lang[];
  library: string;
  subject: string;
  textBody: string;
  sections: string[];
}

/** Renders what every recipient reading these languages shares: the costly Markdown work. */
/**
 * The Subject header on one line. The schema already refuses a title with CR or LF, but a
 * rendered subject never relies on that: a line break in a header value would start a new
 * header (Bcc: …) wherever the text came from (test/security/inert-output.test.ts).
 */
function oneLineSubject(s: string): string {
  return s.replace(/[\r\n\u2028\u2029]+/g, ' ');
}

export function prepareEmail(ann: Renderable, langs: readonly Lang[], opts: Pick<EmailOptions, 'libraryName' | 'link'>): PreparedEmail {
  const order = orderLanguages(ann, langs);
  const link = safeUrl(opts.link ?? ann.link);
  const textBlocks = order.map((lang) => {
    const parts = [ann.title[lang] ?? '', markdownToText(ann.body[lang] ?? '')];
    if (link) parts.push(`${LINK_LABEL[lang]}${link}`);
    return parts.filter((p) => p !== '').join('\n\n');
  });
  const sections = order.map((lang) =>
    [
      `<section lang="${LANG_TAG[lang]}">`,
      `<h1 style="${STYLE.h1}">${escapeHtml(ann.title[lang] ?? '')}</h1>`,
      markdownToHtml(ann.body[lang] ?? ''),
      ...(link ? [`<p style="${STYLE.p}">${escapeHtml(LINK_LABEL[lang])}${anchor(link, link)}</p>`] : []),
      '</section>',
    ].join('\n'),
  );
  return { order, library: joinLocalized(opts.libraryName, order), subject: oneLineSubject(localizedTitle(ann, order)), textBody: joinTextBlocks(textBlocks), sections };
}

/** Adds one recipient's footer (note, manage and unsubscribe links) to a prepared e-mail. */
export function completeEmail(p: PreparedEmail, opts: Pick<EmailOptions, 'unsubscribeUrl' | 'manageUrl' | 'footerNote'>): RenderedEmail {
  const { order, library } = p;
  const unsubscribe = safeUrl(opts.unsubscribeUrl);
  const manage = safeUrl(opts.manageUrl);
  const footerText = ['-- ', library];
  if (opts.footerNote) footerText.push(opts.footerNote);
  // A Chinese-only message gets the full-width colon, as in the "详情：" line.
  const colon = order.length === 1 && order[0] === 'zh' ? '：' : ': ';
  if (manage) footerText.push(`${joinLocalized(MANAGE, order)}${colon}${manage}`);
  if (unsubscribe) footerText.push(`${joinLocalized(UNSUBSCRIBE, order)}${colon}${unsubscribe}`);
  const text = `${p.textBody}\n\n${footerText.join('\n')}\n`;

  const footer = [
    `<footer style="${STYLE.footer}">`,
    `<p style="${STYLE.p}">${escapeHtml(library)}</p>`,
    ...(opts.footerNote ? [`<p style="${STYLE.p}">${escapeHtml(opts.footerNote)}</p>`] : []),
    ...(manage ? [`<p style="${STYLE.p}">${anchor(manage, joinLocalized(MANAGE, order))}</p>`] : []),
    ...(unsubscribe ? [`<p style="${STYLE.p}">${anchor(unsubscribe, joinLocalized(UNSUBSCRIBE, order))}</p>`] : []),
    '</footer>',
  ];
  const html = emailDocument({ lang: order[0] ?? 'en', title: p.subject, sections: p.sections, footer });
  return { subject: p.subject, text, html };
}

/** Renders one announcement for one recipient's languages (zh first when both). */
export function renderEmail(ann: Renderable, langs: readonly Lang[], opts: EmailOptions): RenderedEmail {
  return completeEmail(prepareEmail(ann, langs, opts), opts);
}
