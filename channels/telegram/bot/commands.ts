// The bot's commands over the subscriber store: one private chat = one subscriber of channel
// "telegram" (address = chat id). Every command answers, whatever it was given.
import type { InlineKeyboardMarkup } from 'node-telegram-bot-api';
import type { ChannelContext } from '../../../src/channel-module.js';
import type { TopicSettings } from '../../../src/config/shared.js';
import type { Subscriber, SubscriberStatus, SubscriberStore } from '../../../src/store/subscribers.js';
import type { Lang, LangPref } from '../../../src/types.js';
import { decodeStartPayload } from '../deep-link.js';
import { T, say } from './texts.js';

export interface BotReply {
  text: string;
  keyboard?: InlineKeyboardMarkup;
}

type Topic = TopicSettings;
/** What the commands read: the library's defaults and the topics. */
export type BotConfig = Pick<ChannelContext<unknown>, 'library' | 'topics'>;
export const TOPIC_CALLBACK = 'topic:';
const ALL = new Set(['all', '*', '全部']);

export class BotCommands {
  constructor(
    private readonly config: BotConfig,
    private readonly subscribers: SubscriberStore,
  ) {}

  /** Runs `/command args` from private chat `chatId`. */
  async run(chatId: string, command: string, args: string): Promise<BotReply> {
    const sub = await this.subscribers.findByAddress('telegram', chatId);
    const lang = sub?.language ?? this.config.library.defaultLanguage;
    switch (command.toLowerCase()) {
      case 'start': {
        // Sending /start is asking to hear from us: a stopped or blocked subscriber is active again.
        // A deep link from the sign-up page (t.me/<bot>?start=hours-events) adds its topics.
        const linked = decodeStartPayload(args, this.config.topics.map((t) => t.id));
        const topics = linked.length ? [...new Set([...(sub?.topics ?? []), ...linked])] : undefined;
        const s = await this.save(chatId, sub, { status: 'active', topics });
        return { text: say('both', T.welcome(this.config.library.name, this.followed(s))) };
      }
      case 'help':
        return { text: say(lang, T.help) };
      case 'topics':
        return this.topicsReply(sub);
      case 'subscribe': {
        const { ids, unknown } = this.parseTopics(args);
        if (ids.length === 0) {
          return { text: say(lang, unknown.length ? T.unknownTopics(unknown, this.config.topics) : T.subscribeUsage(this.config.topics)) };
        }
        const s = await this.save(chatId, sub, { topics: [...(sub?.topics ?? []), ...ids], status: 'active' });
        return { text: say(s.language, (l) => this.withUnknown(T.following(this.followed(s))(l), unknown, l)) };
      }
      case 'unsubscribe': {
        const { ids, unknown, all } = this.parseTopics(args);
        if (ids.length === 0) return { text: say(lang, unknown.length ? T.unknownTopics(unknown, this.config.topics) : T.unsubscribeUsage) };
        const topics = all ? [] : (sub?.topics ?? []).filter((t) => !ids.includes(t));
        const s = await this.save(chatId, sub, { topics });
        return { text: say(s.language, (l) => this.withUnknown(T.following(this.followed(s))(l), unknown, l)) };
      }
      case 'language': {
        const pref = args.trim().toLowerCase();
        if (pref !== 'en' && pref !== 'zh' && pref !== 'both') return { text: say(lang, T.languageUsage) };
        await this.save(chatId, sub, { language: pref });
        return { text: say(pref, T.languageSet(pref)) };
      }
      case 'stop':
        if (sub) await this.subscribers.setStatus(sub.id, 'unsubscribed');
        return { text: say(lang, T.stopped) };
      default:
        return { text: say(lang, T.unknownCommand(command)) };
    }
  }

  /** A tap on a topic button: switches that topic; answers with a notice and the new list. */
  async toggle(chatId: string, data: string): Promise<{ notice: string; reply: BotReply } | null> {
    const topic = this.config.topics.find((t) => `${TOPIC_CALLBACK}${t.id}` === data);
    if (!topic) return null;
    const sub = await this.subscribers.findByAddress('telegram', chatId);
    const on = !(sub?.status === 'active' && sub.topics.includes(topic.id));
    const current = sub?.status === 'active' ? sub.topics : [];
    const topics = on ? [...current, topic.id] : current.filter((t) => t !== topic.id);
    const s = await this.save(chatId, sub, { topics, status: 'active' });
    return { notice: say(s.language, T.toggled(topic, on)), reply: this.topicsReply(s) };
  }

  /** Reply for anything that is not a command. */
  help(lang: LangPref = this.config.library.defaultLanguage): BotReply {
    return { text: say(lang, T.help) };
  }

  private topicsReply(sub: Subscriber | null): BotReply {
    const lang = sub?.language ?? this.config.library.defaultLanguage;
    const on = (t: Topic) => sub?.status === 'active' && sub.topics.includes(t.id);
    const text = say(lang, (l) => [T.topicsHeader(l), ...this.config.topics.map((t) => T.topicLine(t, on(t))(l)), T.topicsFooter(l)].join('\n'));
    const label = (t: Topic) => (lang === 'both' ? `${t.name.zh} / ${t.name.en}` : t.name[lang]);
    const keyboard: InlineKeyboardMarkup = {
      inline_keyboard: this.config.topics.map((t) => [{ text: `${on(t) ? '✅' : '▫️'} ${label(t)}`, callback_data: `${TOPIC_CALLBACK}${t.id}` }]),
    };
    return { text, keyboard };
  }

  /** Topic ids, English or Chinese names, separated by spaces or commas; "all" is every topic. */
  private parseTopics(args: string): { ids: string[]; unknown: string[]; all: boolean } {
    const whole = this.findTopic(args);
    if (whole) return { ids: [whole.id], unknown: [], all: false };
    const words = args.split(/[\s,，、;；]+/).filter(Boolean);
    if (words.some((w) => ALL.has(w.toLowerCase()))) return { ids: this.config.topics.map((t) => t.id), unknown: [], all: true };
    const ids: string[] = [];
    const unknown: string[] = [];
    for (const w of words) {
      const t = this.findTopic(w);
      if (t) ids.push(t.id);
      else unknown.push(w);
    }
    return { ids: [...new Set(ids)], unknown, all: false };
  }

  private findTopic(word: string): Topic | undefined {
    const w = word.trim().toLowerCase();
    if (!w) return undefined;
    return this.config.topics.find((t) => t.id === w || t.name.en.toLowerCase() === w || t.name.zh === w);
  }

  private followed(s: Subscriber): Topic[] {
    return this.config.topics.filter((t) => s.topics.includes(t.id));
  }

  private withUnknown(text: string, unknown: string[], lang: Lang): string {
    return unknown.length ? `${text}\n${T.unknownTopics(unknown, this.config.topics)(lang)}` : text;
  }

  private async save(
    chatId: string, sub: Subscriber | null, change: { topics?: string[]; language?: LangPref; status?: SubscriberStatus },
  ): Promise<Subscriber> {
    const { subscriber } = await this.subscribers.upsert({
      channel: 'telegram',
      address: chatId,
      topics: change.topics ?? sub?.topics ?? [],
      language: change.language ?? sub?.language ?? this.config.library.defaultLanguage,
      // A new chat that only set its language is active (it talked to us) with no topics yet.
      status: change.status ?? sub?.status ?? 'active',
    });
    return subscriber;
  }
}
