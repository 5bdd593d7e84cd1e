// Channels built without a Redis connection, for commands that must work with Redis down
// (`crier preview`, `crier check-config`). The client is lazy: it connects only if a channel
// actually issues a command, and gives up at once when nothing answers.
import type { CrierConfig } from '../config/schema.js';
import { RateLimiter } from '../queue/limiter.js';
import { Pacer } from '../queue/pacer.js';
import { asCommandClient, createRedis } from '../redis/connection.js';
import { makeKeys } from '../redis/keys.js';
import { SubscriberStore } from '../store/subscribers.js';
import { createChannels } from '../channel-builder.js';
import type { Channel } from '../types.js';
import { silentLogger } from '../util/log.js';

export interface OfflineChannels {
  channels: Map<string, Channel>;
  close(): Promise<void>;
}

export function offlineChannels(config: CrierConfig): OfflineChannels {
  const redis = asCommandClient(createRedis(config.redis, { offline: true }));
  const keys = makeKeys(config.redis.prefix);
  const pacer = new Pacer(new RateLimiter(redis), keys);
  const channels = createChannels(config, { redis, keys, subscribers: new SubscriberStore(redis, keys), pacer, log: silentLogger });
  return {
    channels,
    async close() {
      await Promise.allSettled([...channels.values()].map((c) => c.close?.()));
      redis.disconnect();
    },
  };
}
