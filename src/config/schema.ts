// The configuration file's schema (contract: "Configuration"): every key of the contract, with
// its defaults; an error names its path. Validated at start, before Redis is touched. Each
// channel brings its own `channels.<key>` settings (channels/<name>/settings.ts); they are
// merged here from the registry, so a new channel needs no line in this file.
import { z } from 'zod';
import { CHANNELS } from '../../channels/index.js';
import type { AnyChannelModule } from '../channel-module.js';
import { deliverySchema, librarySchema, topicSchema } from './shared.js';

/**
 * True when every key `${prefix}:…` hashes on a part of the prefix: Redis Cluster hashes only
 * what is between the first "{" and the next "}" when that is not empty.
 */
export function hasHashTag(prefix: string): boolean {
  const open = prefix.indexOf('{');
  if (open < 0) return false;
  const close = prefix.indexOf('}', open + 1);
  return close > open + 1;
}

const coreShape = {
  library: librarySchema.prefault({}),
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
      // Braces are for a Redis Cluster hash tag ("{crier}"); harmless on a single Redis.
      prefix: z.string().regex(/^[A-Za-z0-9_.{}-]+$/, 'letters, digits, ., - and _ only (and {} for a cluster hash tag)').optional(),
      /** Redis Cluster seed nodes: when set, `url` is not used (src/redis/connection.ts). */
      cluster: z
        .strictObject({
          nodes: z
            .array(
              z.union([
                z.strictObject({ host: z.string().min(1), port: z.number().int().min(1).max(65535) }),
                z.string().regex(/^rediss?:\/\/[^/]+$/, 'must be redis://host:port or rediss://host:port'),
              ]),
            )
            .min(1, 'at least one node'),
        })
        .optional(),
    })
    .prefault({})
    // With a cluster every key must hash to one slot (BullMQ's and Crier's Lua scripts touch
    // several keys at once): the prefix defaults to "{crier}", and one without a tag is refused
    // rather than silently rewritten, so the keys in redis-cli are the ones the file names.
    .superRefine((r, ctx) => {
      if (r.cluster && r.prefix !== undefined && !hasHashTag(r.prefix)) {
        ctx.addIssue({
          code: 'custom',
          path: ['prefix'],
          message: `redis.prefix must contain a hash tag such as "{${r.prefix.replace(/[{}]/g, '') || 'crier'}}" when redis.cluster is set (got "${r.prefix}"): every key of one Crier deployment must be in one cluster slot`,
        });
      }
    })
    .transform(({ prefix, ...r }) => ({ ...r, prefix: prefix ?? (r.cluster ? '{crier}' : 'crier') })),
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
  topics: z.array(topicSchema).min(1),
  delivery: deliverySchema.prefault({}),
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
};

type CoreConfig = z.output<z.ZodObject<typeof coreShape>>;
type BuiltinChannel = (typeof CHANNELS)[number];
/** `channels.<key>` of every registered channel, as its module's schema gives it. */
export type ChannelsConfig = { [M in BuiltinChannel as M['key']]: z.output<M['settings']> };
export type CrierConfig = CoreConfig & { channels: ChannelsConfig };

/** Which channel modules a configuration was parsed with (a test may register one of its own). */
const MODULES = Symbol('crier.channelModules');
type WithModules = { [MODULES]?: readonly AnyChannelModule[] };

/** The configuration schema with these channels' settings under `channels`. */
export function buildConfigSchema(modules: readonly AnyChannelModule[]): z.ZodType<CrierConfig, unknown> {
  const channels = z.strictObject(Object.fromEntries(modules.map((m) => [m.key, m.settings]))).prefault({});
  return z.strictObject({ ...coreShape, channels }).transform((cfg) => {
    // Not enumerable: a copy of the configuration ({...config}) falls back to the registry.
    Object.defineProperty(cfg, MODULES, { value: modules, enumerable: false });
    return cfg as unknown as CrierConfig;
  });
}

export const configSchema = buildConfigSchema(CHANNELS);

/** The channel modules this configuration knows: the registry's, unless built with others. */
export function channelModules(cfg: CrierConfig): readonly AnyChannelModule[] {
  return (cfg as WithModules)[MODULES] ?? CHANNELS;
}

/** A module's settings in this configuration. */
export function channelSettings(cfg: CrierConfig, module: AnyChannelModule): unknown {
  return (cfg.channels as Record<string, unknown>)[module.key];
}

/** The channels that are switched on, in registry order. */
export function enabledChannelNames(cfg: CrierConfig): string[] {
  return channelModules(cfg).flatMap((m) => m.enabledNames(channelSettings(cfg, m)));
}
