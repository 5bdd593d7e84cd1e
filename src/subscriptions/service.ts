// E-mail subscriptions with double opt-in: requests, confirmations, unsubscribes, preference
// changes, and what admins need (delete with every key, recent events).
//
// The rules:
// - A request never reveals whether the address was known: the caller always gets the same
//   answer, and only the mailbox owner learns anything (from the confirmation mail).
// - Nothing but the confirmation mail goes to an unconfirmed address: a requested subscriber is
//   "pending", and the e-mail channel's recipients are the channel's active subscribers only.
// - A request about an active subscriber changes nothing by itself (anyone may type anyone's
//   address): the choices travel, signed, inside the confirm token of the mail sent to that
//   address, and are applied when its owner clicks. For a new, pending, unsubscribed or bounced
//   address the request stores the choices at once, status "pending" (a click proves the address
//   works); the confirm token carries them too, so a click applies exactly what that mail said.
// - One subscriber per address: re-subscribing updates it (SubscriberStore.upsert keys on it).
//
// Confirmation mails go through a BullMQ queue (`deliver-confirmations`) rather than straight to
// SMTP from the HTTP request: an SMTP outage or a slow server then neither fails nor stalls the
// request, and the job is retried with backoff for hours (CONFIRM_ATTEMPTS) and kept when it
// finally fails, so an outage does not lose a confirmation. The worker sends through the e-mail
// channel's own transport (SMTP pool or outbox, its error classification, its rate limit), so
// there is one mail configuration.
import { retentionSeconds } from '../config/shared.js';
import { Queue, UnrecoverableError, type Job } from 'bullmq';
import type { EmailMessage } from '../render/email.js';
import type { Redis } from 'ioredis';
import type { CrierConfig } from '../config/schema.js';
import type { Pacer } from '../queue/pacer.js';
import { quiet } from '../queue/queues.js';
import type { Keys } from '../redis/keys.js';
import { normalizeAddress, type Subscriber, type SubscriberStore } from '../store/subscribers.js';
import type { Logger } from '../util/log.js';
import { ChannelError, type Channel, type LangPref } from '../types.js';
import { renderConfirmationEmail } from './confirmation-mail.js';
import { confirmUrl } from './links.js';
import type { SubscriptionSecret, TokenPayload, TokenSigner } from './tokens.js';

export const CONFIRM_QUEUE = 'deliver-confirmations';
/** Tries of one confirmation mail; with the capped backoff below, several hours of SMTP outage. */
export const CONFIRM_ATTEMPTS = 30;
/** The longest wait between two tries of a confirmation mail. */
export const CONFIRM_MAX_BACKOFF_MS = 15 * 60_000;
/** Confirmation mails to one address per hour; further requests are answered alike but send nothing. */
export const CONFIRMATIONS_PER_HOUR = 5;
/** POST /api/subscribers requests per client IP per minute (the contract asks for at least 10). */
export const SUBSCRIBE_REQUESTS_PER_MINUTE = 20;
const EVENTS_KEPT = 200;

export interface ConfirmJob {
  subscriberId: string;
  topics: string[];
  language: LangPref;
}

export type SubscriptionEventType = 'requested' | 'subscribed' | 'changed' | 'unsubscribed' | 'bounced' | 'deleted';

export interface SubscriptionEvent {
  at: string;
  type: SubscriptionEventType;
  channel: string;
  /** The subscriber id (never the address: deleting a subscriber must not leave it behind). */
  id: string;
}

export interface SubscriptionRequest {
  email: string;
  topics: string[];
  language: LangPref;
}

export type LinkFailure = 'invalid' | 'expired' | 'gone';
export type LinkOutcome = { ok: true; subscriber: Subscriber } | { ok: false; reason: LinkFailure };

