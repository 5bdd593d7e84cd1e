// The e-mail channel as one module: subscribers who signed up on the web get announcements by
// SMTP (or as .eml files in an outbox folder, the demo).
import { defineChannel } from '../../src/channel-module.js';
import { createEmailChannel } from './channel.js';
import { emailSettings } from './settings.js';

export const email = defineChannel({
  key: 'email',
  settings: emailSettings,
  enabledNames: (s) => (s.enabled ? ['email'] : []),
  create: (ctx) => (ctx.settings.enabled ? [createEmailChannel(ctx)] : []),
  subscribers: { addressColumn: 'email' },
});
