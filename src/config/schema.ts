// The configuration file's schema (contract: "Configuration"): every key of the contract, with
// its defaults; an error names its path. Validated at start, before Redis is touched.
import { z } from 'zod';

const localizedName = z.strictObject({ en: z.string().min(1), zh: z.string().min(1) });
const langPref = z.enum(['en', 'zh', 'both']);
const topicFilter = z.array(z.string().min(1)).min(1).default(['*']);
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const emailChannel = z
  .strictObject({
    enabled: z.boolean().default(false),
    smtpUrl: z.string().min(1).optional(),
    outbox: z.string().min(1).optional(),
    from: z.string().min(3).default('Library <library@example.edu>'),
    replyTo: z.string().optional(),
    /** Messages per second over all workers. */
    perSecond: z.number().positive().default(20),
    /** Simultaneous SMTP connections per worker process. */
    poolSize: z.number().int().min(1).max(50).default(5),
  })
  .superRefine((v, ctx) => {
    if (v.enabled && !v.smtpUrl && !v.outbox) {
      ctx.addIssue({ code: 'custom', path: ['smtpUrl'], message: 'set smtpUrl or outbox when e-mail is enabled' });
    }
    if (v.smtpUrl && !/^smtps?:\/\//.test(v.smtpUrl)) {
      ctx.addIssue({ code: 'custom', path: ['smtpUrl'], message: 'must start with smtp:// or smtps://' });
    }
  });

const rssChannel = z.strictObject({
  enabled: z.boolean().default(false),
  items: z.number().int().min(1).max(1000).default(50),
});

const slackChannel = z.strictObject({
  enabled: z.boolean().default(false),
  token: z.string().default(''),
  apiUrl: httpUrl.default('https://slack.com/api/'),
  language: langPref.optional(),
  targets: z
    .array(z.strictObject({ channel: z.string().min(1), topics: topicFilter, language: langPref.optional() }))
    .default([]),
});

const telegramChannel = z.strictObject({
  enabled: z.boolean().default(false),
  token: z.string().default(''),
  apiUrl: httpUrl.default('https://api.telegram.org'),
  language: langPref.optional(),
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
});

const mastodonChannel = z.strictObject({
  enabled: z.boolean().default(false),
  instanceUrl: httpUrl.default('https://mastodon.example'),
  accessToken: z.string().default(''),
  visibility: z.enum(['public', 'unlisted', 'private', 'direct']).default('public'),
  language: langPref.optional(),
  topics: topicFilter,
});

const webhook = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'letters, digits, - and _ only'),
  kind: z.enum(['wecom', 'dingtalk', 'feishu', 'json']),
  url: httpUrl,
  secret: z.string().optional(),
  enabled: z.boolean().default(true),
  language: langPref.optional(),
  topics: topicFilter,
});

export const configSchema = z.strictObject({
  library: z
    .strictObject({
      name: localizedName.default({ en: 'University Library', zh: '大学图书馆' }),
      baseUrl: httpUrl.default('http://localhost:8080'),
      timezone: z
        .string()
        .refine(isTimeZone, { error: 'must be an IANA time zone name, e.g. Asia/Shanghai or Europe/Berlin' })
        .default('Asia/Shanghai'),
      defaultLanguage: langPref.default('both'),
    })
    .prefault({}),
  server: z
    .strictObject({
      host: z.string().default('0.0.0.0'),
      port: z.number().int().min(0).max(65535).default(8080),
      /** Behind a reverse proxy: trust its X-Forwarded-For/-Proto headers. */
      trustProxy: z.boolean().default(false),
    })
    .prefault({}),
  redis: z
    .strictObject({
      url: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').default('redis://127.0.0.1:6379'),
      prefix: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, ., - and _ only').default('crier'),
    })
    .prefault({}),
  auth: z
    .strictObject({
      tokens: z
        .array(
          z.strictObject({
            name: z.string().min(1),
            role: z.enum(['librarian', 'admin']),
            token: z.string().min(16, 'must be at least 16 characters'),
          }),
        )
        .default([]),
    })
    .prefault({}),
  topics: z
    .array(z.strictObject({ id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _'), name: localizedName }))
    .min(1),
  channels: z
    .strictObject({
      email: emailChannel.prefault({}),
      rss: rssChannel.prefault({}),
      slack: slackChannel.prefault({}),
      telegram: telegramChannel.prefault({}),
      mastodon: mastodonChannel.prefault({}),
      webhooks: z.array(webhook).default([]),
    })
    .prefault({}),
  delivery: z
    .strictObject({
      /** Tries per delivery before it is failed. */
      attempts: z.number().int().min(1).max(50).default(8),
      /** First retry delay; doubles each try, with jitter. */
      backoffMs: z.number().int().min(1).default(2000),
      /** Recipients per delivery job. */
      batchSize: z.number().int().min(1).max(1000).default(50),
      /** Subscribers read per fan-out page. */
      pageSize: z.number().int().min(1).max(10000).default(500),
      /** Days a delivery log and its announcement are kept. */
      retentionDays: z.number().positive().default(30),
      /** A job whose worker died is taken over after this long (BullMQ lock duration). */
      lockMs: z.number().int().min(500).default(30_000),
    })
    .prefault({}),
  subscriptions: z
    .strictObject({
      /** HMAC secret for confirm and unsubscribe tokens. */
      secret: z.string().min(16, 'must be at least 16 characters').optional(),
      confirmTtlHours: z.number().positive().default(72),
      /** The sign-up page refuses a form sent sooner than this after it was shown (bots fill at once). */
      minFillSeconds: z.number().min(0).max(60).default(3),
    })
    .prefault({}),
  alerts: z
    .strictObject({
      /** E-mail the author and `to` when an announcement ends with failures (needs channels.email). */
      enabled: z.boolean().default(true),
      /** Addresses told about every failure, besides the announcement's author. */
      to: z.array(z.email({ error: 'must be an e-mail address' })).default([]),
      /** At most one alert per channel in this many minutes. */
      perChannelMinutes: z.number().positive().default(60),
      /** Also alert when every delivery attempt of a channel has failed for this many minutes. */
      failingMinutes: z.number().positive().default(15),
    })
    .prefault({}),
  metrics: z
    .strictObject({
      /** GET /metrics answers anyone; false: only with an admin token (Authorization: Bearer). */
      public: z.boolean().default(true),
    })
    .prefault({}),
});

export type CrierConfig = z.output<typeof configSchema>;
export type WebhookConfig = CrierConfig['channels']['webhooks'][number];

/** The channels that are switched on. */
export function enabledChannelNames(cfg: CrierConfig): string[] {
  const c = cfg.channels;
  const names: string[] = [];
  if (c.email.enabled) names.push('email');
  if (c.rss.enabled) names.push('rss');
  if (c.slack.enabled) names.push('slack');
  if (c.telegram.enabled) names.push('telegram');
  if (c.mastodon.enabled) names.push('mastodon');
  for (const w of c.webhooks) if (w.enabled) names.push(`webhook:${w.name}`);
  return names;
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
