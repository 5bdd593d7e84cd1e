// A rate limiter shared by every worker on every machine: GCRA (generic cell rate algorithm)
// in one Lua call, so "20 e-mails a second" holds however many workers run.
import type { Redis } from 'ioredis';

// KEYS[1]: state key. ARGV: interval ms (1000 / rate), burst, now ms.
// Returns 0 when the caller may go now, else how many ms to wait before asking again.
const GCRA = `
local interval, burst, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local allowAt = tat - interval * burst
if now < allowAt then return math.ceil(allowAt - now) end
local newTat = tat + interval
redis.call('SET', KEYS[1], tostring(newTat), 'PX', math.ceil(newTat - now + interval))
return 0
`;

export class RateLimiter {
  constructor(private readonly redis: Redis) {
    if (!('crierGcra' in redis)) redis.defineCommand('crierGcra', { numberOfKeys: 1, lua: GCRA });
  }

  /** Waits until one more event under `key` keeps it within `perSecond`; returns ms waited. */
  async acquire(key: string, perSecond: number, burst = 1, signal?: AbortSignal): Promise<number> {
    const interval = 1000 / perSecond;
    let waited = 0;
    for (;;) {
      const wait = await (this.redis as Redis & { crierGcra(k: string, ...a: string[]): Promise<number> }).crierGcra(
        key, String(interval), String(Math.max(0, burst - 1)), String(Date.now()),
      );
      if (wait <= 0) return waited;
      if (signal?.aborted) throw new Error('rate limiter wait aborted');
      await new Promise((r) => setTimeout(r, wait));
      waited += wait;
    }
  }
}
