// The dashboard's two languages and how a request picks one; imports nothing but types, so
// html.ts, context.ts and every page can use it (i18n.ts re-exports it with the switch route).
import type { FastifyRequest } from 'fastify';

export type UiLang = 'en' | 'zh';
export const HTML_LANG: Record<UiLang, string> = { en: 'en', zh: 'zh-CN' };
export const LANG_COOKIE = 'crier_lang';

export const isLang = (v: unknown): v is UiLang => v === 'en' || v === 'zh';

/** The first of zh / en the Accept-Language header prefers (q-values honoured), else English. */
export function fromAcceptLanguage(header: string | undefined): UiLang {
  const prefs = (header ?? '')
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => /^q=([\d.]+)$/.exec(p.trim())?.[1]).find(Boolean);
      return { tag, q: q === undefined ? 1 : Number(q) };
    })
    .filter((p) => p.tag && p.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const p of prefs) {
    if (p.tag === 'zh' || p.tag.startsWith('zh-')) return 'zh';
    if (p.tag === 'en' || p.tag.startsWith('en-')) return 'en';
  }
  return 'en';
}

export function uiLang(req: FastifyRequest): UiLang {
  const q = (req.query as Record<string, unknown> | undefined)?.lang;
  if (isLang(q)) return q;
  const saved = req.adminSession?.language;
  if (isLang(saved)) return saved;
  const cookie = req.cookies?.[LANG_COOKIE];
  if (isLang(cookie)) return cookie;
  return fromAcceptLanguage(req.headers['accept-language']);
}
