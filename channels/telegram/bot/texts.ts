// What the bot says, in Chinese and English. A reply in "both" is the Chinese text, then the
// English one, as everywhere else in Crier.
import type { Lang, LangPref } from '../../../src/types.js';

type Topic = { id: string; name: Record<Lang, string> };

/** Renders a reply for a language preference; zh first when both. */
export function say(pref: LangPref, text: (lang: Lang) => string): string {
  return (pref === 'both' ? (['zh', 'en'] as const) : [pref]).map(text).join('\n\n');
}

const list = (lang: Lang, topics: Topic[]): string =>
  topics.length === 0 ? (lang === 'zh' ? '（无）' : '(none)') : topics.map((t) => t.name[lang]).join(lang === 'zh' ? '、' : ', ');

const COMMANDS: Record<Lang, string> = {
  zh: [
    '/topics — 查看并选择主题',
    '/subscribe 主题… — 订阅，例如 /subscribe databases',
    '/unsubscribe 主题…|all — 取消订阅',
    '/language en|zh|both — 选择通知语言',
    '/stop — 不再接收任何通知',
  ].join('\n'),
  en: [
    '/topics — see and choose topics',
    '/subscribe <topic…> — follow topics, e.g. /subscribe databases',
    '/unsubscribe <topic…|all> — stop following topics',
    '/language en|zh|both — language of your messages',
    '/stop — stop all messages',
  ].join('\n'),
};

export const T = {
  welcome: (library: Record<Lang, string>, followed: Topic[]) => (lang: Lang) =>
    lang === 'zh'
      ? `欢迎订阅${library.zh}通知！\n\n${COMMANDS.zh}\n\n你关注的主题：${list('zh', followed)}`
      : `Welcome to ${library.en} announcements!\n\n${COMMANDS.en}\n\nYou follow: ${list('en', followed)}`,
  help: (lang: Lang) => (lang === 'zh' ? `我能听懂这些命令：\n${COMMANDS.zh}` : `I understand these commands:\n${COMMANDS.en}`),
  unknownCommand: (cmd: string) => (lang: Lang) =>
    lang === 'zh' ? `没有 /${cmd} 这个命令。${T.help('zh')}` : `There is no /${cmd} command. ${T.help('en')}`,
  topicsHeader: (lang: Lang) =>
    lang === 'zh' ? '点按主题即可订阅或取消（✅ 为已订阅）：' : 'Tap a topic to follow or unfollow it (✅ = following):',
  topicsFooter: (lang: Lang) =>
    lang === 'zh' ? '也可以输入 /subscribe databases 或 /unsubscribe all。' : 'Or type /subscribe databases or /unsubscribe all.',
  topicLine: (t: Topic, on: boolean) => (lang: Lang) => `${on ? '✅' : '▫️'} ${t.name[lang]} (${t.id})`,
  unknownTopics: (names: string[], all: Topic[]) => (lang: Lang) =>
    lang === 'zh'
      ? `未知主题：${names.join('、')}。可选主题：${all.map((t) => `${t.id}（${t.name.zh}）`).join('、')}`
      : `Unknown topic: ${names.join(', ')}. Topics: ${all.map((t) => `${t.id} (${t.name.en})`).join(', ')}`,
  subscribeUsage: (all: Topic[]) => (lang: Lang) =>
    lang === 'zh'
      ? `请写上主题，例如 /subscribe databases。可选主题：${all.map((t) => `${t.id}（${t.name.zh}）`).join('、')}`
      : `Name the topics, e.g. /subscribe databases. Topics: ${all.map((t) => `${t.id} (${t.name.en})`).join(', ')}`,
  unsubscribeUsage: (lang: Lang) =>
    lang === 'zh' ? '请写上主题，例如 /unsubscribe training，或 /unsubscribe all。' : 'Name the topics, e.g. /unsubscribe training, or /unsubscribe all.',
  following: (followed: Topic[]) => (lang: Lang) =>
    lang === 'zh' ? `你关注的主题：${list('zh', followed)}` : `You follow: ${list('en', followed)}`,
  languageUsage: (lang: Lang) =>
    lang === 'zh' ? '用法：/language en（英文）、/language zh（中文）或 /language both（中英双语）' : 'Usage: /language en (English), /language zh (Chinese) or /language both',
  languageSet: (pref: LangPref) => (lang: Lang) => {
    const names = { zh: { en: '英文', zh: '中文', both: '中英双语' }, en: { en: 'English', zh: 'Chinese', both: 'Chinese and English' } };
    return lang === 'zh' ? `好的，今后的通知使用${names.zh[pref]}。` : `Done: your announcements will come in ${names.en[pref]}.`;
  },
  stopped: (lang: Lang) =>
    lang === 'zh' ? '已停止，不会再给你发送通知。发送 /start 可以重新开始。' : 'Stopped: you will get no more announcements. Send /start to come back.',
  privateOnly: (lang: Lang) =>
    lang === 'zh' ? '请在与我的私聊中订阅通知。' : 'Please talk to me in a private chat to subscribe.',
  toggled: (t: Topic, on: boolean) => (lang: Lang) =>
    lang === 'zh' ? `${on ? '已订阅' : '已取消'}：${t.name.zh}` : `${on ? 'Following' : 'Unfollowed'}: ${t.name.en}`,
};
