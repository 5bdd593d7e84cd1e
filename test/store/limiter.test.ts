// The rate limiter is shared through Redis: two workers (two connections) together stay
// within the rate, and separate keys (channels, chats) do not slow each other.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/queue/limiter.js';
import { redisUrl, uniquePrefix } from '../support/harness.js';

const a = new Redis(redisUrl());
const b = new Redis(redisUrl());
afterAll(() => {
  a.disconnect();
  b.disconnect();
});

describe('RateLimiter', () => {
  it('makes a second worker wait for the first one\'s slot under the same key', async () => {
    const key = `${uniquePrefix('rate')}:rate:email`;
    const first = new RateLimiter(a);
    const second = new RateLimiter(b);
    expect(await first.acquire(key, 5)).toBe(0);
    // 5 a second = one every 200 ms: the other worker's immediate request must wait for it.
    expect(await second.acquire(key, 5)).toBeGreaterThanOrEqual(150);
  });

  it('keeps keys apart: another chat is not held back', async () => {
    const prefix = uniquePrefix('rate');
    const limiter = new RateLimiter(a);
    expect(await limiter.acquire(`${prefix}:rate:telegram:chat-1`, 1)).toBe(0);
    expect(await limiter.acquire(`${prefix}:rate:telegram:chat-2`, 1)).toBe(0);
  });

  it('holds a limit that allows a burst for the whole hold, and gives the burst back after it', async () => {
    const key = `${uniquePrefix('rate')}:rate:mastodon~10800000`;
    const limiter = new RateLimiter(a);
    // 300 in 3 hours with a burst of 5: a slot every 36 s, five at once.
    const slot = { key, intervalMs: 36_000, burst: 5 };
    expect(await limiter.tryAll([slot])).toBe(0);
    await limiter.hold([key], 400);
    // Held: even with four slots of the burst left, nothing goes until the hold ends.
    const wait = await limiter.tryAll([slot]);
    expect(wait).toBeGreaterThan(300);
    expect(wait).toBeLessThanOrEqual(400);
    await new Promise((r) => setTimeout(r, wait + 20));
    // After the hold the burst is still there: the hold did not use it up.
    for (let i = 0; i < 4; i++) expect(await limiter.tryAll([slot])).toBe(0);
    expect(await limiter.tryAll([slot])).toBeGreaterThan(30_000);
  });
});
