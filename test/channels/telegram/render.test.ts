// Telegram rendering: golden files per fixture, checked with an independent parser of
// Telegram's HTML mode (the fake server's), and the 4,096-unit limit at its edges.
import { describe, expect, it } from 'vitest';
import { renderTelegram, TELEGRAM_MAX_LENGTH } from '../../../channels/telegram/render.js';
import type { AnnouncementInput, Lang } from '../../../src/types.js';
import { parseTelegramHtml, type Entity } from '../../support/fake-telegram.js';
import { fixtureNames, loadFixture } from '../../render/fixtures.js';

const BOTH: Lang[] = ['zh', 'en'];

function parse(html: string): { text: string; entities: Entity[] } {
  const r = parseTelegramHtml(html);
  if ('error' in r) throw new Error(`${r.error}\n${html}`);
  return r;
}

/** The parts' visible texts without their "(i/n)" labels. */
function visibleParts(parts: string[]): string[] {
  return parts.map((p, i) => {
    const { text } = parse(p);
    const label = `(${i + 1}/${parts.length})\n`;
    expect(text.startsWith(label)).toBe(true);
    return text.slice(label.length);
  });
}

/** Every part is a piece of the whole, in order, and together they are all of it. */
function expectWhole(parts: string[], full: string) {
  let pos = 0;
  for (const piece of visibleParts(parts)) {
    const at = full.indexOf(piece, pos);
    expect(at).toBeGreaterThanOrEqual(pos);
    expect(full.slice(pos, at).trim()).toBe(''); // only whitespace dropped between parts
    pos = at + piece.length;
  }
  expect(full.slice(pos).trim()).toBe('');
}

