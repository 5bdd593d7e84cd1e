// The one pacer: a message takes a slot under its channel's and its recipient's limits
// together or not at all, long windows allow their burst, and a platform's "too many" holds
// back every worker under the scope it names.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/queue/limiter.js';
import { PACE_FRACTION, Pacer } from '../../src/queue/pacer.js';
import { makeKeys } from '../../src/redis/keys.js';
import type { ChannelLimits, Recipient } from '../../src/types.js';
import { redisUrl, uniquePrefix } from '../support/harness.js';

const a = new Redis(redisUrl());
const b = new Redis(redisUrl());
afterAll(() => {
  a.disconnect();
  b.disconnect();
});

const chat = (id: string, subscriberId?: string): Recipient => ({ id, address: id, language: 'en', subscriberId });
const pacers = () => {
  const keys = makeKeys(uniquePrefix('pace'));
  return { keys, one: new Pacer(new RateLimiter(a), keys), two: new Pacer(new RateLimiter(b), keys) };
};

describe('Pacer', () => {
  it('spaces a channel at its documented rate across workers, a little under it', async () => {
    const { one, two } = pacers();
    const ch = { name: 'telegram', limits: { perSecond: 20 } satisfies ChannelLimits };
    const start = Date.now();
    // 21 messages from two workers: 20 intervals of 1000 / (20 x 0.97) ms.
    await Promise.all(Array.from({ length: 21 }, (_, i) => (i % 2 ? one : two).acquire(ch, chat(`c${i}`))));
    const took = Date.now() - start;
    expect(took).toBeGreaterThanOrEqual(Math.floor((20 * 1000) / (20 * PACE_FRACTION)) - 5);
    expect(took).toBeLessThan(1600);
  });

  it('takes the channel slot and the recipient slot together: a held-back chat does not use up the channel', async () => {
    const { one, keys } = pacers();
    const ch = { name: 'telegram', limits: { perSecond: 1000, perTargetPerSecond: 1 } satisfies ChannelLimits };
    expect(await one.acquire(ch, chat('g1'))).toBe(0);
    // g1 must wait about a second; meanwhile g2 goes at once.
    const g1 = one.acquire(ch, chat('g1'));
    const t = Date.now();
    // At most a channel interval (about 1 ms), never g1's second.
    expect(await one.acquire(ch, chat('g2'))).toBeLessThan(50);
    expect(Date.now() - t).toBeLessThan(200);
    expect(await g1).toBeGreaterThanOrEqual(900);
    expect(await a.exists(keys.rate('telegram:g1'), keys.rate('telegram:g2'), keys.rate('telegram'))).toBe(3);
  });

  it('gives each window its own key, and a long window its burst', async () => {
    const { one, keys } = pacers();
    const limits: ChannelLimits = { rates: [{ max: 300, perMs: 3 * 3_600_000, burst: 150 }] };
    const ch = { name: 'mastodon', limits };
    const limiter = new RateLimiter(a);
    for (let i = 0; i < 150; i++) expect(await limiter.tryAll(one.slots(ch))).toBe(0);
    // The 151st waits for the sustained pace: 3 h / (151 x 0.97), about 74 s.
    expect(await limiter.tryAll(one.slots(ch))).toBeGreaterThan(70_000);
    const [slot] = one.slots(ch);
    expect(slot.key).toBe(keys.rate(`mastodon~${3 * 3_600_000}`));
    expect(slot.intervalMs).toBeCloseTo((3 * 3_600_000) / (151 * PACE_FRACTION), 0);
    const ac = new AbortController();
    const t = Date.now();
    const pending = one.acquire(ch, undefined, ac.signal).catch((e: Error) => e.message);
    await new Promise((r) => setTimeout(r, 50));
    ac.abort();
    expect(await pending).toBe('rate limiter wait aborted');
    expect(Date.now() - t).toBeLessThan(1000);
  });

  it('chooses per-recipient limits by recipient: a group 20 a minute, a private chat not', () => {
    const { one, keys } = pacers();
    const limits: ChannelLimits = { perSecond: 30, perTargetPerSecond: 1, targetRates: (r) => (r.subscriberId ? [] : [{ max: 20, perMs: 60_000 }]) };
    const ch = { name: 'telegram', limits };
    expect(one.slots(ch, chat('s1', 'sub-1')).map((s) => s.key)).toEqual([keys.rate('telegram'), keys.rate('telegram:s1')]);
    expect(one.slots(ch, chat('t-group')).map((s) => s.key)).toEqual([keys.rate('telegram'), keys.rate('telegram:t-group'), keys.rate('telegram:t-group~60000')]);
  });

  it('holds every worker back after a 429: the whole channel, or only the recipient it names', async () => {
    const { one, two } = pacers();
    const ch = { name: 'telegram', limits: { perSecond: 1000, perTargetPerSecond: 1000 } satisfies ChannelLimits };
    await one.holdOff(ch, chat('g1'), 400, 'recipient');
    let t = Date.now();
    expect(await two.acquire(ch, chat('g2'))).toBeLessThan(50); // another chat is not held
    expect(await two.acquire(ch, chat('g1'))).toBeGreaterThanOrEqual(300);
    expect(Date.now() - t).toBeGreaterThanOrEqual(300);
    await one.holdOff(ch, chat('g1'), 400, 'channel');
    t = Date.now();
    expect(await two.acquire(ch, chat('g3'))).toBeGreaterThanOrEqual(300);
    expect(Date.now() - t).toBeGreaterThanOrEqual(300);
  });
});
