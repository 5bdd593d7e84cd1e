// The words of the e-mail subscription flow (confirmation mail and pages), in English and
// Chinese. A subscriber who chose "both" sees Chinese first, then English, like announcements.
import type { CrierConfig } from '../config/schema.js';
import type { Lang, LangPref } from '../types.js';

export type Topic = CrierConfig['topics'][number];
export type LibraryName = CrierConfig['library']['name'];

/** The languages to show for a preference, in display order (zh, en). */
export function langsOf(pref: LangPref): Lang[] {
  return pref === 'both' ? ['zh', 'en'] : [pref];
}

/** Topic names in one language: "Opening hours, Events"; "*" is "all topics". */
export function topicNames(topics: readonly string[], all: readonly Topic[], lang: Lang): string {
  if (topics.includes('*')) return ALL_TOPICS[lang];
  // In the configuration's order, the order people see topics in everywhere else.
  const rank = (id: string) => {
    const i = all.findIndex((t) => t.id === id);
    return i < 0 ? all.length : i;
  };
  const names = [...topics].sort((a, b) => rank(a) - rank(b)).map((id) => all.find((t) => t.id === id)?.name[lang] ?? id);
  return names.join(lang === 'zh' ? '、' : ', ');
}

export const ALL_TOPICS: Record<Lang, string> = { en: 'all topics', zh: '全部主题' };

export const LANGUAGE_NAME: Record<Lang, Record<LangPref, string>> = {
  en: { en: 'English', zh: 'Chinese', both: 'Chinese and English' },
  zh: { en: '英文', zh: '中文', both: '中英双语' },
};

function hoursText(hours: number): string {
  return Number.isInteger(hours) ? String(hours) : hours.toFixed(1);
}

export const MAIL = {
  subject: (lib: LibraryName, lang: Lang) =>
    lang === 'zh' ? `请确认订阅${lib.zh}通知` : `Confirm your subscription to ${lib.en} announcements`,
  greeting: (lang: Lang) => (lang === 'zh' ? '您好！' : 'Hello,'),
  asked: (lib: LibraryName, topics: string, language: LangPref, lang: Lang) =>
    lang === 'zh'
      ? `有人（希望是您本人）申请用这个邮箱接收${lib.zh}的通知。主题：${topics}；语言：${LANGUAGE_NAME.zh[language]}。`
      : `Someone, hopefully you, asked to receive ${lib.en} announcements at this address. Topics: ${topics}. Language: ${LANGUAGE_NAME.en[language]}.`,
  action: (lang: Lang) => (lang === 'zh' ? '请打开以下链接确认：' : 'To confirm, open this link:'),
  button: (lang: Lang) => (lang === 'zh' ? '确认订阅' : 'Confirm subscription'),
  expires: (hours: number, lang: Lang) =>
    lang === 'zh' ? `此链接 ${hoursText(hours)} 小时内有效。` : `The link works for ${hoursText(hours)} hours.`,
  ignore: (lang: Lang) =>
    lang === 'zh'
      ? '如果这不是您本人的申请，请忽略此邮件：除非您确认，我们不会再给您发送任何邮件。'
      : 'If you did not ask for this, ignore this e-mail: unless you confirm, nothing more will be sent to you.',
};

