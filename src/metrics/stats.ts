// The fleet-wide counters behind GET /metrics, kept in one Redis hash (`<prefix>:stats`) so
// that every process adds to the same numbers: workers on several machines write, the HTTP
// process reads them at scrape time. Field names (see src/redis/keys.ts):
//
//   dlv|<channel>|<status>    deliveries that entered a state: queued (written by a fan-out, or
//                             a failed one re-queued by a retry), sent, failed, skipped. Bumped
//                             inside the delivery log's Lua (src/store/delivery-scripts.ts), in
//                             the same atomic step as the state change itself.
//   retry|<channel>           retryable failures that were put back in the queue
//   rlwait_ms|<channel>       milliseconds spent waiting for the shared rate limiter
//   lat|<channel>|<le>        sent deliveries whose latency fell in the bucket with upper bound
//                             <le> (and above the previous bound): NOT cumulative; "+Inf" last
//   lat_sum_ms|<channel>      sum of the latencies of sent deliveries, milliseconds
//   lat_n|<channel>           number of latencies recorded
//                             (the three lat fields are written by the delivery Lua when a
//                             delivery becomes sent, timed by Redis's clock: queuedAtMs → TIME)
//
// Integers only (milliseconds, not float seconds), so the sums stay exact however many
// processes add to them. The worker-side writes never throw: a metrics hiccup must not turn a
// sent message into a retry.
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import type { Logger } from '../util/log.js';

import { LATENCY_BUCKETS } from '../store/latency-buckets.js';

export { LATENCY_BUCKETS };

/** Statuses counted in crier_deliveries_total. */
export const COUNTED_STATUSES = ['queued', 'sent', 'failed', 'skipped'] as const;

/** The `le` label of the bucket a latency falls in ("+Inf" past the last bound). */
export function bucketFor(seconds: number, buckets: readonly number[] = LATENCY_BUCKETS): string {
  for (const b of buckets) if (seconds <= b) return String(b);
  return '+Inf';
}

export interface MetricsRecorderDeps {
  redis: Redis;
  keys: Keys;
  log?: Logger;
}

async function safely(deps: MetricsRecorderDeps, what: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (err) {
    deps.log?.warn('could not record a metric', { metric: what, error: (err as Error).message });
  }
}

/** A retryable failure that was put back in the queue. */
export async function recordRetry(deps: MetricsRecorderDeps, channel: string): Promise<void> {
  await safely(deps, 'retry', () => deps.redis.hincrby(deps.keys.stats, `retry|${channel}`, 1));
}

/** Time spent waiting for the rate limiter before one send. */
export async function recordRateLimitWait(deps: MetricsRecorderDeps, channel: string, ms: number): Promise<void> {
  if (!(ms > 0)) return;
  await safely(deps, 'rate limit wait', () => deps.redis.hincrby(deps.keys.stats, `rlwait_ms|${channel}`, Math.round(ms)));
}

export interface LatencyStats {
  /** Cumulative counts per bucket bound, in LATENCY_BUCKETS order, then +Inf. */
  cumulative: { le: string; count: number }[];
  sumSeconds: number;
  count: number;
}

export interface ChannelStats {
  deliveries: Record<(typeof COUNTED_STATUSES)[number], number>;
  retries: number;
  rateLimitWaitSeconds: number;
  latency: LatencyStats;
}

function emptyChannel(buckets: readonly number[]): ChannelStats {
  return {
    deliveries: { queued: 0, sent: 0, failed: 0, skipped: 0 },
    retries: 0,
    rateLimitWaitSeconds: 0,
    latency: { cumulative: [...buckets.map(String), '+Inf'].map((le) => ({ le, count: 0 })), sumSeconds: 0, count: 0 },
  };
}

/**
 * The hash's fields as per-channel numbers; every channel of `channels` gets an entry (zeros
 * included) and so does every channel found in the hash. Pure: the scrape reads the hash with
 * one HGETALL and hands it here.
 */
export function parseStats(raw: Record<string, string>, channels: readonly string[] = [], buckets: readonly number[] = LATENCY_BUCKETS): Map<string, ChannelStats> {
  const out = new Map<string, ChannelStats>();
  const of = (ch: string) => {
    let c = out.get(ch);
    if (!c) out.set(ch, (c = emptyChannel(buckets)));
    return c;
  };
  for (const ch of channels) of(ch);
  const perBucket = new Map<string, Map<string, number>>();
  for (const [field, value] of Object.entries(raw)) {
    const n = Number(value);
    if (!Number.isFinite(n)) continue;
    const parts = field.split('|');
    const [kind, channel] = parts;
    if (!channel) continue;
    switch (kind) {
      case 'dlv': {
        const st = parts[2] as (typeof COUNTED_STATUSES)[number];
        if ((COUNTED_STATUSES as readonly string[]).includes(st)) of(channel).deliveries[st] = n;
        break;
      }
      case 'retry':
        of(channel).retries = n;
        break;
      case 'rlwait_ms':
        of(channel).rateLimitWaitSeconds = n / 1000;
        break;
      case 'lat': {
        of(channel);
        let m = perBucket.get(channel);
        if (!m) perBucket.set(channel, (m = new Map()));
        m.set(parts[2], n);
        break;
      }
      case 'lat_sum_ms':
        of(channel).latency.sumSeconds = n / 1000;
        break;
      case 'lat_n':
        of(channel).latency.count = n;
        break;
      default:
        break;
    }
  }
  for (const [channel, m] of perBucket) {
    let running = 0;
    for (const b of of(channel).latency.cumulative) {
      running += m.get(b.le) ?? 0;
      b.count = running;
    }
  }
  return out;
}

export async function readStats(redis: Redis, keys: Keys, channels: readonly string[]): Promise<Map<string, ChannelStats>> {
  return parseStats(await redis.hgetall(keys.stats), channels);
}
