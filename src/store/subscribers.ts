// Subscribers of the subscription channels (e-mail, Telegram private chats).
// Active subscribers of a channel sit in a sorted set scored by a sequence number, so a
// fan-out pages with a score cursor: deterministic pages that new subscribers and removals
// never shift, which is what lets a crashed fan-out resume on the same batches.
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import type { LangPref } from '../types.js';

export type SubscriberStatus = 'pending' | 'active' | 'unsubscribed' | 'bounced' | 'blocked';

export interface Subscriber {
  id: string;
  channel: string;
  address: string;
  topics: string[];
  language: LangPref;
  status: SubscriberStatus;
  createdAt: string;
  updatedAt: string;
  seq: number;
}

export function normalizeAddress(channel: string, address: string): string {
  return channel === 'email' ? address.trim().toLowerCase() : address.trim();
}

/** A subscriber with topic "*" hears everything; otherwise any shared topic matches. */
export function topicsMatch(subscribed: string[], annTopics: string[]): boolean {
  return subscribed.includes('*') || subscribed.some((t) => annTopics.includes(t));
}

export class SubscriberStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  /**
   * Creates or updates the subscriber of (channel, address). An existing one keeps its id
   * and sequence; its choices and status are replaced by what is given.
   */
  async upsert(input: {
    channel: string;
    address: string;
    topics: string[];
    language: LangPref;
    status: SubscriberStatus;
  }): Promise<{ subscriber: Subscriber; created: boolean }> {
    const address = normalizeAddress(input.channel, input.address);
    const addrKey = this.keys.subscriberByAddress(input.channel, address);
    const now = new Date().toISOString();
    let id = await this.redis.get(addrKey);
    let created = false;
    let seq: number;
    let createdAt = now;
    if (id) {
      const prev = await this.get(id);
      seq = prev?.seq ?? (await this.redis.incr(this.keys.subscriberSeq));
      createdAt = prev?.createdAt ?? now;
    } else {
      seq = await this.redis.incr(this.keys.subscriberSeq);
      const candidate = `s${seq.toString(36)}`;
      // Two racing first subscriptions of one address: the first SETNX wins, the other updates it.
      const won = await this.redis.set(addrKey, candidate, 'NX');
      id = won === 'OK' ? candidate : (await this.redis.get(addrKey))!;
      created = won === 'OK';
    }
    const sub: Subscriber = {
      id, channel: input.channel, address, topics: [...new Set(input.topics)], language: input.language,
      status: input.status, createdAt, updatedAt: now, seq,
    };
    const m = this.redis.multi().hset(this.keys.subscriber(id), serialize(sub));
    if (sub.status === 'active') m.zadd(this.keys.activeSubscribers(sub.channel), seq, id);
    else m.zrem(this.keys.activeSubscribers(sub.channel), id);
    await m.exec();
    return { subscriber: sub, created };
  }

  async get(id: string): Promise<Subscriber | null> {
    const h = await this.redis.hgetall(this.keys.subscriber(id));
    return h.id ? deserialize(h) : null;
  }

  async findByAddress(channel: string, address: string): Promise<Subscriber | null> {
    const id = await this.redis.get(this.keys.subscriberByAddress(channel, normalizeAddress(channel, address)));
    return id ? this.get(id) : null;
  }

  async setStatus(id: string, status: SubscriberStatus): Promise<Subscriber | null> {
    const sub = await this.get(id);
    if (!sub) return null;
    const m = this.redis.multi().hset(this.keys.subscriber(id), 'status', status, 'updatedAt', new Date().toISOString());
    if (status === 'active') m.zadd(this.keys.activeSubscribers(sub.channel), sub.seq, id);
    else m.zrem(this.keys.activeSubscribers(sub.channel), id);
    await m.exec();
    return { ...sub, status };
  }

  /** Removes the subscriber and every key about them. */
  async delete(id: string): Promise<boolean> {
    const sub = await this.get(id);
    if (!sub) return false;
    await this.redis
      .multi()
      .del(this.keys.subscriber(id))
      .del(this.keys.subscriberByAddress(sub.channel, sub.address))
      .zrem(this.keys.activeSubscribers(sub.channel), id)
      .exec();
    return true;
  }

  /**
   * One page of active subscribers after `cursor` (a sequence number) whose topics match.
   * `next` is null after the last page. Pages are read `pageSize` subscribers at a time, so a
   * page may hold fewer matches than that (or none) and still not be the last.
   */
  async page(channel: string, annTopics: string[], cursor: string | null, pageSize: number): Promise<{ subscribers: Subscriber[]; next: string | null }> {
    const min = cursor === null ? '-inf' : `(${cursor}`;
    const flat = await this.redis.zrangebyscore(this.keys.activeSubscribers(channel), min, '+inf', 'WITHSCORES', 'LIMIT', 0, pageSize);
    const ids: string[] = [];
    let lastScore: string | null = null;
    for (let i = 0; i < flat.length; i += 2) {
      ids.push(flat[i]);
      lastScore = flat[i + 1];
    }
    const p = this.redis.pipeline();
    for (const id of ids) p.hgetall(this.keys.subscriber(id));
    const rows = (await p.exec()) ?? [];
    const subscribers = rows
      .map(([, h]) => h as Record<string, string>)
      .filter((h) => h && h.id)
      .map(deserialize)
      .filter((s) => s.status === 'active' && topicsMatch(s.topics, annTopics));
    const next = ids.length < pageSize ? null : lastScore;
    return { subscribers, next };
  }

  async countActive(channel: string): Promise<number> {
    return this.redis.zcard(this.keys.activeSubscribers(channel));
  }
}

function serialize(s: Subscriber): Record<string, string> {
  return {
    id: s.id, channel: s.channel, address: s.address, topics: JSON.stringify(s.topics), language: s.language,
    status: s.status, createdAt: s.createdAt, updatedAt: s.updatedAt, seq: String(s.seq),
  };
}

function deserialize(h: Record<string, string>): Subscriber {
  return {
    id: h.id, channel: h.channel, address: h.address, topics: JSON.parse(h.topics ?? '[]') as string[],
    language: (h.language ?? 'both') as LangPref, status: h.status as SubscriberStatus,
    createdAt: h.createdAt, updatedAt: h.updatedAt, seq: Number(h.seq),
  };
}
