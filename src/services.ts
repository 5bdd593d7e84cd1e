// Builds everything a process needs from one configuration: connections, stores, queues,
// channels, the producer. HTTP server, workers and CLI all start from here.
import type { Redis } from 'ioredis';
import type { CrierConfig } from './config/schema.js';
import { asCommandClient, createRedis } from './redis/connection.js';
import { makeKeys, type Keys } from './redis/keys.js';
import { AnnouncementStore } from './store/announcements.js';
import { DeliveryLog } from './store/deliveries.js';
import { CorrectionLog } from './store/corrections.js';
import { Corrector } from './corrections/service.js';
import { SubscriberStore } from './store/subscribers.js';
import { SubscriberCountsCache } from './subscribers/counts-cache.js';
import { batchSizeFor, Queues } from './queue/queues.js';
import { RateLimiter } from './queue/limiter.js';
import { Pacer } from './queue/pacer.js';
import { AnnouncementCache } from './store/announcement-cache.js';
import { Producer } from './producer.js';
import { createMetrics, type CrierMetrics } from './metrics/registry.js';
import { createChannels } from './channel-builder.js';
import type { ChannelDeps } from './channel-module.js';
import { retentionSeconds as retentionOf } from './config/shared.js';
import { subscriptionEmailExtras } from './subscriptions/email-extras.js';
import { SubscriptionService } from './subscriptions/service.js';
import { SubscriptionSecret } from './subscriptions/tokens.js';
import type { Channel } from './types.js';
import { createLogger, type Logger } from './util/log.js';

export interface Services {
  config: CrierConfig;
  redis: Redis;
  keys: Keys;
  log: Logger;
  announcements: AnnouncementStore;
  deliveries: DeliveryLog;
  /** The log of edits and retractions applied to messages already sent. */
  corrections: CorrectionLog;
  /** Edits and retractions of announcements (the API, the desk, the CLI). */
  corrector: Corrector;
  subscribers: SubscriberStore;
  queues: Queues;
  /** Every send waits here for its channel's and recipient's limits. */
  pacer: Pacer;
  /** What the delivery workers are sending, read once per revision. */
  announcementCache: AnnouncementCache;
  producer: Producer;
  /** Built channels by name (only enabled ones). */
  channels: Map<string, Channel>;
  /** What the channels were built with: for their routes and running parts. */
  channelDeps: ChannelDeps;
  /** The subscription flow, with this Services' token secret (shared with the e-mail links). */
  subscriptions: SubscriptionService;
  /** The dashboard's subscriber counts, kept 30 s (cleared by close()). */
  subscriberCounts: SubscriberCountsCache;
  /** GET /metrics' registry, built on first use (only the HTTP process needs it). */
  readonly metrics: CrierMetrics;
  /** Closes every connection, queue and cache these services opened. */
  close(): Promise<void>;
}

export function createServices(config: CrierConfig, opts: { log?: Logger } = {}): Services {
  const log = opts.log ?? createLogger();
  const redis = asCommandClient(createRedis(config.redis));
  const keys = makeKeys(config.redis.prefix);
  const retentionSeconds = retentionOf(config.delivery);
  const announcements = new AnnouncementStore(redis, keys, retentionSeconds);
  const deliveries = new DeliveryLog(redis, keys, retentionSeconds);
  const corrections = new CorrectionLog(redis, keys, retentionSeconds);
  const subscribers = new SubscriberStore(redis, keys);
  const subscriberCounts = new SubscriberCountsCache(subscribers, config.topics.map((t) => t.id));
  const connection = createRedis(config.redis, { blocking: true });
  const queues = new Queues(connection, keys.bullPrefix, {
    attempts: config.delivery.attempts,
    keepCompletedSeconds: retentionSeconds,
  });
  // The composition root: the subscription flow's links go into announcement e-mails here,
  // signed with the one secret of these services (resolved once, cached on it).
  const secret = new SubscriptionSecret(redis, keys.subscriptionSecret, config.subscriptions.secret);
  const emailExtras = subscriptionEmailExtras(config, secret);
  const pacer = new Pacer(new RateLimiter(redis), keys);
  const announcementCache = new AnnouncementCache(announcements);
  const channelDeps: ChannelDeps = { redis, keys, subscribers, pacer, log: log.child('channel'), emailExtras };
  const channels = createChannels(config, channelDeps);
  const producer = new Producer(config, announcements, deliveries, queues, (name) => batchSizeFor(channels.get(name), config.delivery.batchSize));
  const corrector = new Corrector({ config, announcements, corrections, queues });
  const subscriptions = new SubscriptionService({ config, redis, keys, log, subscribers, pacer, channels }, secret);
  let metrics: CrierMetrics | undefined;
  return {
    config, redis, keys, log, announcements, deliveries, corrections, corrector, subscribers, queues,
    pacer, announcementCache, producer, channels, channelDeps, subscriptions, subscriberCounts,
    get metrics() {
      return (metrics ??= createMetrics({ config, redis, keys, queues, announcements }));
    },
    async close() {
      announcementCache.clear();
      await Promise.allSettled([...channels.values()].map((c) => c.close?.()));
      await subscriptions.close();
      subscriberCounts.forget();
      metrics?.clear();
      await queues.close();
      connection.disconnect();
      redis.disconnect();
    },
  };
}
