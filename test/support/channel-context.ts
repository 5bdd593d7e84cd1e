// A channel module's context from a whole test configuration: what src/channel-builder.ts gives
// each channel, for tests that build one channel directly.
import { CHANNELS } from '../../channels/index.js';
import { channelContext } from '../../src/channel-builder.js';
import type { ChannelContext, ChannelDeps } from '../../src/channel-module.js';
import type { ChannelsConfig, CrierConfig } from '../../src/config/schema.js';

export function ctxFor<K extends keyof ChannelsConfig>(
  config: CrierConfig, key: K, deps: Partial<ChannelDeps> = {},
): ChannelContext<ChannelsConfig[K]> {
  const module = CHANNELS.find((m) => m.key === key)!;
  return channelContext<ChannelsConfig[K]>(config, module, deps as ChannelDeps);
}
