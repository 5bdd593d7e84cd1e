// Telegram rendering: Markdown → the HTML subset Telegram's parse_mode "HTML" accepts, split
// into numbered messages when the visible text (what Telegram counts after parsing entities)
// exceeds 4,096 UTF-16 units.
//
// The body is first flattened into runs of visible text, each with the stack of formatting it
// carries. Splitting works on the visible text alone (paragraph, then sentence boundaries via
// splitText) and each part is rendered from its own runs, so every part has balanced tags and
// a tag is never cut.
import type { Token } from 'markdown-it';
import type { AnnouncementInput, Lang } from '../../src/types.js';
import { TEXT_SEPARATOR, orderLanguages } from '../../src/render/language.js';
import { isSafeLink, parseMarkdown } from '../../src/render/markdown.js';
import { splitText, utf16Length } from '../../src/render/measure.js';

/** Telegram's limit for a message's text, in UTF-16 units after entity parsing. */
export const TELEGRAM_MAX_LENGTH = 4096;


type Mark = { tag: 'b' | 'i' | 'code' | 'pre' | 'blockquote' } | { tag: 'a'; href: string };
interface Run {
  text: string;
  marks: readonly Mark[];
}

const BOLD: Mark = { tag: 'b' };
const ITALIC: Mark = { tag: 'i' };
const QUOTE: Mark = { tag: 'blockquote' };
const LINK_LABEL: Record<Lang, string> = { zh: '详情：', en: 'Details: ' };
const HR = '—'.repeat(10);

const sameMark = (a: Mark, b: Mark): boolean => a.tag === b.tag && (a.tag !== 'a' || a.href === (b as { href: string }).href);

