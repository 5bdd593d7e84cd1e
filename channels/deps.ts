// What a channel is given to work with, and nothing of the channels themselves: every channel
// and the registry import these types from here, so no import cycle can run through them.
import type { Redis } from 'ioredis';
import type { Keys } from '../src/redis/keys.js';
import type { SubscriberStore } from '../src/store/subscribers.js';
import type { Recipient } from '../src/types.js';
import type { Logger } from '../src/util/log.js';

/** Per-recipient links the subscription flow adds to announcement e-mails (footer, List-Unsubscribe). */
export interface EmailExtras {
  unsubscribeUrl?(recipient: Recipient): string | undefined;
  /** The subscriber's manage page (topics, language, unsubscribe), linked in the footer. */
  manageUrl?(recipient: Recipient): string | undefined;
}

export interface ChannelDeps {
  redis: Redis;
  keys: Keys;
  subscribers: SubscriberStore;
  log: Logger;
  /** Given by the composition root (src/services.ts) where subscribers get e-mail; none in previews. */
  emailExtras?: EmailExtras;
}
