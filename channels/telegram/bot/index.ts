// The Telegram bot where students subscribe. Long polling by default; in webhook mode Telegram
// POSTs updates to TELEGRAM_WEBHOOK_PATH with the X-Telegram-Bot-Api-Secret-Token header,
// which the HTTP server hands to `webhookHandler`.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Bot, longPoll, type Context, type Update } from 'node-telegram-bot-api';
import type { ChannelContext, RunningPart } from '../../../src/channel-module.js';
import { telegramClientOptions } from '../client.js';
import type { TelegramSettings } from '../settings.js';
import { BotCommands, type BotReply } from './commands.js';
import { T, say } from './texts.js';

export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';
const ALLOWED_UPDATES = ['message', 'callback_query'];
const SEEN_TTL_SECONDS = 86_400; // Telegram keeps an unconfirmed update for 24 hours


export interface TelegramBot {
  /** Polling: starts the getUpdates loop. Webhook: registers the webhook URL with Telegram. */
  start(): Promise<void>;
  /** Ends the polling loop (the request in flight is aborted) after the update being handled. */
  stop(): Promise<void>;
  handleUpdate(update: Update): Promise<void>;
  /** For POST TELEGRAM_WEBHOOK_PATH: the parsed JSON body and the secret-token header. */
  webhookHandler(update: unknown, secretHeader: string | string[] | undefined): Promise<{ status: 200 | 400 | 401 | 404 }>;
}

export interface TelegramBotOptions {
  /** getUpdates long-poll seconds (tests use a short one). */
  pollTimeoutSeconds?: number;
}

/** Constant time whatever the lengths: both sides are hashed to 32 bytes first. */
function secretMatches(given: string | string[] | undefined, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(typeof given === 'string' ? given : ''), digest(expected));
}

export function createTelegramBot(config: ChannelContext<TelegramSettings>, opts: TelegramBotOptions = {}): TelegramBot {
  const { settings: cfg, deps: services } = config;
  const log = services.log.child('telegram-bot');
  const webhook = cfg.bot.mode === 'webhook';
  if (!cfg.token) throw new Error('channels.telegram.token: the bot needs its token (from @BotFather)');
  if (webhook && !/^[A-Za-z0-9_-]{1,256}$/.test(cfg.bot.webhookSecret ?? '')) {
    throw new Error('channels.telegram.bot.webhookSecret: webhook mode needs a secret of 1-256 characters A-Z, a-z, 0-9, _ or -');
  }
  const commands = new BotCommands(config, services.subscribers);
  // Replies may retry inside the client (a lost reply is only a lost reply); announcements never do.
  const bot = new Bot(cfg.token, { ...telegramClientOptions(cfg), maxRetries: 2 });
  bot.catch((err, ctx) => log.error('update failed', { update: ctx.update.update_id, error: err instanceof Error ? err.message : String(err) }));

  const reply = (ctx: Context, r: BotReply) => ctx.reply(r.text, r.keyboard ? { reply_markup: r.keyboard } : {});

  bot.on('callback_query', async (ctx) => {
    const q = ctx.callbackQuery!;
    const chat = q.message?.chat;
    const done = chat?.type === 'private' && q.data ? await commands.toggle(String(chat.id), q.data) : null;
    await ctx.answerCallbackQuery(done ? { text: done.notice } : {});
    if (done && q.message) {
      await ctx.api
        .editMessageText({ chat_id: chat!.id, message_id: q.message.message_id, text: done.reply.text, reply_markup: done.reply.keyboard })
        .catch((e: Error) => log.warn('could not refresh the topics message', { error: e.message }));
    }
  });

  bot.on('message', async (ctx) => {
    const msg = ctx.message!;
    const text = msg.text?.trim() ?? '';
    // "/cmd", "/cmd@SomeBot args": in groups only unaddressed commands are answered, and only
    // to say that subscribing happens in a private chat.
    const m = /^\/([A-Za-z0-9_]+)(@\w+)?(?:\s+([\s\S]*))?$/.exec(text);
    if (msg.chat.type !== 'private') {
      if (m && !m[2]) await ctx.reply(say(config.library.defaultLanguage, T.privateOnly));
      return;
    }
    const chatId = String(msg.chat.id);
    if (!m) {
      const sub = await services.subscribers.findByAddress('telegram', chatId);
      return void (await reply(ctx, commands.help(sub?.language)));
    }
    await reply(ctx, await commands.run(chatId, m[1], m[3] ?? ''));
  });

  async function handleUpdate(update: Update): Promise<void> {
    // Telegram delivers at least once (a webhook retry, a restart before the offset was
    // confirmed): each update is handled once.
    const fresh = await services.redis.set(services.keys.telegramUpdate(update.update_id), '1', 'EX', SEEN_TTL_SECONDS, 'NX');
    if (fresh) await bot.handleUpdate(update);
  }

  let controller: AbortController | undefined;
  let pump: Promise<void> | undefined;

  return {
    handleUpdate,

    async start() {
      if (webhook) {
        const url = `${config.library.baseUrl.replace(/\/$/, '')}${TELEGRAM_WEBHOOK_PATH}`;
        await bot.api.setWebhook({ url, secret_token: cfg.bot.webhookSecret, allowed_updates: ALLOWED_UPDATES });
        log.info('webhook registered', { url });
        return;
      }
      if (pump) return;
      // getUpdates answers 409 Conflict while a webhook is set.
      await bot.api.deleteWebhook({ drop_pending_updates: false });
      const ac = (controller = new AbortController());
      const updates = longPoll(bot.api, {
        timeout: opts.pollTimeoutSeconds ?? 30,
        allowedUpdates: ALLOWED_UPDATES,
        onError: (e) => log.warn('getUpdates failed; retrying', { error: e instanceof Error ? e.message : String(e) }),
      }, ac.signal);
      pump = (async () => {
        try {
          for await (const u of updates) await handleUpdate(u);
        } catch (e) {
          // A fatal answer (401 bad token, 409 another poller): the bot stops, the rest runs on.
          if (!ac.signal.aborted) log.error('Telegram polling stopped', { error: e instanceof Error ? e.message : String(e) });
        }
      })();
      log.info('polling for updates');
    },

    async stop() {
      controller?.abort();
      await pump;
      pump = undefined;
    },

    async webhookHandler(update, secretHeader) {
      if (!webhook) return { status: 404 };
      if (!secretMatches(secretHeader, cfg.bot.webhookSecret!)) return { status: 401 };
      if (!update || typeof update !== 'object' || typeof (update as Update).update_id !== 'number') return { status: 400 };
      await handleUpdate(update as Update);
      return { status: 200 };
    },
  };
}

/** For `crier start` and `crier serve` (where the HTTP server runs): starts the bot as a stoppable part. */
export async function startTelegramBot(ctx: ChannelContext<TelegramSettings>): Promise<RunningPart> {
  const bot = createTelegramBot(ctx);
  await bot.start();
  return { name: 'Telegram bot', close: () => bot.stop() };
}
