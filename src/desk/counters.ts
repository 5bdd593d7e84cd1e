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

export function counters(config: CrierConfig, ann: Announcement): Counter[] {
  const enabled = enabledChannelNames(config);
  const langs = languagesFor(ann, config.library.defaultLanguage);
  const out: Counter[] = [];
  const add = (c: Omit<Counter, 'over'>) => out.push({ ...c, over: c.count > c.max });
  if (enabled.includes('telegram')) {
    add({ platform: 'telegram', label: 'Telegram', count: telegramLength(ann, langs), max: TELEGRAM_MAX_LENGTH, unit: 'characters as Telegram counts them (an emoji counts 2)', effect: 'sent as several messages' });
  }
  if (enabled.includes('mastodon')) {
    const link = ann.link ?? `${config.library.baseUrl.replace(/\/+$/, '')}/feeds/rss.xml`;
    // With no limit, composeStatus gives the whole status, which is what is measured.
    const full = composeStatus(statusParts(ann, langs, link), Number.MAX_SAFE_INTEGER);
    add({ platform: 'mastodon', label: 'Mastodon', count: mastodonLength(full), max: DEFAULT_MAX_CHARACTERS, unit: 'characters (every link counts 23)', effect: 'shortened, with a link to the full text' });
  }
  if (config.channels.webhooks.some((w) => w.kind === 'wecom' && enabled.includes(`webhook:${w.name}`))) {
    add({ platform: 'wecom', label: 'WeCom (企业微信)', count: wecomLength(ann, langs), max: WECOM_MAX_BYTES, unit: 'bytes (a Chinese character counts 3)', effect: 'shortened, with a link to the full text' });
  }
  return out;
}