export const PAGE = {
  confirmedTitle: (lang: Lang) => (lang === 'zh' ? '订阅成功' : "You're subscribed"),
  confirmed: (lib: LibraryName, topics: string, lang: Lang) =>
    lang === 'zh' ? `您已订阅${lib.zh}的通知：${topics}。` : `You're subscribed to ${lib.en} announcements: ${topics}.`,
  languageLine: (language: LangPref, lang: Lang) =>
    lang === 'zh' ? `语言：${LANGUAGE_NAME.zh[language]}。` : `Language: ${LANGUAGE_NAME.en[language]}.`,
  howToLeave: (lang: Lang) =>
    lang === 'zh'
      ? '每封通知邮件底部都有“退订”链接，可随时退订或更改主题和语言。'
      : 'Every announcement e-mail ends with an unsubscribe link: use it to stop or to change topics and language at any time.',

  badLinkTitle: (lang: Lang) => (lang === 'zh' ? '链接无效' : 'This link does not work'),
  badLink: (reason: 'expired' | 'invalid' | 'gone', kind: 'confirm' | 'manage', lang: Lang) => {
    if (reason === 'expired') {
      return lang === 'zh'
        ? '这个确认链接已过期。请重新提交订阅申请，我们会给您发送新的确认邮件。'
        : 'This confirmation link has expired. Please subscribe again and we will send you a new confirmation e-mail.';
    }
    if (reason === 'gone') {
      return lang === 'zh'
        ? '这个链接对应的订阅已不存在或已被更新的操作取代。如需订阅，请重新提交申请。'
        : 'The subscription this link belongs to no longer exists, or a later change replaced it. To subscribe, please sign up again.';
    }
    return kind === 'confirm'
      ? lang === 'zh'
        ? '这个确认链接不完整或已损坏。请直接复制邮件中的完整链接，或重新提交订阅申请。'
        : 'This confirmation link is incomplete or damaged. Copy the whole link from the e-mail, or subscribe again.'
      : lang === 'zh'
        ? '这个退订链接不完整或已损坏。请使用邮件中的完整链接。'
        : 'This unsubscribe link is incomplete or damaged. Please use the whole link from the e-mail.';
  },

  manageTitle: (lang: Lang) => (lang === 'zh' ? '管理订阅' : 'Your subscription'),
  manageIntro: (lib: LibraryName, address: string, lang: Lang) =>
    lang === 'zh' ? `${address} 订阅的${lib.zh}通知。` : `${lib.en} announcements for ${address}.`,
  currently: (topics: string, lang: Lang) => (lang === 'zh' ? `当前主题：${topics}。` : `Current topics: ${topics}.`),
  notSubscribed: (lang: Lang) =>
    lang === 'zh' ? '您目前没有订阅，不会收到通知。' : 'You are not subscribed at the moment and receive no announcements.',
  unsubscribeHeading: (lang: Lang) => (lang === 'zh' ? '退订' : 'Unsubscribe'),
  unsubscribeButton: (lang: Lang) => (lang === 'zh' ? '退订全部通知' : 'Unsubscribe from all announcements'),
  changeHeading: (lang: Lang) => (lang === 'zh' ? '更改主题和语言' : 'Change topics and language'),
  topicsLegend: (lang: Lang) => (lang === 'zh' ? '主题' : 'Topics'),
  languageLegend: (lang: Lang) => (lang === 'zh' ? '语言' : 'Language'),
  saveButton: (lang: Lang) => (lang === 'zh' ? '保存' : 'Save'),
  chooseTopic: (lang: Lang) =>
    lang === 'zh' ? '请至少选择一个主题；如不想再收到通知，请点击“退订”。' : 'Choose at least one topic, or use "Unsubscribe" to stop everything.',

  unsubscribedTitle: (lang: Lang) => (lang === 'zh' ? '已退订' : "You're unsubscribed"),
  unsubscribed: (lib: LibraryName, address: string, lang: Lang) =>
    lang === 'zh' ? `${address} 不会再收到${lib.zh}的通知邮件。` : `${address} will receive no more ${lib.en} announcement e-mails.`,
  changedMind: (lang: Lang) =>
    lang === 'zh' ? '改变主意了？选择主题后保存即可重新订阅：' : 'Changed your mind? Choose topics and save to subscribe again:',

  savedTitle: (lang: Lang) => (lang === 'zh' ? '已保存' : 'Saved'),
  saved: (topics: string, lang: Lang) =>
    lang === 'zh' ? `已保存。您将收到以下主题的通知：${topics}。` : `Saved. You will receive announcements about: ${topics}.`,

  errorTitle: (lang: Lang) => (lang === 'zh' ? '出错了' : 'Something went wrong'),
  error: (lang: Lang) =>
    lang === 'zh' ? '服务器暂时无法处理您的请求，请稍后再试。' : 'The server could not handle your request just now. Please try again in a few minutes.',
};
