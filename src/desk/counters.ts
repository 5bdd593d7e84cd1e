// The compose page's length counters: one per platform that counts differently, measured the
// way that platform measures (src/render/measure.ts) on the text it would receive. `over` means
// the platform will split (Telegram) or cut (Mastodon, WeCom) the message.
import { wecomLength, WECOM_MAX_BYTES } from '../../channels/webhooks/wecom.js';
import { enabledChannelNames, type CrierConfig } from '../config/schema.js';
import { languagesFor } from '../render/language.js';
import { composeStatus, DEFAULT_MAX_CHARACTERS, statusParts } from '../render/mastodon.js';
import { mastodonLength } from '../render/measure.js';
import { telegramLength, TELEGRAM_MAX_LENGTH } from '../render/telegram.js';
import type { Announcement } from '../types.js';

export interface Counter {
  platform: 'telegram' | 'mastodon' | 'wecom';
  label: string;
  count: number;
  max: number;
  unit: string;
  over: boolean;
  /** What happens when over. */
  effect: string;
}

const WORDS = {
  en: {
    telegram: ['characters as Telegram counts them (an emoji counts 2)', 'sent as several messages'],
    mastodon: ['characters (every link counts 23)', 'shortened, with a link to the full text'],
    wecom: ['bytes (a Chinese character counts 3)', 'shortened, with a link to the full text'],
  },
  zh: {
    telegram: ['按 Telegram 的计数方式（一个表情符号计 2）', '拆成多条消息发送'],
    mastodon: ['字符（每个链接计 23）', '截短，并附全文链接'],
    wecom: ['字节（一个汉字计 3）', '截短，并附全文链接'],
  },
} as const;

export function counters(config: CrierConfig, ann: Announcement, lang: 'en' | 'zh' = 'en'): Counter[] {
  const w = WORDS[lang];
  const enabled = enabledChannelNames(config);
  const langs = languagesFor(ann, config.library.defaultLanguage);
  const out: Counter[] = [];
  const add = (c: Omit<Counter, 'over'>) => out.push({ ...c, over: c.count > c.max });
  if (enabled.includes('telegram')) {
    add({ platform: 'telegram', label: 'Telegram', count: telegramLength(ann, langs), max: TELEGRAM_MAX_LENGTH, unit: w.telegram[0], effect: w.telegram[1] });
  }
  if (enabled.includes('mastodon')) {
    const link = ann.link ?? `${config.library.baseUrl.replace(/\/+$/, '')}/feeds/rss.xml`;
    // With no limit, composeStatus gives the whole status, which is what is measured.
    const full = composeStatus(statusParts(ann, langs, link), Number.MAX_SAFE_INTEGER);
    add({ platform: 'mastodon', label: 'Mastodon', count: mastodonLength(full), max: DEFAULT_MAX_CHARACTERS, unit: w.mastodon[0], effect: w.mastodon[1] });
  }
  if (config.channels.webhooks.some((w) => w.kind === 'wecom' && enabled.includes(`webhook:${w.name}`))) {
    add({ platform: 'wecom', label: 'WeCom (企业微信)', count: wecomLength(ann, langs), max: WECOM_MAX_BYTES, unit: w.wecom[0], effect: w.wecom[1] });
  }
  return out;
}
