// Slack as one module: a Block Kit message to each configured Slack channel whose topics match.
import { defineChannel } from '../../src/channel-module.js';
import { createSlackChannel } from './channel.js';
import { slackSettings } from './settings.js';

export const slack = defineChannel({
  key: 'slack',
  settings: slackSettings,
  enabledNames: (s) => (s.enabled ? ['slack'] : []),
  create: (ctx) => (ctx.settings.enabled ? [createSlackChannel(ctx)] : []),
});