/** Exponential backoff with jitter, capped: min(base × 2^(n−1), 15 min), between half and all of it. */
export function confirmBackoff(attemptsMade: number, baseMs: number): number {
  const ceiling = Math.min(CONFIRM_MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, Math.min(30, attemptsMade - 1)));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/** What the subscription service uses of the services (createServices builds it once per Services). */
export interface SubscriptionDeps {
  config: CrierConfig;
  redis: Redis;
  keys: Keys;
  log: Logger;
  subscribers: SubscriberStore;
  pacer: Pick<Pacer, 'acquire'>;
  /** The built channels; read when used, so it may be filled after the service is built. */
  channels: ReadonlyMap<string, Channel>;
}

export class SubscriptionService {
  private confirmQueue: Queue<ConfirmJob> | undefined;
  private readonly topicIds: Set<string>;

  constructor(
    private readonly s: SubscriptionDeps,
    /** The token secret of these services, shared with the e-mail channel's links. */
    readonly secret: SubscriptionSecret,
  ) {
    this.topicIds = new Set(s.config.topics.map((t) => t.id));
  }

  /** Resolves the token secret (once per Services); everything that signs awaits this first. */
  ready(): Promise<TokenSigner> {
    return this.secret.ready();
  }

  /** E-mail subscriptions need the e-mail channel (SMTP or outbox) to be enabled. */
  get enabled(): boolean {
    return this.s.channels.has('email');
  }

  /** The queue of confirmation mails; shares the services' Redis connection (closed with it, see close()). */
  get queue(): Queue<ConfirmJob> {
    this.confirmQueue ??= quiet(new Queue<ConfirmJob>(CONFIRM_QUEUE, { connection: this.s.redis, prefix: this.s.keys.bullPrefix }));
    return this.confirmQueue;
  }

  /** Closes the confirmation queue if one was opened (Services.close(), before the connection goes). */
  async close(): Promise<void> {
    const q = this.confirmQueue;
    this.confirmQueue = undefined;
    await q?.close();
  }

