// The library's RSS feed as a channel: "sending" adds the announcement to /feeds/rss.xml,
// which Crier itself serves (src/feed/rss.ts renders it with src/render/feed.ts).
import { defineChannel } from '../../src/channel-module.js';
import { createRssChannel } from './channel.js';
import { rssSettings } from './settings.js';

export const rss = defineChannel({
  key: 'rss',
  settings: rssSettings,
  enabledNames: (s) => (s.enabled ? ['rss'] : []),
  create: (ctx) => (ctx.settings.enabled ? [createRssChannel(ctx)] : []),
});
