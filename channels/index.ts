// The channel registry: one line per channel builds the enabled ones. (A new channel still
// needs its settings in src/config/schema.ts and its renderer; issue 12 makes it one folder.)
import type { CrierConfig } from '../src/config/schema.js';
import type { Channel } from '../src/types.js';
import type { ChannelDeps } from './deps.js';
import { createEmailChannel } from './email.js';
import { createRssChannel } from './rss.js';
import { createMastodonChannel } from './mastodon.js';
import { createSlackChannel } from './slack.js';
import { createTelegramChannel } from './telegram.js';
import { createWebhookChannels } from './webhooks/index.js';

export type { ChannelDeps } from './deps.js';

type Factory = (config: CrierConfig, deps: ChannelDeps) => Channel[];

const FACTORIES: Record<string, Factory> = {
  email: (c, d) => (c.channels.email.enabled ? [createEmailChannel(c, d)] : []),
  rss: (c, d) => (c.channels.rss.enabled ? [createRssChannel(c, d)] : []),
  slack: (c, d) => (c.channels.slack.enabled ? [createSlackChannel(c, d)] : []),
  telegram: (c, d) => (c.channels.telegram.enabled ? [createTelegramChannel(c, d)] : []),
  mastodon: (c, d) => (c.channels.mastodon.enabled ? [createMastodonChannel(c, d)] : []),
  webhooks: (c, d) => createWebhookChannels(c, d),
};

export function createChannels(config: CrierConfig, deps: ChannelDeps): Map<string, Channel> {
  const map = new Map<string, Channel>();
  for (const factory of Object.values(FACTORIES)) {
    for (const ch of factory(config, deps)) map.set(ch.name, ch);
  }
  return map;
}
