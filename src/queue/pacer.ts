// The one pacer: every message any worker sends (announcements, corrections, confirmations,
// alerts) waits here for its channel's limits and its recipient's, as the platforms document
// them (ChannelLimits). Limits are shared through Redis, so they hold across workers and
// machines; a platform's "too many requests" holds everyone back, not only the job that got it.
import type { Keys } from '../redis/keys.js';
import type { Channel, Rate, Recipient } from '../types.js';
import { RateLimiter, type Slot } from './limiter.js';

/**
 * Paced a little under a documented limit: a window on the platform's clock sees the messages
 * as they arrive, and network jitter can bring two of them closer than they were sent. At 97%
 * a 30/s limit tolerates 30 ms of jitter over a second, and a fan-out still uses 97% of it.
 */
export const PACE_FRACTION = 0.97;

function slotsOf(base: string, perSecond: number | undefined, rates: readonly Rate[]): Slot[] {
  const all: Rate[] = [...(perSecond ? [{ max: perSecond, perMs: 1000 }] : []), ...rates];
  // Each window its own key: "rate:<name>" for the per-second one, "rate:<name>~<ms>" else.
  // With a burst b and a slot every T, a window of perMs holds at most b + perMs/T - 1 slots.
  return all.map((r) => {
    const burst = Math.max(1, Math.min(r.burst ?? 1, r.max));
    return { key: r.perMs === 1000 ? base : `${base}~${r.perMs}`, intervalMs: r.perMs / ((r.max - burst + 1) * PACE_FRACTION), burst };
  });
}

export class Pacer {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly keys: Pick<Keys, 'rate'>,
  ) {}

  /** What one message costs: the channel's slots, and the recipient's when given. */
  slots(channel: Pick<Channel, 'name' | 'limits'>, recipient?: Recipient): Slot[] {
    const l = channel.limits;
    const out = slotsOf(this.keys.rate(channel.name), l.perSecond, l.rates ?? []);
    if (recipient) {
      const targetRates = typeof l.targetRates === 'function' ? l.targetRates(recipient) : (l.targetRates ?? []);
      out.push(...slotsOf(this.keys.rate(`${channel.name}:${recipient.id}`), l.perTargetPerSecond, targetRates));
    }
    return out;
  }

  /** Waits until one more message to `recipient` keeps every limit; returns ms waited. */
  acquire(channel: Pick<Channel, 'name' | 'limits'>, recipient?: Recipient, signal?: AbortSignal): Promise<number> {
    return this.limiter.acquireAll(this.slots(channel, recipient), signal);
  }

  /**
   * The platform said "too many, retry after `ms`": nobody sends under the channel's limits
   * (scope "channel") or this recipient's ("recipient") until then, on any worker.
   */
  async holdOff(channel: Pick<Channel, 'name' | 'limits'>, recipient: Recipient, ms: number, scope?: 'channel' | 'recipient'): Promise<void> {
    const channelSlots = this.slots(channel);
    const chosen = scope ?? (channelSlots.length > 0 ? 'channel' : 'recipient');
    const slots = chosen === 'channel' && channelSlots.length > 0
      ? channelSlots
      : this.slots(channel, recipient).slice(channelSlots.length);
    // With no limit to hold (none configured), the job's own retry delay is all there is.
    await this.limiter.hold(slots.map((s) => s.key), ms);
  }
}
