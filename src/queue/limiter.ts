// A rate limiter shared by every worker on every machine: GCRA (generic cell rate algorithm)
// in one Lua call, so "20 e-mails a second" holds however many workers run. One call checks
// several keys at once (the channel's and the recipient's limits) and takes a slot in all of
// them or in none, so a message never uses up one limit while it waits for another.
import type { Redis } from 'ioredis';

// A key holds "<tat>" (GCRA's theoretical arrival time, ms) or "<tat>;<held until, ms>" while a
// platform's "too many requests" holds it. A hold is kept beside the arrival time, not folded
// into it, so a limit that allows a burst (Mastodon's 300 posts in 3 hours) still has its
// burst after the hold, instead of a hold using it up.
const PARSE = `
local function parse(raw)
  if not raw then return 0, 0 end
  local sep = string.find(raw, ';', 1, true)
  if not sep then return tonumber(raw), 0 end
  return tonumber(string.sub(raw, 1, sep - 1)), tonumber(string.sub(raw, sep + 1))
end
`;

// KEYS: state keys. ARGV: now ms, then per key: interval ms, burst.
// Returns 0 when the caller may go now (a slot was taken in every key), else how many ms to
// wait before asking again (nothing taken).
const GCRA = `${PARSE}
local now = tonumber(ARGV[1])
local wait = 0
local tats, holds = {}, {}
for i = 1, #KEYS do
  local interval, burst = tonumber(ARGV[i * 2]), tonumber(ARGV[i * 2 + 1])
  local tat, held = parse(redis.call('GET', KEYS[i]))
  if tat < now then tat = now end
  tats[i], holds[i] = tat, held
  if held > now and held - now > wait then wait = held - now end
  local allowAt = tat - interval * burst
  if now < allowAt and allowAt - now > wait then wait = allowAt - now end
end
if wait > 0 then return math.ceil(wait) end
for i = 1, #KEYS do
  local interval = tonumber(ARGV[i * 2])
  local newTat = tats[i] + interval
  redis.call('SET', KEYS[i], tostring(newTat), 'PX', math.ceil(newTat - now + interval))
end
return 0
`;

// KEYS: state keys. ARGV: now ms, hold ms. Nobody gets a slot under these keys for `hold` ms
// (a platform's 429), on any worker; the arrival time, and so the burst, is kept.
const HOLD = `${PARSE}
local now, hold = tonumber(ARGV[1]), tonumber(ARGV[2])
for i = 1, #KEYS do
  local tat, held = parse(redis.call('GET', KEYS[i]))
  if held < now + hold then held = now + hold end
  local keep = math.max(tat, held) - now + 1000
  redis.call('SET', KEYS[i], tostring(tat) .. ';' .. tostring(held), 'PX', math.ceil(keep))
end
return 0
`;

/** One limit under one key: a slot every `intervalMs`, `burst` slots at once (1: evenly spaced). */
export interface Slot {
  key: string;
  intervalMs: number;
  burst?: number;
}

type WithScripts = Redis & {
  crierGcra(n: number, ...a: string[]): Promise<number>;
  crierHold(n: number, ...a: string[]): Promise<number>;
};

/** Sleeps `ms`, or rejects as soon as `signal` aborts (a worker closing mid-wait). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = () => {
      clearTimeout(timer);
      reject(new Error('rate limiter wait aborted'));
    };
    if (signal?.aborted) return aborted();
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', aborted);
      resolve();
    }, ms);
    signal?.addEventListener('abort', aborted, { once: true });
  });
}

export class RateLimiter {
  constructor(private readonly redis: Redis) {
    if (!('crierGcra' in redis)) redis.defineCommand('crierGcra', { lua: GCRA });
    if (!('crierHold' in redis)) redis.defineCommand('crierHold', { lua: HOLD });
  }

  /** Waits until one more event under `key` keeps it within `perSecond`; returns ms waited. */
  acquire(key: string, perSecond: number, burst = 1, signal?: AbortSignal): Promise<number> {
    return this.acquireAll([{ key, intervalMs: 1000 / perSecond, burst }], signal);
  }

  /** Takes a slot under every key at once if all are free (returns 0), else nothing (returns ms to wait). */
  async tryAll(slots: readonly Slot[]): Promise<number> {
    if (slots.length === 0) return 0;
    const args = slots.flatMap((s) => [String(s.intervalMs), String(Math.max(0, (s.burst ?? 1) - 1))]);
    return (this.redis as WithScripts).crierGcra(slots.length, ...slots.map((s) => s.key), String(Date.now()), ...args);
  }

  /** Waits until a slot is free under every key at once, and takes them together; returns ms waited. */
  async acquireAll(slots: readonly Slot[], signal?: AbortSignal): Promise<number> {
    let waited = 0;
    for (;;) {
      const wait = await this.tryAll(slots);
      if (wait <= 0) return waited;
      await sleep(wait, signal);
      waited += wait;
    }
  }

  /** No slot under these keys for `ms` (a platform answered "too many"), for every worker. */
  async hold(keys: readonly string[], ms: number): Promise<void> {
    if (keys.length === 0 || ms <= 0) return;
    await (this.redis as WithScripts).crierHold(keys.length, ...keys, String(Date.now()), String(Math.ceil(ms)));
  }
}
