// Slack rendering: Markdown → mrkdwn, and an announcement → a Block Kit message with a plain
// `text` fallback (notifications, clients without blocks).
//
// Markdown is converted by slackify-markdown (a real remark parser); its output is then held
// to one invariant: the only live `<…>` sequences are http(s) and mailto links. slackify lets
// raw HTML, `<@U…>` / `<#C…>` mentions, code spans and any link scheme (javascript:) through,
// so everything else is escaped with Slack's three entities.
import slackify from 'slackify-markdown';
import type { AnnouncementInput, Lang } from '../../src/types.js';
import { joinLocalized, joinTextBlocks, orderLanguages } from '../../src/render/language.js';
import { isSafeLink, markdownToText } from '../../src/render/markdown.js';
import { graphemeLength, splitText, truncate, utf16Length } from '../../src/render/measure.js';

/** Block Kit limits (docs.slack.dev/reference/block-kit). Counted in UTF-16 units, never fewer than Slack counts. */
export const SLACK_LIMITS = { sectionText: 3000, headerText: 150, blocks: 50, fallbackText: 4000 } as const;

export interface PlainText { type: 'plain_text'; text: string }
// verbatim: Slack adds no automatic links or mentions of its own to our text.
export interface MrkdwnText { type: 'mrkdwn'; text: string; verbatim: true }
export type SlackBlock =
  | { type: 'header'; text: PlainText }
  | { type: 'section'; text: PlainText | MrkdwnText }
  | { type: 'context'; elements: MrkdwnText[] }
  | { type: 'divider' };

export interface SlackRendering {
  /** Fallback: plain title and body, escaped, at most SLACK_LIMITS.fallbackText. */
  text: string;
  blocks: SlackBlock[];
}

export interface SlackRenderOptions {
  libraryName: Record<Lang, string>;
  /** Display names of topic ids; unknown ids are shown as they are. */
  topicNames?: Record<string, Partial<Record<Lang, string>>>;
}

type Renderable = Pick<AnnouncementInput, 'title' | 'body' | 'link' | 'topics'>;

/** Slack's escaping: &, < and > become entities, nothing else (formatting-message-text#escaping). */
export function escapeSlack(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const bareAmpersands = (s: string): string => s.replace(/&(?!(?:amp|lt|gt);)/g, '&amp;');

/** A URL made safe inside `<url|label>`: no `|`, `<` or `>` left, `&` escaped. */
export function slackUrl(url: string): string {
  return bareAmpersands(url.replace(/\|/g, '%7C').replace(/</g, '%3C').replace(/>/g, '%3E'));
}

// A link slackify built: <http(s)://…> or <mailto:…>, optionally |label, on one line.
const SAFE_LINK = /<((?:https?:\/\/|mailto:)[^\s<>|]+)(?:\|([^<>\n]*))?>/iy;
const ENTITY = /&(?:amp|lt|gt);/y;

/**
 * Escapes every `<` and `>` of slackify's output except those of safe links, and every bare
 * `&` (slackify escaped its text nodes, not code or raw HTML). A `>` opening a line (only `>`s
 * and spaces before it) is a blockquote marker and stays: with every other `<` escaped it can
 * never close a control sequence. Inside code (`…` and ```…```) nothing is a link: slackify
 * copies code verbatim, so a `<https://evil|click>` typed there would reach Slack, which
 * parses links in code too, as a live masked link.
 */
export function neutralizeMrkdwn(s: string): string {
  let out = '';
  let lineStart = true;
  let fence = false; // inside ```…```
  let span = false; // inside `…`
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '`') {
      if (s.startsWith('```', i) && !span) {
        fence = !fence;
        out += '```';
        i += 2;
      } else {
        // As in Markdown, a backtick opens a span only when another closes it within the
        // paragraph; a lone one (typed as text) is just a character.
        if (!fence) span = span ? false : closesInParagraph(s, i + 1);
        out += c;
      }
      lineStart = false;
      continue;
    }
    if ((fence || span) && (c === '<' || c === '>')) {
      out += c === '<' ? '&lt;' : '&gt;';
      lineStart = false;
      continue;
    }
    if (c === '<') {
      SAFE_LINK.lastIndex = i;
      const m = SAFE_LINK.exec(s);
      if (m) {
        out += `<${slackUrl(m[1])}${m[2] === undefined ? '' : `|${bareAmpersands(m[2])}`}>`;
        i += m[0].length - 1;
        lineStart = false;
        continue;
      }
      out += '&lt;';
    } else if (c === '>') {
      out += lineStart ? '>' : '&gt;';
    } else if (c === '&') {
      ENTITY.lastIndex = i;
      out += ENTITY.test(s) ? '&' : '&amp;';
    } else {
      out += c;
    }
    if (c === '\n') lineStart = true;
    else if (c !== '>' && c !== ' ') lineStart = false;
  }
  return out;
}

