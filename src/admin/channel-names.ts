// A channel as a librarian calls it, in the page's language: "E-mail", "电子邮件",
// "Chat group or website: eng-faculty". The API and the delivery log keep the names of the code.
import type { UiLang } from './lang.js';

const CHANNEL_NAMES: Record<UiLang, Record<string, string>> = {
  en: { email: 'E-mail', rss: 'RSS feed and news page', slack: 'Slack', telegram: 'Telegram', mastodon: 'Mastodon', webhook: 'Chat group or website' },
  zh: { email: '电子邮件', rss: 'RSS 订阅和新闻页', slack: 'Slack', telegram: 'Telegram', mastodon: 'Mastodon', webhook: '群机器人或网站' },
};

export const channelLabel = (name: string, lang: UiLang = 'en'): string =>
  CHANNEL_NAMES[lang][name] ?? (name.startsWith('webhook:') ? `${CHANNEL_NAMES[lang].webhook}: ${name.slice(8)}` : name);
