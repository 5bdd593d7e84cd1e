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
});
