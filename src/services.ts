// Builds everything a process needs from one configuration: connections, stores, queues,
// channels, the producer. HTTP server, workers and CLI all start from here.
import type { Redis } from 'ioredis';
import type { CrierConfig } from './config/schema.js';
import { asCommandClient, createRedis } from './redis/connection.js';
import { makeKeys, type Keys } from './redis/keys.js';
import { AnnouncementStore } from './store/announcements.js';
import { DeliveryLog } from './store/deliveries.js';
import { SubscriberStore } from './store/subscribers.js';
import { batchSizeFor, Queues } from './queue/queues.js';
import { RateLimiter } from './queue/limiter.js';
import { Producer } from './producer.js';
import { createChannels } from './channel-builder.js';
import type { ChannelDeps } from './channel-module.js';
import { retentionSeconds as retentionOf } from './config/shared.js';
import { subscriptionEmailExtras } from './subscriptions/email-extras.js';
import type { Channel } from './types.js';
import { createLogger, type Logger } from './util/log.js';

export interface Services {
  config: CrierConfig;
  redis: Redis;
  keys: Keys;
  log: Logger;
  announcements: AnnouncementStore;
  deliveries: DeliveryLog;
  subscribers: SubscriberStore;
  queues: Queues;
  limiter: RateLimiter;
  producer: Producer;
  /** Built channels by name (only enabled ones). */
  channels: Map<string, Channel>;
  /** What the channels were built with: for their routes and running parts. */
  channelDeps: ChannelDeps;
  close(): Promise<void>;
}

export function createServices(config: CrierConfig, opts: { log?: Logger } = {}): Services {
  const log = opts.log ?? createLogger();
  const redis = asCommandClient(createRedis(config.redis));
  const keys = makeKeys(config.redis.prefix);
  const retentionSeconds = retentionOf(config.delivery);
  const announcements = new AnnouncementStore(redis, keys);
  const deliveries = new DeliveryLog(redis, keys, retentionSeconds);
  const subscribers = new SubscriberStore(redis, keys);
  const connection = createRedis(config.redis, { blocking: true });
  const queues = new Queues(connection, keys.bullPrefix, {
    attempts: config.delivery.attempts,
    keepCompletedSeconds: retentionSeconds,
  });
  // The composition root: the subscription flow's links go into announcement e-mails here.
  const emailExtras = subscriptionEmailExtras(config, { redis, keys });
  const channelDeps: ChannelDeps = { redis, keys, subscribers, log: log.child('channel'), emailExtras };
  const channels = createChannels(config, channelDeps);
  const producer = new Producer(config, announcements, deliveries, queues, (name) => batchSizeFor(channels.get(name), config.delivery.batchSize));
  return {
    config, redis, keys, log, announcements, deliveries, subscribers, queues,
    limiter: new RateLimiter(redis), producer, channels, channelDeps,
    async close() {
      await Promise.allSettled([...channels.values()].map((c) => c.close?.()));
      await queues.close();
      connection.disconnect();
      redis.disconnect();
    },
  };
}
