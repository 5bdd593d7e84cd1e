// GET/POST /subscribe: the sign-up form and the "check your inbox" page. Every value typed is
// escaped and kept on an error; each error sits beside its field and is tied to it with
// aria-describedby. Labels and names are the contract's ("Public pages").
import type { CrierConfig } from '../../config/schema.js';
import { escapeHtml } from '../../render/markdown.js';
import { SIGNUP } from '../../subscriptions/signup-texts.js';
import type { Lang, LangPref } from '../../types.js';
import { publicLayout, relHref } from './public-layout.js';

const e = escapeHtml;

/** The radio labels are the contract's, the same on both pages. */
const LANGUAGE_LABEL: Record<LangPref, string> = { zh: '中文', en: 'English', both: 'Both' };

export interface SignupValues {
  email: string;
  topics: string[];
  language: LangPref;
}

export type SignupErrors = Partial<Record<'email' | 'topics' | 'language' | 'form', string>>;

export interface SignupView {
  config: CrierConfig;
  lang: Lang;
  values: SignupValues;
  errors?: SignupErrors;
  /** The signed start time of this form. */
  formToken: string;
  /** The Telegram deep link, when the bot is on. */
  botHref?: string;
  /** ?topic= of the request, kept by the language switch. */
  topicParam?: string;
  emailEnabled: boolean;
}

function errorLine(id: string, text: string | undefined): string {
  return text ? `<p class="error" id="${id}">${e(text)}</p>` : '';
}

function telegramBlock(lang: Lang, href: string | undefined): string {
  if (!href) return '';
  return [
    '<section class="alt">',
    `<h2>${e(SIGNUP.telegramHeading[lang])}</h2>`,
    `<p>${e(SIGNUP.telegramText[lang])}</p>`,
    `<p><a class="tg" href="${e(href)}" rel="noopener">${e(SIGNUP.telegramLink[lang])}</a></p>`,
    '</section>',
  ].join('\n');
}

export function signupPage(v: SignupView): string {
  const { lang, values, config } = v;
  const err = v.errors ?? {};
  const topicBoxes = config.topics.map((t) => {
    const checked = values.topics.includes(t.id) || values.topics.includes('*');
    return `<label class="choice"><input type="checkbox" name="topics" value="${e(t.id)}"${checked ? ' checked' : ''}> ${e(t.name[lang])}</label>`;
  });
  const radios = (['zh', 'en', 'both'] as const).map(
    (l) => `<label class="choice"><input type="radio" name="language" value="${l}"${values.language === l ? ' checked' : ''}> <span${l === 'zh' ? ' lang="zh-CN"' : l === 'en' ? ' lang="en"' : ''}>${LANGUAGE_LABEL[l]}</span></label>`,
  );
  const invalid = (f: keyof SignupErrors) => (err[f] ? ` aria-invalid="true" aria-describedby="${f}-error"` : '');
  const form = v.emailEnabled
    ? [
        `<form method="post" action="subscribe" novalidate>`,
        `<input type="hidden" name="ui" value="${lang}">`,
        `<input type="hidden" name="started" value="${e(v.formToken)}">`,
        '<div class="field">',
        `<label for="email">${e(SIGNUP.email[lang])}</label>`,
        `<p class="hint" id="email-hint">${e(SIGNUP.emailHint[lang])}</p>`,
        `<input type="email" id="email" name="email" autocomplete="email" inputmode="email" required maxlength="254" value="${e(values.email)}"${err.email ? ' aria-invalid="true" aria-describedby="email-error email-hint"' : ' aria-describedby="email-hint"'}>`,
        errorLine('email-error', err.email),
        '</div>',
        `<fieldset${invalid('topics')}>`,
        `<legend>${e(SIGNUP.topics[lang])}</legend>`,
        `<p class="hint">${e(SIGNUP.topicsHint[lang])}</p>`,
        `<div class="choices">${topicBoxes.join('\n')}</div>`,
        errorLine('topics-error', err.topics),
        '</fieldset>',
        `<fieldset${invalid('language')}>`,
        `<legend>${e(SIGNUP.language[lang])}</legend>`,
        `<p class="hint">${e(SIGNUP.languageHint[lang])}</p>`,
        radios.join('\n'),
        errorLine('language-error', err.language),
        '</fieldset>',
        // A field people never see or reach; simple bots fill every field they find.
        `<div class="hp" aria-hidden="true"><label for="website">${e(SIGNUP.honeypot[lang])}</label><input type="text" id="website" name="website" tabindex="-1" autocomplete="off" value=""></div>`,
        errorLine('form-error', err.form),
        `<button type="submit"${err.form ? ' aria-describedby="form-error"' : ''}>${e(SIGNUP.submit[lang])}</button>`,
        '</form>',
      ].join('\n')
    : `<p>${e(SIGNUP.emailOff[lang])}</p>`;
  const body = [
    `<p>${e(SIGNUP.intro(config.library.name, lang))}</p>`,
    form,
    telegramBlock(lang, v.botHref),
    `<p class="alt"><a href="news${lang === 'zh' ? '?lang=zh' : '?lang=en'}">${e(SIGNUP.archive[lang])}</a></p>`,
  ].join('\n');
  return publicLayout({
    lang, libraryName: config.library.name, title: SIGNUP.title[lang], body,
    switchHref: relHref('subscribe', { lang: lang === 'zh' ? 'en' : 'zh', topic: v.topicParam }),
  });
}

/** After a POST: the same page for a new, pending or already subscribed address. */
export function signupSentPage(config: CrierConfig, lang: Lang, address: string, botHref?: string): string {
  const body = [
    `<p role="status">${e(SIGNUP.sent(address, config.subscriptions.confirmTtlHours, lang))}</p>`,
    `<p>${e(SIGNUP.sentSpam[lang])}</p>`,
    `<p><a href="subscribe?lang=${lang}">${e(SIGNUP.back[lang])}</a></p>`,
    telegramBlock(lang, botHref),
  ].join('\n');
  return publicLayout({ lang, libraryName: config.library.name, title: SIGNUP.sentTitle[lang], body, switchHref: undefined, noindex: true });
}