/** Telegram HTML escaping: &, < and > in text; " too inside attribute values. */
function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
const escapeAttr = (s: string): string => escapeText(s).replace(/"/g, '&quot;');

const openTag = (m: Mark): string => (m.tag === 'a' ? `<a href="${escapeAttr(m.href)}">` : `<${m.tag}>`);

/** Runs → HTML: opens and closes only the marks that differ between neighbouring runs. */
function toHtml(runs: readonly Run[]): string {
  let open: readonly Mark[] = [];
  let out = '';
  const closeTo = (k: number) => {
    for (let j = open.length - 1; j >= k; j--) out += `</${open[j].tag}>`;
  };
  for (const run of runs) {
    if (run.text === '') continue;
    let k = 0;
    while (k < open.length && k < run.marks.length && sameMark(open[k], run.marks[k])) k++;
    closeTo(k);
    for (const m of run.marks.slice(k)) out += openTag(m);
    open = run.marks;
    out += escapeText(run.text);
  }
  closeTo(0);
  return out;
}

/**
 * Collects runs with the block layout of a chat message: blank lines between blocks, one
 * newline between list items, separators emitted lazily so nothing trails.
 */
class RunWriter {
  readonly runs: Run[] = [];
  private pending = 0;
  private lastBlock: readonly Mark[] = [];

  /** Asks for at least n newlines before the next text. */
  brk(n: number): void {
    this.pending = Math.max(this.pending, n);
  }

  text(text: string, marks: readonly Mark[], block: readonly Mark[]): void {
    if (text === '') return;
    if (this.runs.length > 0 && this.pending > 0) {
      // The separator belongs to a quote only when both sides are inside it.
      const shared = block.length > 0 && this.lastBlock.length > 0 ? block : [];
      this.runs.push({ text: '\n'.repeat(this.pending), marks: shared });
    }
    this.pending = 0;
    this.lastBlock = block;
    this.runs.push({ text, marks });
  }
}

/** Appends one Markdown body's runs. */
function writeBody(w: RunWriter, markdown: string): void {
  const lists: { ordered: boolean }[] = [];
  let quoteDepth = 0;
  let heading = false;
  let atItemStart = false;
  const block = (): Mark[] => (quoteDepth > 0 ? [QUOTE] : []);
  const emit = (text: string, marks: readonly Mark[]) => {
    w.text(text, [...marks], block()); // a copy: the inline stack keeps changing
    atItemStart = false;
  };

  const inline = (children: Token[]) => {
    const marks: Mark[] = [...block(), ...(heading ? [BOLD] : [])];
    const inLink = () => marks.some((m) => m.tag === 'a');
    let mailto: { address: string; text: string } | null = null;
    for (const t of children) {
      switch (t.type) {
        case 'strong_open': marks.push(BOLD); break;
        case 'em_open': marks.push(ITALIC); break;
        case 'strong_close':
        case 'em_close': marks.pop(); break;
        case 'link_open': {
          const href = String(t.attrGet('href') ?? '');
          // mailto: is not a link Telegram is documented to accept; the address stays visible
          // as text instead (Telegram makes addresses tappable by itself).
          if (/^mailto:/i.test(href)) mailto = { address: href.slice('mailto:'.length), text: '' };
          else if (isSafeLink(href)) marks.push({ tag: 'a', href });
          break;
        }
        case 'link_close':
          if (mailto) {
            if (mailto.text !== mailto.address) emit(` (${mailto.address})`, marks);
            mailto = null;
          } else if (inLink()) marks.pop();
          break;
        case 'softbreak':
        case 'hardbreak': emit('\n', marks); break;
        case 'code_inline':
          // code can carry no other entity, and a quote or link cannot contain one: there it is plain text.
          emit(t.content, quoteDepth > 0 || inLink() ? marks : [{ tag: 'code' }]);
          break;
        default:
          if (mailto) mailto.text += t.content;
          emit(t.content, marks);
      }
    }
  };

  for (const t of parseMarkdown(markdown)) {
    switch (t.type) {
      case 'paragraph_open': if (!atItemStart) w.brk(t.hidden ? 1 : 2); break;
      case 'heading_open': w.brk(2); heading = true; break;
      case 'heading_close': heading = false; break;
      case 'bullet_list_open':
      case 'ordered_list_open': w.brk(lists.length > 0 ? 1 : 2); lists.push({ ordered: t.type === 'ordered_list_open' }); break;
      case 'bullet_list_close':
      case 'ordered_list_close': lists.pop(); w.brk(lists.length > 0 ? 1 : 2); break;
      case 'list_item_open': {
        w.brk(1);
        const indent = '  '.repeat(Math.max(0, lists.length - 1));
        emit(`${indent}${lists.at(-1)?.ordered ? `${t.info}. ` : '• '}`, block());
        atItemStart = true;
        break;
      }
      case 'blockquote_open': w.brk(2); quoteDepth++; break; // quotes cannot nest: one level shown
      case 'blockquote_close': quoteDepth--; w.brk(2); break;
      case 'fence':
      case 'code_block':
        w.brk(2);
        emit(t.content.replace(/\n$/, ''), quoteDepth > 0 ? block() : [{ tag: 'pre' }]);
        w.brk(2);
        break;
      case 'hr': w.brk(2); emit(HR, block()); w.brk(2); break;
      case 'inline': inline(t.children ?? []); break;
      default:
        if (!t.type.endsWith('_close') && !t.type.endsWith('_open') && t.content) {
          w.brk(2);
          emit(t.content, block());
        }
    }
  }
}

type Renderable = Pick<AnnouncementInput, 'title' | 'body' | 'link'>;

/** Every run of the message: per language a bold title, the body and the link; zh first. */
function messageRuns(ann: Renderable, langs: readonly Lang[]): Run[] {
  const w = new RunWriter();
  const link = ann.link && /^https?:/i.test(ann.link.trim()) ? ann.link.trim() : undefined;
  orderLanguages(ann, langs).forEach((lang, i) => {
    if (i > 0) {
      w.brk(2);
      w.text(TEXT_SEPARATOR, [], []);
    }
    w.brk(2);
    w.text(ann.title[lang]?.trim() ?? '', [BOLD], []);
    w.brk(2);
    writeBody(w, ann.body[lang] ?? '');
    if (link) {
      w.brk(2);
      w.text(LINK_LABEL[lang], [], []);
      w.text(link, [{ tag: 'a', href: link }], []);
    }
  });
  return w.runs;
}

/** The runs covering visible offsets [from, to). */
function sliceRuns(runs: readonly Run[], from: number, to: number): Run[] {
  const out: Run[] = [];
  let pos = 0;
  for (const run of runs) {
    const end = pos + run.text.length;
    if (end > from && pos < to) out.push({ text: run.text.slice(Math.max(0, from - pos), Math.min(run.text.length, to - pos)), marks: run.marks });
    pos = end;
  }
  return out;
}

const partLabel = (i: number, n: number): string => `(${i}/${n})\n`;
// Room kept in each part for its label; announcements are limited to 20,000 characters per
// language, so a message never has 100 parts.
const LABEL_ROOM = partLabel(99, 99).length;

export interface TelegramRendering {
  /** HTML texts for sendMessage with parse_mode "HTML", in order. */
  parts: string[];
}

/** The message's length as Telegram counts it: UTF-16 units of the text after entity parsing. */
export function telegramLength(ann: Renderable, langs: readonly Lang[]): number {
  return utf16Length(messageRuns(ann, langs).map((r) => r.text).join(''));
}

/** Renders an announcement for Telegram in the given languages. */
export function renderTelegram(ann: Renderable, langs: readonly Lang[], maxLength = TELEGRAM_MAX_LENGTH): TelegramRendering {
  const runs = messageRuns(ann, langs);
  const visible = runs.map((r) => r.text).join('');
  if (utf16Length(visible) <= maxLength) return { parts: [toHtml(runs)] };
  const pieces = splitText(visible, maxLength - LABEL_ROOM, utf16Length);
  let pos = 0;
  const parts = pieces.map((piece, i) => {
    // splitText returns slices of `visible` in order, dropping only whitespace between them.
    const from = visible.indexOf(piece, pos);
    pos = from + piece.length;
    return escapeText(partLabel(i + 1, pieces.length)) + toHtml(sliceRuns(runs, from, pos));
  });
  return { parts };
}
