// Markdown → safe HTML and readable plain text. One parser configuration for every channel,
// so a librarian's body means the same thing in an e-mail, the feed and a chat message.
import MarkdownIt, { type Token } from 'markdown-it';
import sanitizeHtml from 'sanitize-html';
import { convert, type FormatCallback, type HtmlToTextOptions } from 'html-to-text';

const SAFE_SCHEMES = ['http', 'https', 'mailto'];
const SAFE_LINK = /^(?:https?:|mailto:)/i;

// html:false: raw HTML typed by a librarian is escaped text, never live markup.
// breaks:true: a single newline is a line break; librarians type addresses and hour lists
// line by line and expect them to stay that way.
const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: true });
// Tables and images have no place in the allowlist (and no form on chat channels): left
// disabled, their source stays visible as typed instead of vanishing in the sanitizer.
// Strikethrough is disabled too: dropping <s> would show "closed" as plain "closed".
md.disable(['table', 'image', 'strikethrough']);

// markdown-it's default only blocks javascript:/vbscript:/data:/file:; we allow far less.
// A rejected [x](javascript:…) is rendered as the literal text the librarian typed.
md.validateLink = (url: string): boolean => SAFE_LINK.test(url.trim());

/** Markdown tokens from the one configured parser: every channel reads a body the same way. */
export function parseMarkdown(markdown: string): Token[] {
  return md.parse(markdown, {});
}

/** A link as the parser normalises it (percent-encoding), for dialects that write links themselves. */
export function normalizeLink(url: string): string {
  return md.normalizeLink(url);
}

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'strong', 'em', 'a', 'ul', 'ol', 'li', 'code', 'pre', 'blockquote',
    'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr'],
  allowedAttributes: { a: ['href', 'rel'], ol: ['start'] },
  allowedSchemes: SAFE_SCHEMES,
  allowedSchemesByTag: {},
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer' }) },
};

/** Markdown body → sanitized HTML fragment (no document wrapper). */
export function markdownToHtml(markdown: string): string {
  // Defence in depth: markdown-it already escapes, the sanitizer enforces the allowlist.
  return sanitizeHtml(md.render(markdown), SANITIZE).trim();
}

// Links as "text (url)"; the url is left out when the text already is the url
// (linkified addresses, with or without the scheme markdown-it added).
const formatLink: FormatCallback = (elem, walk, builder) => {
  const href = String(elem.attribs?.href ?? '');
  let text = '';
  builder.pushWordTransform((word) => {
    text += word;
    return word;
  });
  walk(elem.children, builder);
  builder.popWordTransform();
  const bare = href.replace(/^(?:mailto:|https?:\/\/)/i, '');
  if (href && text !== href && text !== bare) {
    builder.addInline(text ? ` (${href})` : href, { noWordTransform: true });
  }
};

const TO_TEXT: HtmlToTextOptions = {
  wordwrap: false,
  formatters: { crierLink: formatLink },
  selectors: [
    { selector: 'a', format: 'crierLink' },
    { selector: 'ul', options: { itemPrefix: '- ' } },
    ...(['h1', 'h2', 'h3', 'h4', 'h5', 'h6'] as const).map((h) => ({
      selector: h,
      options: { uppercase: false, leadingLineBreaks: 2, trailingLineBreaks: 2 },
    })),
    { selector: 'hr', options: { length: 20 } },
  ],
};

/** Markdown body → plain text: no Markdown syntax left, typed characters kept literally. */
export function markdownToText(markdown: string): string {
  // Only newlines are trimmed: an ordered list's " 1. " prefix starts with a space.
  return convert(markdownToHtml(markdown), TO_TEXT).replace(/^\n+|\n+$/g, '');
}

/** Escapes a plain string (titles, names) for HTML text and double-quoted attributes. */
export function escapeHtml(s: string): string {
  return md.utils.escapeHtml(s);
}

/** True for the link schemes we ever put in an href. */
export function isSafeLink(url: string): boolean {
  return SAFE_LINK.test(url.trim());
}