  /** Counts one request of a client IP in the current minute; over the limit: seconds to wait. */
  async rateLimit(ip: string, nowMs = Date.now()): Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number }> {
    const window = Math.floor(nowMs / 60_000);
    const key = this.s.keys.subscribeRate(ip.slice(0, 64), window);
    const res = await this.s.redis.multi().incr(key).expire(key, 120).exec();
    const count = Number(res?.[0]?.[1] ?? 0);
    if (count <= SUBSCRIBE_REQUESTS_PER_MINUTE) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(((window + 1) * 60_000 - nowMs) / 1000)) };
  }

  /** Topic choices as stored: "*" alone, or the known ids without repeats, sorted. */
  normalizeTopics(topics: readonly string[]): string[] {
    if (topics.includes('*')) return ['*'];
    return [...new Set(topics.filter((t) => this.topicIds.has(t)))].sort();
  }

  /**
   * POST /api/subscribers after validation. Whatever the address's state, the caller sees the
   * same outcome; see the rules at the top of this file.
   */
  async request(input: SubscriptionRequest): Promise<void> {
    const address = normalizeAddress('email', input.email);
    const topics = this.normalizeTopics(input.topics);
    const existing = await this.s.subscribers.findByAddress('email', address);
    let sub: Subscriber;
    if (existing && existing.status === 'active') {
      sub = existing; // changed only when the owner clicks the link (the choices are in the token)
    } else {
      // New, pending, unsubscribed, bounced (or blocked): pending with these choices.
      sub = (await this.s.subscribers.upsert({ channel: 'email', address, topics, language: input.language, status: 'pending' })).subscriber;
    }
    await this.event('requested', sub);
    const throttle = this.s.keys.confirmationThrottle(sub.id);
    const res = await this.s.redis.multi().set(throttle, '0', 'EX', 3600, 'NX').incr(throttle).exec();
    if (Number(res?.[1]?.[1] ?? 0) > CONFIRMATIONS_PER_HOUR) {
      this.s.log.child('subscriptions').warn('confirmation mail not sent: too many requests for this address this hour', { subscriber: sub.id });
      return;
    }
    await this.queue.add('confirm', { subscriberId: sub.id, topics, language: input.language }, {
      attempts: CONFIRM_ATTEMPTS,
      backoff: { type: 'confirm' },
      removeOnComplete: { age: 86_400, count: 10_000 },
      // Failed ones stay (an admin can retry them); they name the subscriber id, not the address.
      removeOnFail: { age: retentionSeconds(this.s.config.delivery) },
    });
  }

  /** Signs the confirm link of a mail being sent now: valid for subscriptions.confirmTtlHours. */
  confirmToken(signer: TokenSigner, job: ConfirmJob, nowMs = Date.now()): string {
    return signer.sign({
      sub: job.subscriberId,
      purpose: 'confirm',
      exp: Math.floor(nowMs / 1000 + this.s.config.subscriptions.confirmTtlHours * 3600),
      iat: Math.floor(nowMs / 1000),
      topics: job.topics,
      language: job.language,
    });
  }

  /** The confirmation worker's job: render and send one confirmation mail. */
  async sendConfirmation(job: Job<ConfirmJob>): Promise<string> {
    const channel = this.s.channels.get('email') as Channel<EmailMessage> | undefined;
    if (!channel) throw new UnrecoverableError('the e-mail channel is not enabled in this process');
    const sub = await this.s.subscribers.get(job.data.subscriberId);
    if (!sub || sub.channel !== 'email') return 'subscriber deleted meanwhile: nothing sent';
    const signer = await this.ready();
    const msg = renderConfirmationEmail({
      from: this.s.config.channels.email.from,
      to: sub.address,
      confirmUrl: confirmUrl(this.s.config, this.confirmToken(signer, job.data)),
      topics: job.data.topics,
      language: job.data.language,
      libraryName: this.s.config.library.name,
      allTopics: this.s.config.topics,
      ttlHours: this.s.config.subscriptions.confirmTtlHours,
    });
    // Confirmations share the announcement mails' rate limit: one budget for the SMTP server.
    await this.s.pacer.acquire(channel);
    try {
      await channel.send(msg, { id: sub.id, address: sub.address, language: job.data.language, subscriberId: sub.id }, {
        id: `confirm.${sub.id}.${job.id}`,
        attempt: job.attemptsMade + 1,
      });
    } catch (e) {
      const err = ChannelError.from(e);
      if (err.kind === 'recipientGone') {
        // The address does not exist: a pending subscriber is marked bounced; nothing is retried.
        const now = await this.s.subscribers.get(sub.id);
        if (now?.status === 'pending') {
          await this.s.subscribers.setStatus(sub.id, 'bounced');
          await this.event('bounced', now);
        }
        throw new UnrecoverableError(err.message);
      }
      if (err.kind === 'permanent') throw new UnrecoverableError(err.message);
      throw err;
    }
    return 'sent';
  }

  private async verify(token: string | undefined, purpose: TokenPayload['purpose']): Promise<{ ok: true; payload: TokenPayload; sub: Subscriber } | { ok: false; reason: LinkFailure }> {
    const signer = await this.ready();
    const v = signer.verify(token, purpose);
    if (!v.ok) return { ok: false, reason: v.reason === 'expired' ? 'expired' : 'invalid' };
    const sub = await this.s.subscribers.get(v.payload.sub);
    if (!sub || sub.channel !== 'email') return { ok: false, reason: 'gone' };
    return { ok: true, payload: v.payload, sub };
  }

  /** GET /subscriptions/confirm: activates the subscriber with the choices the token carries. */
  async confirm(token: string | undefined): Promise<LinkOutcome> {
    const v = await this.verify(token, 'confirm');
    if (!v.ok) return v;
    const { payload, sub } = v;
    // A link older than a later unsubscribe does not undo it: the person's newer decision wins
    // (and a scanner re-visiting an old mail cannot re-subscribe them). A bounced address may
    // confirm with any valid link: the click proves it works again.
    if (sub.status === 'unsubscribed' && payload.iat !== undefined && payload.iat < Math.floor(Date.parse(sub.updatedAt) / 1000)) {
      return { ok: false, reason: 'gone' };
    }
    const topics = payload.topics ? this.normalizeTopics(payload.topics) : sub.topics;
    const { subscriber } = await this.s.subscribers.upsert({
      channel: 'email',
      address: sub.address,
      topics: topics.length > 0 ? topics : sub.topics,
      language: payload.language ?? sub.language,
      status: 'active',
    });
    await this.event(sub.status === 'active' ? 'changed' : 'subscribed', subscriber);
    return { ok: true, subscriber };
  }

  /** GET /subscriptions/unsubscribe: who the link belongs to (changes nothing). */
  async inspect(token: string | undefined): Promise<LinkOutcome> {
    const v = await this.verify(token, 'unsubscribe');
    return v.ok ? { ok: true, subscriber: v.sub } : v;
  }

  /** POST /subscriptions/unsubscribe (RFC 8058 one-click, or the page's button): at once. */
  async unsubscribe(token: string | undefined): Promise<LinkOutcome> {
    const v = await this.verify(token, 'unsubscribe');
    if (!v.ok) return v;
    if (v.sub.status === 'active' || v.sub.status === 'pending') {
      const updated = await this.s.subscribers.setStatus(v.sub.id, 'unsubscribed');
      await this.event('unsubscribed', v.sub);
      return { ok: true, subscriber: updated ?? { ...v.sub, status: 'unsubscribed' } };
    }
    return { ok: true, subscriber: v.sub };
  }

  /** POST /subscriptions/preferences: new topics and language from the page; (re)activates. */
  async updatePreferences(token: string | undefined, topics: string[], language: LangPref): Promise<LinkOutcome> {
    const v = await this.verify(token, 'unsubscribe');
    if (!v.ok) return v;
    const { subscriber } = await this.s.subscribers.upsert({
      channel: 'email', address: v.sub.address, topics: this.normalizeTopics(topics), language, status: 'active',
    });
    await this.event(v.sub.status === 'active' ? 'changed' : 'subscribed', subscriber);
    return { ok: true, subscriber };
  }

  /** DELETE /api/subscribers/:id: the subscriber and every key about them. */
  async remove(id: string): Promise<boolean> {
    const sub = await this.s.subscribers.get(id);
    if (!sub) return false;
    await this.s.subscribers.delete(id);
    await this.s.redis.del(this.s.keys.confirmationThrottle(id), this.s.keys.rate(`${sub.channel}:${id}`));
    // Their entries in the recent-events list (which name the id only) go too.
    const listKey = this.s.keys.subscriptionEvents;
    for (const raw of await this.s.redis.lrange(listKey, 0, -1)) {
      if ((JSON.parse(raw) as SubscriptionEvent).id === id) await this.s.redis.lrem(listKey, 0, raw);
    }
    return true;
  }

  async recentEvents(limit = 50): Promise<SubscriptionEvent[]> {
    const raw = await this.s.redis.lrange(this.s.keys.subscriptionEvents, 0, limit - 1);
    return raw.map((r) => JSON.parse(r) as SubscriptionEvent);
  }

  private async event(type: SubscriptionEventType, sub: Pick<Subscriber, 'id' | 'channel'>): Promise<void> {
    const e: SubscriptionEvent = { at: new Date().toISOString(), type, channel: sub.channel, id: sub.id };
    await this.s.redis.multi().lpush(this.s.keys.subscriptionEvents, JSON.stringify(e)).ltrim(this.s.keys.subscriptionEvents, 0, EVENTS_KEPT - 1).exec();
  }
}

/** The subscription service of a Services: the one createServices built for it. */
export function subscriptionsFor(s: { subscriptions: SubscriptionService }): SubscriptionService {
  return s.subscriptions;
}
