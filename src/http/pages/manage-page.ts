// GET/POST /subscriptions/manage: a subscriber's own page, opened from the footer of every
// mail. The same topic and language controls as the sign-up page, "Save", and "Unsubscribe
// from everything". One language a page (the subscriber's, or ?lang=), with a switch.
import type { CrierConfig } from '../../config/schema.js';
import { escapeHtml } from '../../render/markdown.js';
import type { Subscriber } from '../../store/subscribers.js';
import { PAGE, topicNames } from '../../subscriptions/texts.js';
import type { Lang, LangPref } from '../../types.js';
import { publicLayout, relHref } from './public-layout.js';

const e = escapeHtml;
const LANGUAGE_LABEL: Record<LangPref, string> = { zh: '中文', en: 'English', both: 'Both' };

export const MANAGE = {
  unsubscribeAll: { en: 'Unsubscribe from everything', zh: '全部退订' } as Record<Lang, string>,
  unsubscribeHint: {
    en: 'Stops every announcement e-mail to this address. You can subscribe again here at any time.',
    zh: '此邮箱将不再收到任何通知邮件。之后可随时在此页面重新订阅。',
  } as Record<Lang, string>,
  resubscribe: { en: 'Choose topics and press Save to subscribe again.', zh: '选择主题并点击“保存”即可重新订阅。' } as Record<Lang, string>,
};

export interface ManageView {
  config: CrierConfig;
  lang: Lang;
  sub: Subscriber;
  token: string;
  /** What the form shows (after a failed save: what was sent). */
  topics?: string[];
  language?: LangPref;
  topicsError?: boolean;
  /** A status line after a POST. */
  notice?: string;
}

export function managePage(v: ManageView): string {
  const { lang, sub, config } = v;
  const topics = v.topics ?? sub.topics;
  const language = v.language ?? sub.language;
  const active = sub.status === 'active';
  const action = relHref('manage', { token: v.token, lang });
  const boxes = config.topics.map((t) => {
    const on = topics.includes('*') || topics.includes(t.id);
    return `<label class="choice"><input type="checkbox" name="topics" value="${e(t.id)}"${on ? ' checked' : ''}> ${e(t.name[lang])}</label>`;
  });
  const radios = (['zh', 'en', 'both'] as const).map(
    (l) => `<label class="choice"><input type="radio" name="language" value="${l}"${language === l ? ' checked' : ''}> ${LANGUAGE_LABEL[l]}</label>`,
  );
  const body = [
    ...(v.notice ? [`<p role="status"><strong>${e(v.notice)}</strong></p>`] : []),
    `<p>${e(PAGE.manageIntro(config.library.name, sub.address, lang))}</p>`,
    `<p>${e(active ? PAGE.currently(topicNames(sub.topics, config.topics, lang), lang) : `${PAGE.notSubscribed(lang)} ${MANAGE.resubscribe[lang]}`)}</p>`,
    `<form method="post" action="${e(action)}">`,
    `<fieldset${v.topicsError ? ' aria-invalid="true" aria-describedby="topics-error"' : ''}>`,
    `<legend>${e(PAGE.topicsLegend(lang))}</legend>`,
    `<div class="choices">${boxes.join('\n')}</div>`,
    v.topicsError ? `<p class="error" id="topics-error">${e(PAGE.chooseTopic(lang))}</p>` : '',
    '</fieldset>',
    `<fieldset><legend>${e(PAGE.languageLegend(lang))}</legend>`,
    radios.join('\n'),
    '</fieldset>',
    `<button type="submit" name="action" value="save">${e(PAGE.saveButton(lang))}</button>`,
    '</form>',
    ...(active
      ? [
          '<section class="alt">',
          `<h2>${e(PAGE.unsubscribeHeading(lang))}</h2>`,
          `<p>${e(MANAGE.unsubscribeHint[lang])}</p>`,
          `<form method="post" action="${e(action)}">`,
          `<button type="submit" class="danger" name="action" value="unsubscribe">${e(MANAGE.unsubscribeAll[lang])}</button>`,
          '</form>',
          '</section>',
        ]
      : []),
  ].join('\n');
  return publicLayout({
    lang, libraryName: config.library.name, title: PAGE.manageTitle(lang), body, noindex: true,
    switchHref: relHref('manage', { token: v.token, lang: lang === 'zh' ? 'en' : 'zh' }),
  });
}
