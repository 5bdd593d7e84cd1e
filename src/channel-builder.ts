// Builds the channels a configuration switches on, from the modules it was parsed with
// (channels/index.ts, or a test's own list): each gets its settings and the shared parts.
import type { AnyChannelModule, ChannelContext, ChannelDeps, ChannelRoute, RunningPart } from './channel-module.js';
import { channelModules, channelSettings, type CrierConfig } from './config/schema.js';
import type { Channel } from './types.js';

/** A module's settings and the shared ones: all a pure hook (the sign-up link) needs. */
function settingsContext<S>(config: CrierConfig, module: AnyChannelModule): Omit<ChannelContext<S>, 'deps'> {
  return { settings: channelSettings(config, module) as S, library: config.library, delivery: config.delivery, topics: config.topics };
}

/** What a module is built from in this configuration. */
export function channelContext<S = unknown>(config: CrierConfig, module: AnyChannelModule, deps: ChannelDeps): ChannelContext<S> {
  return { ...settingsContext<S>(config, module), deps };
}

/** The enabled channels by name. */
export function createChannels(config: CrierConfig, deps: ChannelDeps): Map<string, Channel> {
  const map = new Map<string, Channel>();
  for (const module of channelModules(config)) {
    for (const ch of module.create(channelContext(config, module, deps))) map.set(ch.name, ch);
  }
  return map;
}

/** Every route the channels answer (the HTTP server registers them). */
export function channelRoutes(config: CrierConfig, deps: ChannelDeps): ChannelRoute[] {
  return channelModules(config).flatMap((m) => m.routes?.(channelContext(config, m, deps)) ?? []);
}

/** Starts what the channels keep running beside the HTTP server (the Telegram bot). */
export async function startChannelParts(config: CrierConfig, deps: ChannelDeps): Promise<RunningPart[]> {
  const parts: RunningPart[] = [];
  for (const m of channelModules(config)) {
    const part = await m.start?.(channelContext(config, m, deps));
    if (part) parts.push(part);
  }
  return parts;
}

/** The channels people subscribe to themselves, with what the pages need to know of them. */
export function subscriptionChannels(config: CrierConfig): { key: string; addressColumn: 'email' | 'address' }[] {
  return channelModules(config).flatMap((m) => (m.subscribers ? [{ key: m.key, addressColumn: m.subscribers.addressColumn }] : []));
}

/** The sign-up page's link to subscribe on this channel (the Telegram bot's deep link), if any. */
export function signupLink(config: CrierConfig, key: string, topics: readonly string[]): string | undefined {
  const m = channelModules(config).find((x) => x.key === key);
  if (!m?.subscribers?.signupLink) return undefined;
  return m.subscribers.signupLink(settingsContext(config, m), topics);
}
