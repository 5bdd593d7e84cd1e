// Terminal text width (CJK, emoji, combining marks, ANSI codes) and whether to use colour.

// Display width: what a terminal gives each character (CJK and emoji take two columns,
// combining marks none), so names like "webhook:图书馆" line up.

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

function graphemeWidth(g: string): number {
  const cp = g.codePointAt(0) ?? 0;
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (/^\p{Mark}+$/u.test(g) || cp === 0x200b || cp === 0x200d || cp === 0xfeff) return 0;
  if (isWide(cp) || /\p{Extended_Pictographic}\uFE0F|\p{Emoji_Presentation}/u.test(g)) return 2;
  return 1;
}

/** Columns a string takes on a terminal (ANSI colour codes take none). */
export function displayWidth(s: string): number {
  let w = 0;
  for (const { segment } of segmenter.segment(s.replace(ANSI, ''))) w += graphemeWidth(segment);
  return w;
}

export function padEndDisplay(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

/**
 * Cuts a string to at most `max` columns, never inside a character or a colour code; a cut
 * string ends with "…" (and a colour reset when it had colour).
 */
export function truncateDisplay(s: string, max: number): string {
  if (displayWidth(s) <= max) return s;
  if (max <= 0) return '';
  let out = '';
  let w = 0;
  let coloured = false;
  // Walk colour codes and graphemes in order.
  const parts = s.split(/(\x1b\[[0-9;?]*[A-Za-z])/);
  outer: for (const part of parts) {
    if (part.startsWith('\x1b[')) {
      out += part;
      coloured = true;
      continue;
    }
    for (const { segment } of segmenter.segment(part)) {
      const gw = graphemeWidth(segment);
      if (w + gw > max - 1) break outer;
      out += segment;
      w += gw;
    }
  }
  return `${out}…${coloured ? '\x1b[0m' : ''}`;
}

/** Colour on a terminal unless NO_COLOR is set (https://no-color.org) or TERM is "dumb". */
export function colorEnabled(out: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(out.isTTY) && !env.NO_COLOR && env.TERM !== 'dumb';
}
