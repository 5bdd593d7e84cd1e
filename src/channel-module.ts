// What a channel is, as one module value (channels/<name>/index.ts), and what it is given to work
// with. Every channel and the registry import these types from here; this file imports nothing
// of theirs, so no import cycle can run through it.
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import type { DeliverySettings, LibrarySettings, TopicSettings } from './config/shared.js';
import type { Pacer } from './queue/pacer.js';
import type { Keys } from './redis/keys.js';
import type { SubscriberStore } from './store/subscribers.js';
import type { Channel, Recipient } from './types.js';
import type { Logger } from './util/log.js';

/** Per-recipient links the subscription flow adds to announcement e-mails (footer, List-Unsubscribe). */
export interface EmailExtras {
  unsubscribeUrl?(recipient: Recipient): string | undefined;
  /** The subscriber's manage page (topics, language, unsubscribe), linked in the footer. */
  manageUrl?(recipient: Recipient): string | undefined;
}

/** The running parts a channel may use; given by the composition root (src/services.ts). */
export interface ChannelDeps {
  redis: Redis;
  keys: Keys;
  subscribers: SubscriberStore;
  /** The shared limits: a channel sending more than one message per delivery (Telegram's parts) waits here. */
  pacer: Pacer;
  log: Logger;
  /** Where subscribers get e-mail: their links. None in previews. */
  emailExtras?: EmailExtras;
}

/** Everything a channel module is built from: its own settings and the shared ones. */
export interface ChannelContext<S> {
  /** This module's settings: `channels.<key>` of the configuration, parsed by its schema. */
  settings: S;
  library: LibrarySettings;
  delivery: DeliverySettings;
  topics: TopicSettings[];
  deps: ChannelDeps;
}

/** An HTTP route a channel answers (Telegram's webhook), without tying the channel to the server. */
export interface ChannelRoute {
  method: 'POST';
  path: string;
  handle(body: unknown, headers: Record<string, string | string[] | undefined>): Promise<{ status: number }>;
}

/** Something a channel keeps running beside the HTTP server (the Telegram bot's poller). */
export interface RunningPart {
  name: string;
  close(): Promise<void>;
}

/** For channels people subscribe to themselves (e-mail, the Telegram bot). */
export interface SubscriptionHooks<S> {
  /** What the subscriber list and CSV export call the address column. */
  addressColumn: 'email' | 'address';
  /** The sign-up page's link to subscribe here for these topics, if this channel offers one. */
  signupLink?(ctx: Omit<ChannelContext<S>, 'deps'>, topics: readonly string[]): string | undefined;
}

/**
 * One channel, one folder, one value: registered with one line in channels/index.ts.
 * `settings` is merged into the configuration schema under `channels.<key>`; it must accept
 * an absent section (a default), so a configuration that does not mention the channel is valid.
 */
export interface ChannelModule<S extends z.ZodType = z.ZodType> {
  readonly key: string;
  readonly settings: S;
  /** The channel names these settings switch on, in order (one per webhook for `webhooks`). */
  enabledNames(settings: z.output<S>): string[];
  /** The enabled channels, built. */
  create(ctx: ChannelContext<z.output<S>>): Channel[];
  /** HTTP routes, where the server runs (serve, start). */
  routes?(ctx: ChannelContext<z.output<S>>): ChannelRoute[];
  /** Parts that run where the HTTP server runs, never in a bare worker (one poller per bot). */
  start?(ctx: ChannelContext<z.output<S>>): Promise<RunningPart | null>;
  subscribers?: SubscriptionHooks<z.output<S>>;
}

/** Typed at the definition (its key stays a literal, for the configuration's type), stored in lists as any module. */
export function defineChannel<K extends string, S extends z.ZodType>(module: ChannelModule<S> & { key: K }): ChannelModule<S> & { key: K } {
  return module;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list holds modules of every settings type
export type AnyChannelModule = ChannelModule<any>;
