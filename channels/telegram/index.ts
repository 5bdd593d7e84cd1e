// Telegram as one module: broadcast targets (channels, groups) and the bot's subscribers. The
// bot runs where the HTTP server runs: it polls (`start`), or in webhook mode Telegram POSTs
// its updates to the route below.
import { defineChannel } from '../../src/channel-module.js';
import { createTelegramBot, startTelegramBot, TELEGRAM_WEBHOOK_PATH } from './bot/index.js';
import { createTelegramChannel } from './channel.js';
import { botLink } from './deep-link.js';
import { telegramSettings, type TelegramSettings } from './settings.js';

const botOn = (s: TelegramSettings) => s.enabled && s.bot.enabled;

export const telegram = defineChannel({
  key: 'telegram',
  settings: telegramSettings,
  enabledNames: (s) => (s.enabled ? ['telegram'] : []),
  create: (ctx) => (ctx.settings.enabled ? [createTelegramChannel(ctx)] : []),
  routes(ctx) {
    if (!botOn(ctx.settings) || ctx.settings.bot.mode !== 'webhook') return [];
    // Telegram POSTs updates here with its secret-token header; the bot checks it.
    const bot = createTelegramBot(ctx);
    return [{
      method: 'POST',
      path: TELEGRAM_WEBHOOK_PATH,
      handle: (body, headers) => bot.webhookHandler(body, headers['x-telegram-bot-api-secret-token']),
    }];
  },
  start: (ctx) => (botOn(ctx.settings) ? startTelegramBot(ctx) : Promise.resolve(null)),
  subscribers: { addressColumn: 'address', signupLink: botLink },
});
