// Campus chat-bot rendering (WeCom, DingTalk, Feishu): one Markdown body, parsed by markdown-it,
// written out in each robot's Markdown dialect, cut to the robot's size limit.
//
// Every character a librarian typed reaches the robot as text. Markup characters in text are
// written as HTML character references (`&lt;`, `&#42;`, …): in CommonMark a reference "cannot
// be used in place of symbols indicating structure", and the three robots render HTML (WeCom
// and DingTalk `<font>`, Feishu `<at>`/`<font>`), so a reference shows the character and never
// opens a tag, an emphasis, a link or a mention. Should a client show a reference undecoded,
// it is still inert text. Only our own structure (headings, `**`, links, list markers) is live.
//
// The body is flattened into runs of text with the marks they carry (bold, italic, link) plus
// "raw" runs of our own structure (line breaks, list markers). Cutting works on the runs, so a
// cut message keeps balanced markup and never splits a reference, a marker or a grapheme.
import type { Token } from 'markdown-it';
import type { AnnouncementInput, Lang } from '../types.js';
import { orderLanguages } from './language.js';
import { isSafeLink, normalizeLink, parseMarkdown } from './markdown.js';
import { truncate, type Measure } from './measure.js';

export type ChatbotDialect = 'wecom' | 'dingtalk' | 'feishu';

interface DialectRules {
  /** Markdown list syntax; WeCom's subset has none, so its lists are plain "•" lines. */
  lists: boolean;
  /** `*italic*`; WeCom's subset has only bold. */
  italic: boolean;
  /** A line break inside a paragraph. DingTalk joins single newlines, so it gets a hard break. */
  br: string;
}

const RULES: Record<ChatbotDialect, DialectRules> = {
  wecom: { lists: false, italic: false, br: '\n' },
  dingtalk: { lists: true, italic: true, br: '  \n' },
  feishu: { lists: true, italic: true, br: '\n' },
};


export const ELLIPSIS = '…';
const RULE = '—'.repeat(10);
const LINK_LABEL: Record<Lang, string> = { zh: '详情', en: 'Details' };

// Characters that are markup somewhere in the three dialects (or in HTML), as references.
const REFS: Record<string, string> = {
  '<': '&lt;', '>': '&gt;', '\\': '&#92;', '`': '&#96;', '*': '&#42;', '_': '&#95;', '~': '&#126;',
  '[': '&#91;', ']': '&#93;', '|': '&#124;', '#': '&#35;', '+': '&#43;', '-': '&#45;', '=': '&#61;',
  '.': '&#46;', ')': '&#41;',
};

/**
 * Plain text → dialect text showing exactly these characters. At the start of a line, the
 * characters that would open a heading, a list item or a setext underline are escaped too.
 */
