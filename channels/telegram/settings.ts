// The Telegram channel's settings: `channels.telegram` in the configuration, the bot included.
import { z } from 'zod';
import { httpUrl, langPref, topicFilter } from '../../src/config/shared.js';

export const telegramSettings = z
  .strictObject({
    enabled: z.boolean().default(false),
    token: z.string().default(''),
    apiUrl: httpUrl.default('https://api.telegram.org'),
    language: langPref.optional(),
    /** Telegram's limits (its Bot FAQ): about 30 messages a second per bot; a paid broadcast allows up to 1000. */
    perSecond: z.number().positive().default(30),
    /** About one message a second to one chat. */
    perChatPerSecond: z.number().positive().default(1),
    /** A group (and, to be safe, a channel) takes at most 20 messages a minute. */
    perGroupPerMinute: z.number().positive().default(20),
    targets: z
      .array(
        z.strictObject({
          chatId: z.union([z.string().min(1), z.number().int()]).transform(String),
          topics: topicFilter,
          language: langPref.optional(),
        }),
      )
      .default([]),
    bot: z
      .strictObject({
        enabled: z.boolean().default(false),
        mode: z.enum(['polling', 'webhook']).default('polling'),
        webhookSecret: z.string().optional(),
        /** The bot's @username without the @ (BotFather shows it): the sign-up page links t.me/<username>. */
        username: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/, 'the bot username without @: 5-32 letters, digits or _').optional(),
      })
      .default({ enabled: false, mode: 'polling' }),
  })
  .prefault({});

export type TelegramSettings = z.output<typeof telegramSettings>;
