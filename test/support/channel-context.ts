// A channel module's context from a whole test configuration: what src/channel-builder.ts gives
// each channel, for tests that build one channel directly.
import { CHANNELS } from '../../channels/index.js';
import { channelContext } from '../../src/channel-builder.js';
import type { ChannelContext, ChannelDeps } from '../../src/channel-module.js';
import type { ChannelsConfig, CrierConfig } from '../../src/config/schema.js';
import { RateLimiter } from '../../src/queue/limiter.js';
import { Pacer } from '../../src/queue/pacer.js';

export function ctxFor<K extends keyof ChannelsConfig>(
  config: CrierConfig, key: K, deps: Partial<ChannelDeps> = {},
): ChannelContext<ChannelsConfig[K]> {
  const module = CHANNELS.find((m) => m.key === key)!;
  // As the composition root does: the shared pacer over the given Redis.
  const pacer = deps.pacer ?? (deps.redis && deps.keys ? new Pacer(new RateLimiter(deps.redis), deps.keys) : undefined);
  return channelContext<ChannelsConfig[K]>(config, module, { ...deps, pacer } as ChannelDeps);
}
