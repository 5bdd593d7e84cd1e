// The small server-rendered pages of the e-mail subscription flow: confirmed, manage
// (unsubscribe button and a preferences form), unsubscribed, saved, a bad link, an error.
// Every value is escaped; no script at all (the Content-Security-Policy forbids it anyway);
// forms POST to relative URLs, so the pages work under a baseUrl with a path prefix too.
import type { FastifyReply } from 'fastify';
import type { CrierConfig } from '../../config/schema.js';
import { escapeHtml } from '../../render/markdown.js';
import type { Subscriber } from '../../store/subscribers.js';
import { langsOf, LANGUAGE_NAME, PAGE, topicNames, type Topic } from '../../subscriptions/texts.js';
import type { Lang, LangPref } from '../../types.js';

export interface PageContext {
  libraryName: CrierConfig['library']['name'];
  topics: readonly Topic[];
}

const LANG_TAG: Record<Lang, string> = { zh: 'zh-CN', en: 'en' };

const CSS = `
body{margin:0;background:#f4f4f4;color:#222;font:16px/1.6 -apple-system,'Segoe UI',Helvetica,Arial,'PingFang SC','Microsoft YaHei',sans-serif}
main{max-width:640px;margin:0 auto;padding:24px;background:#fff}
h1{font-size:22px;line-height:1.3;margin:0 0 16px}
h2{font-size:18px;margin:24px 0 8px}
section+section{border-top:1px solid #ddd;margin-top:24px;padding-top:16px}
fieldset{border:1px solid #ddd;margin:0 0 12px;padding:8px 12px}
label{display:block;margin:4px 0}
button{font:inherit;padding:8px 16px;border:0;border-radius:4px;background:#0b5cad;color:#fff;cursor:pointer}
button.danger{background:#b3261e}
.error{color:#b3261e}
footer{margin-top:32px;padding-top:16px;border-top:1px solid #ddd;font-size:13px;color:#666}
`;

/** Headers of every page: no script, no framing, no referrer (the URL holds a token), no caching. */
export const PAGE_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex',
};

export function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply.code(status).headers(PAGE_HEADERS).send(html);
}

const e = escapeHtml;
const joined = (langs: readonly Lang[], f: (l: Lang) => string): string => langs.map(f).join(' / ');

