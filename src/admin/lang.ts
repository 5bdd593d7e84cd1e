// The dashboard's two languages; imports nothing, so html.ts and every page can use it.
export type UiLang = 'en' | 'zh';
export const HTML_LANG: Record<UiLang, string> = { en: 'en', zh: 'zh-CN' };