const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe.each(fixtureNames())('%s', (name) => {
  const ann = loadFixture(name);
  const { parts } = renderTelegram(ann, BOTH);

  it('matches its golden file and parses as Telegram HTML within the limit', async () => {
    await expect(parts.join('\n\n======== next message ========\n\n')).toMatchFileSnapshot(`./__golden__/${name}.telegram.html`);
    for (const p of parts) {
      const { text, entities } = parse(p);
      expect(text.length).toBeLessThanOrEqual(TELEGRAM_MAX_LENGTH);
      expect(entities.every((e) => ['bold', 'italic', 'code', 'pre', 'blockquote', 'text_link'].includes(e.type))).toBe(true);
      expect(entities.filter((e) => e.type === 'text_link').every((e) => /^https?:\/\//.test(e.url ?? ''))).toBe(true);
    }
  });

  it('carries every language, Chinese first, each with its bold title', () => {
    const text = parts.map((p) => parse(p).text).join('\n');
    const langs = BOTH.filter((l) => ann.title[l]);
    for (const l of langs) expect(text).toContain(ann.title[l]!.trim());
    if (langs.length === 2) expect(text.indexOf(ann.title.zh!)).toBeLessThan(text.indexOf(ann.title.en!));
    const first = parse(parts[0]);
    const bold = first.entities.find((e) => e.type === 'bold')!;
    expect(first.text.slice(bold.offset, bold.offset + bold.length)).toBe(ann.title[langs[0]]!.trim());
  });
});

describe('escaping and markup', () => {
  it('shows typed markup as text and never makes a javascript: link', () => {
    const ann = loadFixture('hostile-markup');
    const [html] = renderTelegram(ann, BOTH).parts;
    expect(html).not.toMatch(/<(?:script|img|iframe)/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; 注意事项');
    expect(html).not.toContain('javascript:alert(1)"');
    const { text, entities } = parse(html);
    expect(text).toContain('打印配额与收费说明 <script>alert(1)</script> & 注意事项_*[]()~`>#+-=|{}.!');
    expect(text).toContain('and <img src=x onerror=alert(1)>.');
    expect(text).toContain('[a link](javascript:alert(1)) and a safe link.');
    // The typed https address is linked as Telegram itself would; the javascript: one never is.
    expect(entities.filter((e) => e.type === 'text_link').map((e) => e.url)).toEqual(['https://evil.example', 'https://library.example.edu/print']);
  });

  it('renders Markdown with Telegram tags only, balanced, code never inside other entities', () => {
    const body = [
      '# Heading', '', 'Some **bold `code` text** and _it_ with [a **bold** link](https://x.example/?a=1&b="2").', '',
      '> quoted **line** with `code`', '>', '> second', '', '1. one', '2. two', '   - nested', '', '```', 'if (a < b) {}', '```',
      '', 'mail <me@example.edu> or [desk](mailto:desk@example.edu)',
    ].join('\n');
    const [html] = renderTelegram({ title: { en: 'T' }, body: { en: body } }, ['en']).parts;
    expect(html).toMatchInlineSnapshot(`
      "<b>T</b>

      <b>Heading</b>

      Some <b>bold </b><code>code</code><b> text</b> and <i>it</i> with <a href="https://x.example/?a=1&amp;b=%222%22">a <b>bold</b> link</a>.

      <blockquote>quoted <b>line</b> with code

      second</blockquote>

      1. one
      2. two
        • nested

      <pre>if (a &lt; b) {}</pre>

      mail me@example.edu or desk (desk@example.edu)"
    `);
    expect('error' in parseTelegramHtml(html)).toBe(false);
  });
});

describe('the 4,096-unit limit', () => {
  // Visible text: title + "\n\n" + body.
  const withBody = (body: string): AnnouncementInput =>
    ({ title: { zh: '标题' }, body: { zh: body }, topics: ['hours'], priority: 'normal' });
  const room = TELEGRAM_MAX_LENGTH - '标题\n\n'.length;

  it('keeps a message of exactly 4,096 UTF-16 units whole (CJK and emoji)', () => {
    for (const body of ['图'.repeat(room), '📚'.repeat(room / 2), `${'图'.repeat(room - 5)}👩‍💻`]) {
      const { parts } = renderTelegram(withBody(body), ['zh']);
      expect(parts).toHaveLength(1);
      expect(parse(parts[0]).text.length).toBe(TELEGRAM_MAX_LENGTH);
    }
  });

  it('splits one unit over into numbered parts, never inside a surrogate pair or ZWJ sequence', () => {
    for (const body of ['图'.repeat(room + 1), '📚'.repeat(room / 2 + 1), `${'图'.repeat(room - 4)}👩‍💻`]) {
      const ann = withBody(body);
      const { parts } = renderTelegram(ann, ['zh']);
      expect(parts).toHaveLength(2);
      for (const p of parts) {
        const { text } = parse(p);
        expect(text.length).toBeLessThanOrEqual(TELEGRAM_MAX_LENGTH);
        expect(text).not.toMatch(lone);
      }
      expectWhole(parts, parse(renderTelegram(ann, ['zh'], Infinity).parts[0]).text);
      if (body.endsWith('👩‍💻')) expect(parse(parts[1]).text.endsWith('👩‍💻')).toBe(true);
    }
  });

  it('splits the long notice at paragraph or sentence ends, each part with balanced tags', () => {
    const ann = loadFixture('long-notice');
    const { parts } = renderTelegram(ann, BOTH);
    expect(parts.length).toBeGreaterThanOrEqual(2);
    const full = parse(renderTelegram(ann, BOTH, Infinity).parts[0]).text;
    expect(full.length).toBeGreaterThan(TELEGRAM_MAX_LENGTH);
    expectWhole(parts, full);
    for (const piece of visibleParts(parts).slice(0, -1)) expect(piece).toMatch(/[。.!?！？]$/);
    // A split through bold text closes the tag in one part and reopens it in the next.
    const bold = renderTelegram({ title: { en: 'T' }, body: { en: `**${'word '.repeat(1500)}end**` } }, ['en']).parts;
    expect(bold.length).toBe(2);
    for (const p of bold) expect(parse(p).entities.some((e) => e.type === 'bold' && e.length > 1000)).toBe(true);
  });
});
