// The configuration file's schema (contract: "Configuration"): every key of the contract, with
// its defaults; an error names its path. Validated at start, before Redis is touched. Each
// channel brings its own `channels.<key>` settings (channels/<name>/settings.ts); they are
// merged here from the registry, so a new channel needs no line in this file.
import { z } from 'zod';
import { CHANNELS } from '../../channels/index.js';
import type { AnyChannelModule } from '../channel-module.js';
import { deliverySchema, librarySchema, topicSchema } from './shared.js';

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
