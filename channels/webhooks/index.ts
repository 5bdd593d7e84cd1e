// The webhooks as one module: every entry of `channels.webhooks` is a channel of its own.
import { defineChannel } from '../../src/channel-module.js';
import { createWebhookChannels } from './channels.js';
import { webhooksSettings } from './settings.js';

export type { WebhookConfig } from './settings.js';

export const webhooks = defineChannel({
  key: 'webhooks',
  settings: webhooksSettings,
  enabledNames: (hooks) => hooks.filter((h) => h.enabled).map((h) => `webhook:${h.name}`),
  create: (ctx) => createWebhookChannels(ctx.library, ctx.settings),
});
