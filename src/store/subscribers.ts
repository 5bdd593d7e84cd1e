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

  // ---- Listing, search, export and counts (admin API, issue 4) ----------------------------
  // Subscriber ids are `s<base36 sequence>` (upsert above), so walking the sequence numbers
  // from the counter down (or up) visits every subscriber, whatever its status, exactly once:
  // a deterministic cursor that new subscribers and removals never shift. Gaps (a removed
  // subscriber, a sequence number spent by a lost upsert race) are skipped.

  /** The sequence counter: no subscriber has a higher sequence number. */
  async lastSequence(): Promise<number> {
    return Number((await this.redis.get(this.keys.subscriberSeq)) ?? 0);
  }

  /** Subscribers in sequence order from `from` (inclusive) towards 1 or `to`, read `chunk` at a time. */
  private async *walk(from: number, to: number, chunk = 500): AsyncGenerator<{ seq: number; sub: Subscriber }> {
    const step = from <= to ? 1 : -1;
    for (let n = from; step > 0 ? n <= to : n >= to; n += step * chunk) {
      const seqs: number[] = [];
      for (let i = 0; i < chunk; i++) {
        const m = n + step * i;
        if (step > 0 ? m > to : m < to) break;
        seqs.push(m);
      }
      const p = this.redis.pipeline();
      for (const m of seqs) p.hgetall(this.keys.subscriber(`s${m.toString(36)}`));
      const rows = (await p.exec()) ?? [];
      for (let i = 0; i < seqs.length; i++) {
        const h = rows[i]?.[1] as Record<string, string> | undefined;
        if (h && h.id) yield { seq: seqs[i], sub: deserialize(h) };
      }
    }
  }

  /**
   * One page of subscribers, newest first, of any status unless `status` is given. `q` keeps
   * those whose address contains it (case-insensitive); `topic` and `language` narrow further. `cursor` is the `next` of the previous
   * page (a sequence number); `next` is null after the last page. A page holds up to `limit`
   * subscribers and may hold fewer (or none) without being the last when few match.
   */
  async list(opts: {
    channel?: string; status?: SubscriberStatus; q?: string; topic?: string; language?: LangPref; cursor?: string | null; limit: number; scanLimit?: number;
  }): Promise<{ items: Subscriber[]; next: string | null }> {
    const top = opts.cursor ? Number(opts.cursor) - 1 : await this.lastSequence();
    if (!(top >= 1)) return { items: [], next: null };
    const q = opts.q?.trim().toLowerCase();
    // A page reads at most this many sequence numbers, so a search matching little stays cheap.
    const floor = Math.max(1, top - (opts.scanLimit ?? 20_000) + 1);
    const items: Subscriber[] = [];
    for await (const { seq, sub } of this.walk(top, floor)) {
      if (opts.channel && sub.channel !== opts.channel) continue;
      if (opts.status && sub.status !== opts.status) continue;
      if (q && !sub.address.toLowerCase().includes(q)) continue;
      // A topic filter keeps who would hear about it: that topic chosen, or everything ("*").
      if (opts.topic && !topicsMatch(sub.topics, [opts.topic])) continue;
      if (opts.language && sub.language !== opts.language) continue;
      items.push(sub);
      if (items.length >= opts.limit) return { items, next: seq > 1 ? String(seq) : null };
    }
    // The page did not fill: everything down to `floor` was read; go on below it next time.
    return { items, next: floor > 1 ? String(floor) : null };
  }

  /** Every subscriber (of a channel, of a status), oldest first: for exports. */
  async *iterate(opts: { channel?: string; status?: SubscriberStatus } = {}): AsyncGenerator<Subscriber> {
    const top = await this.lastSequence();
    if (top < 1) return;
    for await (const { sub } of this.walk(1, top)) {
      if (opts.channel && sub.channel !== opts.channel) continue;
      if (opts.status && sub.status !== opts.status) continue;
      yield sub;
    }
  }

  /**
   * Counts per channel: subscribers by status, and for the active ones by chosen topic ("*"
   * for everything), by language, and how many an announcement of each topic reaches.
   */
  async counts(topicIds: readonly string[]): Promise<Record<string, ChannelCounts>> {
    const out: Record<string, ChannelCounts> = {};
    for await (const sub of this.iterate()) {
      const c = (out[sub.channel] ??= emptyCounts(topicIds));
      c.total += 1;
      c.statuses[sub.status] = (c.statuses[sub.status] ?? 0) + 1;
      if (sub.status !== 'active') continue;
      c.active += 1;
      c.languages[sub.language] = (c.languages[sub.language] ?? 0) + 1;
      for (const t of sub.topics) c.topics[t] = (c.topics[t] ?? 0) + 1;
      for (const t of topicIds) if (topicsMatch(sub.topics, [t])) c.reach[t] += 1;
    }
    return out;
  }
}

export interface ChannelCounts {
  /** Every stored subscriber of the channel, whatever the status. */
  total: number;
  statuses: Record<SubscriberStatus, number>;
  active: number;
  /** Active subscribers by language preference. */
  languages: Record<LangPref, number>;
  /** Active subscribers by chosen topic; "*" counts those who chose everything. */
  topics: Record<string, number>;
  /** Per configured topic: active subscribers an announcement of that topic reaches. */
  reach: Record<string, number>;
}

export function emptyCounts(topicIds: readonly string[]): ChannelCounts {
  return {
    total: 0,
    statuses: { pending: 0, active: 0, unsubscribed: 0, bounced: 0, blocked: 0 },
    active: 0,
    languages: { en: 0, zh: 0, both: 0 },
    topics: {},
    reach: Object.fromEntries(topicIds.map((t) => [t, 0])),
  };
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
