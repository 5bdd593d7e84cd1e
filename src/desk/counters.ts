// The compose page's length counters: one per platform that counts differently, measured the
// way that platform measures (src/render/measure.ts) on the text it would receive. `over` means
// the platform will split (Telegram) or cut (Mastodon, WeCom) the message.
import type { CrierConfig } from '../config/schema.js';
import { languagesFor } from '../render/language.js';
import type { Announcement, Channel, LengthCount } from '../types.js';

export interface Counter {
  platform: string;
  label: string;
  count: number;
  max: number;
  unit: string;
  over: boolean;
  /** What happens when over. */
  effect: string;
}

/** One counter per platform that measures (Channel.measure), for the channels it goes to. */
export function counters(
  config: CrierConfig, channels: ReadonlyMap<string, Channel>, ann: Announcement, lang: 'en' | 'zh' = 'en',
): Counter[] {
  const langs = languagesFor(ann, config.library.defaultLanguage);
  const byPlatform = new Map<string, LengthCount>();
  for (const channel of channels.values()) {
    const c = channel.measure?.(ann, langs);
    if (c && !byPlatform.has(c.platform)) byPlatform.set(c.platform, c);
  }
  return [...byPlatform.values()].map((c) => ({
    platform: c.platform, label: c.label, count: c.count, max: c.max,
    unit: c.unit[lang], effect: c.effect[lang], over: c.count > c.max,
  }));
}
