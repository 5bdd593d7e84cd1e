// The frame of the public pages students and readers see (sign-up, manage, news): one language
// a page, chosen by ?lang= or Accept-Language, with a link to the other one. No script at all;
// the one <style> is allowed by the CSP below ('unsafe-inline' styles only, nothing else runs).
// Sized for a 390 px phone first: one column, 16 px text (no zoom on focus), large tap targets.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CrierConfig } from '../../config/schema.js';
import { escapeHtml } from '../../render/markdown.js';
import type { Lang } from '../../types.js';

export const LANG_TAG: Record<Lang, string> = { zh: 'zh-CN', en: 'en' };
const OTHER_NAME: Record<Lang, string> = { zh: 'English', en: '中文' };
const e = escapeHtml;

const CSS = `
*{box-sizing:border-box}
body{margin:0;background:#f4f4f4;color:#1f1f1f;font:16px/1.6 -apple-system,'Segoe UI',Helvetica,Arial,'PingFang SC','Noto Sans CJK SC','Microsoft YaHei',sans-serif}
header.top{max-width:720px;margin:0 auto;padding:12px 20px;display:flex;justify-content:space-between;align-items:center;gap:12px}
header.top .lib{font-weight:600}
main{max-width:720px;margin:0 auto 24px;padding:20px 20px 24px;background:#fff;border-radius:6px}
h1{font-size:24px;line-height:1.3;margin:0 0 12px}
h2{font-size:19px;margin:24px 0 8px}
a{color:#0b5cad}
fieldset{border:1px solid #c8c8c8;border-radius:6px;margin:0 0 16px;padding:8px 14px 10px}
legend{font-weight:600;padding:0 4px}
.field{margin:0 0 16px}
.field>label{display:block;font-weight:600;margin:0 0 4px}
input[type=email]{width:100%;font:inherit;padding:10px 12px;border:1px solid #767676;border-radius:6px}
.choice{display:flex;align-items:center;gap:10px;min-height:44px;margin:0}
.choice input{width:22px;height:22px;margin:0;flex:none}
.choices{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));column-gap:16px}
.hint{color:#555;font-size:14px;margin:0 0 6px}
.error{color:#b3261e;font-weight:600;margin:4px 0 0}
[aria-invalid=true]{border-color:#b3261e;border-width:2px}
button{font:inherit;font-weight:600;min-height:48px;padding:10px 24px;border:0;border-radius:6px;background:#0b5cad;color:#fff;cursor:pointer}
button.danger{background:#b3261e}
.alt{margin-top:24px;padding-top:16px;border-top:1px solid #ddd}
.tg{display:inline-block;padding:10px 18px;border:1px solid #0b5cad;border-radius:6px;text-decoration:none;font-weight:600}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
ul.news{list-style:none;padding:0;margin:0}
ul.news li{padding:12px 0;border-bottom:1px solid #e4e4e4}
ul.news time,.meta{color:#555;font-size:14px}
.filters a{margin-right:10px}
.filters a[aria-current]{font-weight:700;text-decoration:none;color:#1f1f1f}
nav.pager{display:flex;justify-content:space-between;margin-top:16px}
article .body{overflow-wrap:anywhere}
footer{max-width:720px;margin:0 auto;padding:0 20px 24px;font-size:14px;color:#555}
`;

/** Headers of every public page: no script, no framing, no referrer (URLs may hold a token). */
export const PUBLIC_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

export function sendPublic(reply: FastifyReply, status: number, lang: Lang, html: string): FastifyReply {
  const headers: Record<string, string> = { ...PUBLIC_HEADERS, 'content-language': LANG_TAG[lang], vary: 'Accept-Language' };
  return reply.code(status).headers(headers).send(html);
}

/** ?lang=zh|en wins; then the first of zh/en in Accept-Language by q; then the library default. */
export function pageLang(req: FastifyRequest, config: CrierConfig): Lang {
  const q = (req.query as Record<string, unknown> | undefined)?.lang;
  if (q === 'zh' || q === 'en') return q;
  const header = req.headers['accept-language'];
  if (typeof header === 'string') {
    const ranked = header
      .split(',')
      .map((part, i) => {
        const [tag, ...params] = part.trim().toLowerCase().split(';');
        const qv = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find(Boolean);
        return { tag: tag.trim(), q: qv === undefined ? 1 : Number(qv), i };
      })
      .filter((x) => x.q > 0)
      .sort((a, b) => b.q - a.q || a.i - b.i);
    for (const { tag } of ranked) {
      if (tag === 'zh' || tag.startsWith('zh-')) return 'zh';
      if (tag === 'en' || tag.startsWith('en-')) return 'en';
    }
  }
  return config.library.defaultLanguage === 'en' ? 'en' : 'zh';
}

export interface PublicPage {
  lang: Lang;
  libraryName: CrierConfig['library']['name'];
  title: string;
  /** The same page in the other language (a relative URL with ?lang=). */
  switchHref?: string;
  /** Extra <head> lines, already HTML. */
  head?: string[];
  /** The page's content, already HTML. */
  body: string;
  noindex?: boolean;
}

export function publicLayout(p: PublicPage): string {
  const other: Lang = p.lang === 'zh' ? 'en' : 'zh';
  return [
    '<!doctype html>',
    `<html lang="${LANG_TAG[p.lang]}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    ...(p.noindex ? ['<meta name="robots" content="noindex">'] : []),
    `<title>${e(p.title)} · ${e(p.libraryName[p.lang])}</title>`,
    ...(p.head ?? []),
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<header class="top">',
    `<span class="lib">${e(p.libraryName[p.lang])}</span>`,
    ...(p.switchHref ? [`<a href="${e(p.switchHref)}" lang="${LANG_TAG[other]}" hreflang="${LANG_TAG[other]}">${OTHER_NAME[p.lang]}</a>`] : []),
    '</header>',
    '<main>',
    `<h1>${e(p.title)}</h1>`,
    p.body,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** A relative link to `path` with these query values (empty ones left out). */
export function relHref(path: string, query: Record<string, string | undefined>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) u.set(k, v);
  const s = u.toString();
  return s ? `${path}?${s}` : path;
}
