// The words of the public sign-up page, in English and Chinese (one language per page).
import type { Lang } from '../types.js';
import type { LibraryName } from './texts.js';

type T = Record<Lang, string>;

export const SIGNUP = {
  title: { en: 'Subscribe to library announcements', zh: '订阅图书馆通知' } as T,
  intro: (lib: LibraryName, lang: Lang) =>
    lang === 'zh'
      ? `通过邮件接收${lib.zh}的通知：开放时间调整、活动、数据库试用等。提交后我们会先发一封确认邮件，确认之前不会再发送任何邮件。`
      : `Get ${lib.en} announcements by e-mail: changes to opening hours, events, database trials and more. We first send one confirmation e-mail; nothing else arrives until you confirm.`,
  email: { en: 'E-mail', zh: '邮箱' } as T,
  emailHint: { en: 'Your university address works best, e.g. name@example.edu', zh: '建议使用学校邮箱，例如 name@example.edu' } as T,
  topics: { en: 'Topics', zh: '主题' } as T,
  topicsHint: { en: 'Choose one or more.', zh: '可多选。' } as T,
  language: { en: 'Language of the announcements', zh: '通知语言' } as T,
  languageHint: { en: 'Both: Chinese first, then English.', zh: 'Both：中英双语，中文在前。' } as T,
  submit: { en: 'Subscribe', zh: '订阅' } as T,
  honeypot: { en: 'Leave this field empty', zh: '此项请留空' } as T,
  telegramHeading: { en: 'Prefer Telegram?', zh: '更习惯用 Telegram？' } as T,
  telegramText: { en: 'Our bot sends the same announcements as chat messages.', zh: '图书馆机器人会以聊天消息的形式推送同样的通知。' } as T,
  telegramLink: { en: 'Open the library bot in Telegram', zh: '在 Telegram 中打开图书馆机器人' } as T,
  emailOff: { en: 'E-mail subscriptions are not available here.', zh: '此处暂不提供邮件订阅。' } as T,

  badEmail: { en: 'Enter an e-mail address like name@example.edu.', zh: '请输入有效的邮箱地址，例如 name@example.edu。' } as T,
  noTopic: { en: 'Choose at least one topic.', zh: '请至少选择一个主题。' } as T,
  badLanguage: { en: 'Choose 中文, English or Both.', zh: '请选择 中文、English 或 Both。' } as T,
  tooFast: { en: 'Please check your choices and press Subscribe again.', zh: '请检查您的选择，然后再次点击“订阅”。' } as T,
  expired: { en: 'This form was open too long. Please press Subscribe again.', zh: '表单打开时间过长，请再次点击“订阅”。' } as T,
  tooMany: (seconds: number, lang: Lang) =>
    lang === 'zh' ? `请求过于频繁，请在 ${seconds} 秒后重试。` : `Too many requests from your network. Please try again in ${seconds} seconds.`,

  sentTitle: { en: 'Check your inbox', zh: '请查收邮件' } as T,
  sent: (address: string, hours: number, lang: Lang) =>
    lang === 'zh'
      ? `确认邮件正在发往 ${address}。请打开邮件中的链接完成订阅（${hours} 小时内有效）。`
      : `A confirmation e-mail is on its way to ${address}. Open the link in it to start receiving announcements (it works for ${hours} hours).`,
  sentSpam: {
    en: 'Nothing after a few minutes? Look in your spam folder, or check the address and subscribe again.',
    zh: '几分钟后仍未收到？请查看垃圾邮件文件夹，或检查地址后重新订阅。',
  } as T,
  back: { en: 'Back to the sign-up form', zh: '返回订阅页面' } as T,
  archive: { en: 'Read past announcements', zh: '查看往期通知' } as T,
};