function layout(ctx: PageContext, langs: readonly Lang[], title: string, sections: string[]): string {
  return [
    '<!doctype html>',
    `<html lang="${LANG_TAG[langs[0] ?? 'en']}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex">',
    `<title>${e(title)} · ${e(joined(langs, (l) => ctx.libraryName[l]))}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<h1>${e(title)}</h1>`,
    ...sections,
    `<footer>${e(joined(langs, (l) => ctx.libraryName[l]))}</footer>`,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** One <section lang> per language, each made of the given paragraphs (plain strings, escaped). */
function paragraphs(langs: readonly Lang[], f: (l: Lang) => string[]): string[] {
  return langs.map((l) => `<section lang="${LANG_TAG[l]}">\n${f(l).map((p) => `<p>${e(p)}</p>`).join('\n')}\n</section>`);
}

export function confirmedPage(ctx: PageContext, sub: Subscriber): string {
  const langs = langsOf(sub.language);
  return layout(ctx, langs, joined(langs, PAGE.confirmedTitle), paragraphs(langs, (l) => [
    PAGE.confirmed(ctx.libraryName, topicNames(sub.topics, ctx.topics, l), l),
    PAGE.languageLine(sub.language, l),
    PAGE.howToLeave(l),
  ]));
}

/** A link that cannot be used: we may not know whose it is, so both languages. */
export function badLinkPage(ctx: PageContext, reason: 'expired' | 'invalid' | 'gone', kind: 'confirm' | 'manage'): string {
  const langs: Lang[] = ['zh', 'en'];
  return layout(ctx, langs, joined(langs, PAGE.badLinkTitle), paragraphs(langs, (l) => [PAGE.badLink(reason, kind, l)]));
}

export function errorPage(ctx: PageContext): string {
  const langs: Lang[] = ['zh', 'en'];
  return layout(ctx, langs, joined(langs, PAGE.errorTitle), paragraphs(langs, (l) => [PAGE.error(l)]));
}

function preferencesForm(ctx: PageContext, langs: readonly Lang[], token: string, topics: readonly string[], language: LangPref, error?: string): string {
  const label = (l: (x: Lang) => string) => e(joined(langs, l));
  const all = topics.includes('*');
  const boxes = [
    `<label><input type="checkbox" name="topics" value="*"${all ? ' checked' : ''}> ${e(joined(langs, (l) => capitalize(topicNames(['*'], ctx.topics, l))))}</label>`,
    ...ctx.topics.map(
      (t) => `<label><input type="checkbox" name="topics" value="${e(t.id)}"${!all && topics.includes(t.id) ? ' checked' : ''}> ${e(joined(langs, (l) => t.name[l]))}</label>`,
    ),
  ];
  const radios = (['en', 'zh', 'both'] as const).map(
    (v) => `<label><input type="radio" name="language" value="${v}"${language === v ? ' checked' : ''}> ${e(joined(langs, (l) => LANGUAGE_NAME[l][v]))}</label>`,
  );
  return [
    `<h2>${label(PAGE.changeHeading)}</h2>`,
    ...(error ? [`<p class="error">${e(error)}</p>`] : []),
    `<form method="post" action="preferences?token=${e(encodeURIComponent(token))}">`,
    `<fieldset><legend>${label(PAGE.topicsLegend)}</legend>`,
    ...boxes,
    '</fieldset>',
    `<fieldset><legend>${label(PAGE.languageLegend)}</legend>`,
    ...radios,
    '</fieldset>',
    `<button type="submit">${label(PAGE.saveButton)}</button>`,
    '</form>',
  ].join('\n');
}

function unsubscribeForm(langs: readonly Lang[], token: string): string {
  return [
    `<h2>${e(joined(langs, PAGE.unsubscribeHeading))}</h2>`,
    `<form method="post" action="unsubscribe?token=${e(encodeURIComponent(token))}">`,
    '<input type="hidden" name="List-Unsubscribe" value="One-Click">',
    `<button type="submit" class="danger">${e(joined(langs, PAGE.unsubscribeButton))}</button>`,
    '</form>',
  ].join('\n');
}

/** GET /subscriptions/unsubscribe: who this is, an unsubscribe button, the preferences form. */
export function managePage(ctx: PageContext, sub: Subscriber, token: string, opts: { error?: boolean; topics?: string[]; language?: LangPref } = {}): string {
  const langs = langsOf(sub.language);
  const subscribed = sub.status === 'active';
  const intro = paragraphs(langs, (l) => [
    PAGE.manageIntro(ctx.libraryName, sub.address, l),
    subscribed ? PAGE.currently(topicNames(sub.topics, ctx.topics, l), l) : PAGE.notSubscribed(l),
  ]);
  const error = opts.error ? joined(langs, PAGE.chooseTopic) : undefined;
  return layout(ctx, langs, joined(langs, PAGE.manageTitle), [
    ...intro,
    ...(subscribed ? [unsubscribeForm(langs, token)] : []),
    preferencesForm(ctx, langs, token, opts.topics ?? sub.topics, opts.language ?? sub.language, error),
  ]);
}

/** After the unsubscribe POST: confirmation, and the form to come back. */
export function unsubscribedPage(ctx: PageContext, sub: Subscriber, token: string): string {
  const langs = langsOf(sub.language);
  return layout(ctx, langs, joined(langs, PAGE.unsubscribedTitle), [
    ...paragraphs(langs, (l) => [PAGE.unsubscribed(ctx.libraryName, sub.address, l), PAGE.changedMind(l)]),
    preferencesForm(ctx, langs, token, sub.topics, sub.language),
  ]);
}

export function savedPage(ctx: PageContext, sub: Subscriber, token: string): string {
  const langs = langsOf(sub.language);
  return layout(ctx, langs, joined(langs, PAGE.savedTitle), [
    ...paragraphs(langs, (l) => [PAGE.saved(topicNames(sub.topics, ctx.topics, l), l), PAGE.languageLine(sub.language, l)]),
    unsubscribeForm(langs, token),
  ]);
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