/** Whether a backtick after `from` closes a span before the paragraph ends (a blank line). */
function closesInParagraph(s: string, from: number): boolean {
  const tick = s.indexOf('`', from);
  if (tick === -1) return false;
  const blank = s.indexOf('\n\n', from);
  return blank === -1 || tick < blank;
}

/**
 * A "|" inside a bare typed URL, percent-encoded before slackify sees it: remark autolinks
 * `http://evil.example|click` in `<http://evil.example|click me>` and slackify writes it as
 * `<http://evil.example|click>`, which Slack reads as a masked link labelled "click" — made
 * from typed text (found by test/security/inert-output.test.ts). Code (backticks, indented
 * lines) and whole `<url>` autolinks are left as typed: they already stay text.
 */
function encodeBarInBareUrls(md: string): string {
  return md
    .split(/(`+[^`]*`+)/)
    .map((seg, i) => (i % 2 === 1 ? seg : seg
      .split('\n')
      .map((line) => (/^( {4}|\t)/.test(line) ? line : line.replace(/(^|[^\w])((?:https?:\/\/|mailto:)[^\s<>()]*)(>?)/gi, (m, pre: string, url: string, close: string) =>
        (pre === '<' && close === '>' ? m : pre + url.replace(/\|/g, '%7C') + close))))
      .join('\n')))
    .join('');
}

/** Markdown → mrkdwn with no live markup but http(s)/mailto links. */
export function markdownToMrkdwn(markdown: string): string {
  const converted = slackify(encodeBarInBareUrls(markdown))
    // remark writes a hard line break as backslash + newline; Slack would show the backslash.
    .replace(/\\\n/g, '\n')
    .replace(/^\n+|\s+$/g, '');
  return neutralizeMrkdwn(converted);
}

/**
 * The body as section texts of at most `max` units each. The Markdown is split (paragraphs
 * first, with splitText) before converting, so every part is well-formed mrkdwn: no link,
 * entity or bold run is ever cut in two. A part that grows past `max` in conversion (entities,
 * autolinked URLs) is split again, finer in proportion to its growth. slackify is slow on long
 * texts (superlinear), so it only ever sees parts of about `max` characters.
 */
export function mrkdwnSections(markdown: string, max: number = SLACK_LIMITS.sectionText): string[] {
  const out: string[] = [];
  const walk = (source: string, budget: number): void => {
    for (const piece of splitSource(source, budget)) {
      const converted = markdownToMrkdwn(piece);
      const length = utf16Length(converted);
      if (length <= max) {
        if (converted !== '') out.push(converted);
      } else if (budget <= MIN_BUDGET) {
        out.push('…'); // only a grapheme of thousands of combining marks gets here
      } else {
        const finer = Math.floor((max / length) * utf16Length(piece) * 0.9);
        walk(piece, Math.max(MIN_BUDGET, Math.min(budget - 1, finer)));
      }
    }
  };
  if (markdown.trim() !== '') walk(markdown.trim(), max);
  return out;
}

// 64 source units convert to a few hundred at most (an entity is 5, a %-encoded CJK URL char 9).
const MIN_BUDGET = 64;

function splitSource(source: string, budget: number): string[] {
  try {
    return splitText(source, budget, utf16Length);
  } catch (err) {
    // One grapheme longer than the budget (a long ZWJ or combining sequence): count graphemes.
    if (err instanceof RangeError) return splitText(source, budget, graphemeLength);
    throw err;
  }
}

const mrkdwn = (text: string): MrkdwnText => ({ type: 'mrkdwn', text, verbatim: true });
const section = (text: string): SlackBlock => ({ type: 'section', text: mrkdwn(text) });

/** The title as a header block, or as a plain-text section when longer than a header allows. */
function titleBlock(title: string): SlackBlock {
  const text = escapeSlack(title);
  return utf16Length(text) <= SLACK_LIMITS.headerText
    ? { type: 'header', text: { type: 'plain_text', text } }
    : { type: 'section', text: { type: 'plain_text', text } };
}

const LINK_LABEL: Record<Lang, string> = { zh: '查看详情', en: 'Read more' };
const CUT_NOTE: Record<Lang, string> = { zh: '（正文过长，以下从略）', en: '(The rest is too long for Slack.)' };

/** Splits `budget` blocks between languages: each gets what it needs, the longest are capped. */
function shareBlocks(needs: number[], budget: number): number[] {
  const shares = needs.map(() => 0);
  let left = budget;
  const order = needs.map((_, i) => i).sort((a, b) => needs[a] - needs[b]);
  order.forEach((idx, k) => {
    shares[idx] = Math.min(needs[idx], Math.floor(left / (order.length - k)));
    left -= shares[idx];
  });
  return shares;
}

function fallbackText(ann: Renderable, order: Lang[], link: string | undefined): string {
  const blocks = order.map((lang) =>
    [ann.title[lang]?.trim() ?? '', markdownToText(ann.body[lang] ?? '')].filter((p) => p !== '').join('\n\n'),
  );
  const tail = link ? `\n\n${link}` : '';
  const measure = (s: string): number => utf16Length(escapeSlack(s));
  return escapeSlack(truncate(joinTextBlocks(blocks), SLACK_LIMITS.fallbackText - measure(tail), measure) + tail);
}

/** Renders one announcement for one target's languages (zh first when both). */
export function renderSlack(ann: Renderable, langs: readonly Lang[], opts: SlackRenderOptions): SlackRendering {
  const order = orderLanguages(ann, langs);
  const link = ann.link && isSafeLink(ann.link) ? ann.link : undefined;

  const topics = ann.topics.map((id) => joinLocalized(opts.topicNames?.[id] ?? { en: id }, order)).join(', ');
  const context: SlackBlock = {
    type: 'context',
    elements: [mrkdwn(escapeSlack(`${joinLocalized(opts.libraryName, order)} · ${topics}`))],
  };
  const linkBlock = link ? section(`🔗 <${slackUrl(link)}|${escapeSlack(joinLocalized(LINK_LABEL, order))}>`) : undefined;

  const titles = order.map((lang) => (ann.title[lang]?.trim() ? titleBlock(ann.title[lang]!.trim()) : undefined));
  const bodies = order.map((lang) => mrkdwnSections(ann.body[lang] ?? ''));
  const fixed = titles.filter(Boolean).length + (order.length - 1) + 1 + (linkBlock ? 1 : 0);
  const shares = shareBlocks(bodies.map((b) => b.length), SLACK_LIMITS.blocks - fixed);

  const blocks: SlackBlock[] = [];
  order.forEach((lang, i) => {
    if (i > 0) blocks.push({ type: 'divider' });
    if (titles[i]) blocks.push(titles[i]!);
    const parts = bodies[i];
    if (parts.length <= shares[i]) {
      blocks.push(...parts.map(section));
    } else {
      // Over 50 blocks: the first parts, then a note (the link, if any, follows below).
      blocks.push(...parts.slice(0, Math.max(0, shares[i] - 1)).map(section));
      if (shares[i] > 0) blocks.push(section(`… ${escapeSlack(CUT_NOTE[lang])}`));
    }
  });
  if (linkBlock) blocks.push(linkBlock);
  blocks.push(context);
  return { text: fallbackText(ann, order, link), blocks };
}

/** The message as a person would read it in a terminal (crier preview). */
export function previewSlack(msg: SlackRendering & { channel: string }): string {
  const lines = [`Slack channel: ${msg.channel}`, ''];
  for (const b of msg.blocks) {
    if (b.type === 'header') lines.push(`# ${b.text.text}`, '');
    else if (b.type === 'section') lines.push(b.text.text, '');
    else if (b.type === 'divider') lines.push('—'.repeat(20), '');
    else lines.push(`(${b.elements.map((e) => e.text).join(' ')})`, '');
  }
  lines.push('Fallback text:', msg.text);
  return lines.join('\n');
}
