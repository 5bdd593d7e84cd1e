// Mastodon as one module: one status on the library's account per announcement.
import { defineChannel } from '../../src/channel-module.js';
import { createMastodonChannel } from './channel.js';
import { mastodonSettings } from './settings.js';

export const mastodon = defineChannel({
  key: 'mastodon',
  settings: mastodonSettings,
  enabledNames: (s) => (s.enabled ? ['mastodon'] : []),
  create: (ctx) => (ctx.settings.enabled ? [createMastodonChannel(ctx)] : []),
});