export function escapeChatText(text: string, lineStart = false): string {
  // "&" only where it would start a reference: "AT&T" stays as typed, a typed "&lt;" shows as such.
  let out = text.replace(/&(?=#?[0-9A-Za-z]+;)/g, '&amp;').replace(/[<>\\`*_~[\]|]/g, (c) => REFS[c]);
  if (lineStart) {
    out = out.replace(/^([ \t]*)([#+\-=])/, (_m, sp: string, c: string) => sp + REFS[c]);
    out = out.replace(/^([ \t]*\d+)([.)])/, (_m, n: string, c: string) => n + REFS[c]);
  }
  return out;
}

/** A one-line title as dialect text (a newline typed into a title would end a heading). */
export function escapeChatTitle(title: string): string {
  return escapeChatText(title.trim().replace(/\s*\n\s*/g, ' '), true);
}

/** A URL as a Markdown link destination: percent-encoded, parentheses included. */
function linkDestination(url: string): string {
  return normalizeLink(url.trim()).replace(/\(/g, '%28').replace(/\)/g, '%29');
}

type Mark = { tag: 'b' | 'i' } | { tag: 'a'; href: string };
interface Run {
  text: string;
  marks: readonly Mark[];
  /** Our own structure (breaks, markers, prefixes): written as is, dropped whole when cut. */
  raw?: boolean;
}

const BOLD: Mark = { tag: 'b' };
const ITALIC: Mark = { tag: 'i' };
const sameMark = (a: Mark, b: Mark): boolean => a.tag === b.tag && (a.tag !== 'a' || a.href === (b as { href: string }).href);

type Container = { kind: 'quote' } | { kind: 'item'; marker: string; fresh: boolean };
type List = { ordered: boolean; next: number };

/** Markdown → runs in the dialect's structure. */
function bodyRuns(markdown: string, rules: DialectRules): Run[] {
  const writer = new RunWriter(rules);
  const tokens = parseMarkdown(markdown);
  tokens.forEach((t, i) => writer.block(t, tokens[i - 1]));
  return writer.runs;
}

/**
 * The marks in force inside one paragraph. Bold inside bold (a bold heading's own **…**) adds
 * nothing, so `pushed` records which opens added a mark and closes stay balanced.
 */
class MarkStack {
  marks: readonly Mark[];
  private readonly pushed: boolean[] = [];

  constructor(base: readonly Mark[]) {
    this.marks = [...base];
  }

  open(m: Mark): void {
    const add = m.tag === 'a' || !this.marks.some((x) => x.tag === m.tag);
    if (add) this.marks = [...this.marks, m];
    this.pushed.push(add);
  }

  close(): void {
    if (this.pushed.pop()) this.marks = this.marks.slice(0, -1);
  }
}

/**
 * Walks markdown-it's block tokens in order and appends runs. It keeps what the next line
 * needs to know: the open quotes and list items (a line's prefix), the lists' numbering,
 * whether a blank line comes before the next block, and whether we are inside a heading.
 */
class RunWriter {
  readonly runs: Run[] = [];
  private readonly containers: Container[] = [];
  private readonly lists: List[] = [];
  private blankBefore = true; // the next block is separated by a blank line, not a single newline
  private headingDepth = 0;

  constructor(private readonly rules: DialectRules) {}

  block(t: Token, previous: Token | undefined): void {
    switch (t.type) {
      case 'bullet_list_open': case 'ordered_list_open': this.openList(t); break;
      case 'bullet_list_close': case 'ordered_list_close': this.closeList(); break;
      case 'list_item_open': this.openItem(); break;
      case 'blockquote_open': this.containers.push({ kind: 'quote' }); this.blankBefore = true; break;
      case 'list_item_close': case 'blockquote_close': this.containers.pop(); break;
      // Headings inside a body become bold lines: the title is the message's only heading.
      case 'heading_open': this.headingDepth++; break;
      case 'heading_close': this.headingDepth--; break;
      case 'inline':
        // A hidden paragraph is an item of a tight list: one newline, not a blank line.
        this.inline(t.children ?? [], this.headingDepth > 0 ? [BOLD] : [], previous?.hidden === true);
        break;
      case 'fence': case 'code_block': this.codeLines(t.content); break;
      case 'hr': this.rule(); break;
      default:
        break; // paragraph_open/close: blocks are separated in startBlock
    }
  }

  private inItem(): boolean {
    return this.containers.some((c) => c.kind === 'item');
  }

  // A list is set off by a blank line, except a list nested in an item (kept tight).
  private openList(t: Token): void {
    this.lists.push({ ordered: t.type === 'ordered_list_open', next: Number(t.attrGet('start') ?? 1) });
    this.blankBefore = !this.inItem();
  }

  private closeList(): void {
    this.lists.pop();
    this.blankBefore = !this.inItem();
  }

  // WeCom has no list syntax, so its bullets are "•"; numbers are kept in every dialect.
  private openItem(): void {
    const list = this.lists[this.lists.length - 1];
    const marker = list.ordered ? `${list.next++}. ` : this.rules.lists ? '- ' : '• ';
    this.containers.push({ kind: 'item', marker, fresh: true });
  }

  /** A line's prefix: quote marks, and an item's marker on the first line of its first block. */
  private prefix(block: boolean): string {
    return this.containers.map((c) => {
      if (c.kind === 'quote') return '> ';
      const first = block && c.fresh;
      if (block) c.fresh = false;
      return first ? c.marker : ' '.repeat(c.marker.length);
    }).join('');
  }

  /** The separator before a block (none first, a newline when tight, else a blank line) and its prefix. */
  private startBlock(tight: boolean): void {
    const sep = this.runs.length === 0 ? '' : tight && !this.blankBefore ? '\n' : '\n\n';
    this.runs.push({ text: sep + this.prefix(true), marks: [], raw: true });
    this.blankBefore = false;
  }

  /** A line break inside a block: the dialect's break, then the continuation prefix. */
  private lineBreak(marks: readonly Mark[]): Run {
    return { text: this.rules.br + this.prefix(false), marks, raw: true };
  }

  private inline(children: Token[], base: readonly Mark[], tight: boolean): void {
    this.startBlock(tight);
    const stack = new MarkStack(base);
    for (const t of children) {
      switch (t.type) {
        case 'strong_open': stack.open(BOLD); break;
        case 'em_open': stack.open(ITALIC); break;
        case 'link_open': stack.open({ tag: 'a', href: String(t.attrGet('href') ?? '') }); break;
        case 'strong_close': case 'em_close': case 'link_close': stack.close(); break;
        case 'softbreak': case 'hardbreak': this.runs.push(this.lineBreak(stack.marks)); break;
        default:
          // text, and code_inline kept as text (a code span would show references undecoded)
          if (t.content) this.runs.push({ text: t.content, marks: stack.marks });
      }
    }
  }

  // Plain lines: a code block would show references undecoded.
  private codeLines(content: string): void {
    this.startBlock(false);
    content.replace(/\n$/, '').split('\n').forEach((line, n) => {
      if (n > 0) this.runs.push(this.lineBreak([]));
      if (line) this.runs.push({ text: line, marks: [] });
    });
  }

  private rule(): void {
    this.startBlock(false);
    this.runs.push({ text: RULE, marks: [], raw: true });
  }
}

function opener(m: Mark, rules: DialectRules): string {
  if (m.tag === 'a') return '[';
  return m.tag === 'b' ? '**' : rules.italic ? '*' : '';
}
function closer(m: Mark, rules: DialectRules): string {
  if (m.tag === 'a') return `](${linkDestination(m.href)})`;
  return opener(m, rules);
}

/** Runs → dialect Markdown: opens and closes only the marks that differ between neighbours. */
function renderRuns(runs: readonly Run[], rules: DialectRules): string {
  let out = '';
  let open: readonly Mark[] = [];
  let lineStart = true;
  const closeTo = (k: number) => {
    for (let j = open.length - 1; j >= k; j--) out += closer(open[j], rules);
  };
  for (const run of runs) {
    if (run.text === '') continue;
    let k = 0;
    while (k < open.length && k < run.marks.length && sameMark(open[k], run.marks[k])) k++;
    closeTo(k);
    for (const m of run.marks.slice(k)) out += opener(m, rules);
    open = run.marks;
    if (run.raw) {
      out += run.text;
      lineStart = true;
    } else {
      out += escapeChatText(run.text, lineStart);
      lineStart = false;
    }
  }
  closeTo(0);
  return out;
}

/** The runs covering the first `length` UTF-16 units of their text; a raw run cut in two is dropped. */
function cutRuns(runs: readonly Run[], length: number): Run[] {
  const out: Run[] = [];
  let pos = 0;
  for (const run of runs) {
    if (pos >= length) break;
    const end = pos + run.text.length;
    if (end <= length) out.push(run);
    else if (!run.raw) out.push({ ...run, text: run.text.slice(0, length - pos) });
    pos = end;
  }
  // A cut ends on text, never on a break, a bare list marker or a space before a closing **.
  while (out.length > 0) {
    const last = out[out.length - 1];
    const text = last.raw ? '' : last.text.trimEnd();
    if (text) {
      out[out.length - 1] = { ...last, text };
      break;
    }
    out.pop();
  }
  return out;
}

/** A Markdown body in a robot's dialect, uncut. */
export function chatbotBody(markdown: string, dialect: ChatbotDialect): string {
  return renderRuns(bodyRuns(markdown, RULES[dialect]), RULES[dialect]);
}

/** The longest cut of the runs whose rendering plus "…" measures at most `max`. */
function cutBody(runs: readonly Run[], max: number, rules: DialectRules, measure: Measure): string {
  if (measure(ELLIPSIS) > max) return '';
  const visible = runs.map((r) => r.text).join('');
  const render = (n: number) => renderRuns(cutRuns(runs, n), rules) + ELLIPSIS;
  const prefix = truncate(visible, max, (s) => measure(render(s.length)), '');
  return render(prefix.length);
}

/** Shares of `budget` for bodies of these sizes: small ones whole, the rest split evenly. */
function waterFill(sizes: readonly number[], budget: number): number[] {
  const shares = sizes.map(() => 0);
  let left = Math.max(0, budget);
  const order = sizes.map((_, i) => i).sort((a, b) => sizes[a] - sizes[b]);
  order.forEach((i, n) => {
    shares[i] = Math.min(sizes[i], Math.floor(left / (order.length - n)));
    left -= shares[i];
  });
  return shares;
}

/** The pieces a robot message is assembled from, each already in the dialect. */
export interface ChatbotParts {
  langs: Lang[];
  /** One escaped title per language, in display order. */
  titles: string[];
  /** One body per language, in display order; a cut body ends with "…". */
  bodies: string[];
  /** "详情 / Details: [url](url)", or undefined when there is nothing to link to. */
  link?: string;
  cut: boolean;
}

export interface ChatbotFit {
  /** The robot's limit, in `measure` units, for the whole assembled message. */
  max: number;
  measure: Measure;
  /** What one body adds to `measure` of the assembled message (JSON escaping included). */
  bodyMeasure: Measure;
  assemble(parts: ChatbotParts): string;
  /** Where the whole text can be read when the message is cut and the announcement has no link. */
  fullTextUrl?: string;
}

/** The link line, last in every message: a label in the message's languages, then the URL. */
export function chatbotLinkLine(url: string, langs: readonly Lang[]): string {
  const label = langs.map((l) => LINK_LABEL[l]).join(' / ');
  const colon = langs.length === 1 && langs[0] === 'zh' ? '：' : ': ';
  return `${label}${colon}[${escapeChatText(url)}](${linkDestination(url)})`;
}

/**
 * One announcement for one robot: every language's title and body, the link last, cut to
 * `fit.max`. When cut, each language keeps a fair share of the room (a short one stays
 * whole) and the message ends with the link to the full text.
 */
export function renderChatbot(
  ann: Pick<AnnouncementInput, 'title' | 'body' | 'link'>, langs: readonly Lang[], dialect: ChatbotDialect, fit: ChatbotFit,
): { parts: ChatbotParts; text: string } {
  const rules = RULES[dialect];
  const order = orderLanguages(ann, langs);
  const runs = order.map((lang) => bodyRuns(ann.body[lang] ?? '', rules));
  const full = runs.map((r) => renderRuns(r, rules));
  const link = ann.link && isSafeLink(ann.link) ? ann.link : undefined;
  const titles = order.map((lang) => escapeChatTitle(ann.title[lang] ?? ''));
  const whole: ChatbotParts = { langs: order, titles, bodies: full, link: link && chatbotLinkLine(link, order), cut: false };
  const text = fit.assemble(whole);
  if (fit.measure(text) <= fit.max) return { parts: whole, text };

  const target = link ?? (fit.fullTextUrl && isSafeLink(fit.fullTextUrl) ? fit.fullTextUrl : undefined);
  const skeleton: ChatbotParts = { ...whole, bodies: order.map(() => ''), link: target && chatbotLinkLine(target, order), cut: true };
  const room = fit.max - fit.measure(fit.assemble(skeleton));
  const sizes = full.map((b) => fit.bodyMeasure(b));
  let shares = waterFill(sizes, room);
  // The measure is additive, so one pass fits; the loop guards a measure that is not quite.
  for (let tries = 0; tries < 5; tries++) {
    const bodies = full.map((b, i) => (sizes[i] <= shares[i] ? b : cutBody(runs[i], shares[i], rules, fit.bodyMeasure)));
    const parts = { ...skeleton, bodies };
    const cut = fit.assemble(parts);
    const excess = fit.measure(cut) - fit.max;
    if (excess <= 0) return { parts, text: cut };
    const largest = shares.indexOf(Math.max(...shares));
    shares = shares.map((s, i) => (i === largest ? Math.max(0, s - excess) : s));
  }
  const bare = { ...skeleton, bodies: order.map(() => ELLIPSIS) };
  return { parts: bare, text: fit.assemble(bare) };
}
