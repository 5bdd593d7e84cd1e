// "A channel keeps failing": from the delivery events the alert watcher reads, per channel the
// time of the first failed attempt since its last successful send (a retry that will be tried
// again counts: a platform that is down fails every attempt long before any delivery gives
// up). A success clears it. When a failure comes alerts.failingMinutes or more after the
// streak began, the caller queues one channel alert for that streak.
import type { CrierEvent } from '../events/watch.js';
import type { Services } from '../services.js';

const STREAK_TTL_SECONDS = 86_400;

/** The start (ms) of a streak old enough to alert about, or null. */
export async function noteDelivery(s: Pick<Services, 'config' | 'redis' | 'keys'>, ev: CrierEvent, nowMs = Date.now()): Promise<number | null> {
  if (ev.type !== 'delivery' || !ev.channel) return null;
  const key = s.keys.alertStreak(ev.channel);
  if (ev.status === 'sent') {
    await s.redis.del(key);
    return null;
  }
  const failedAttempt = ev.status === 'failed' || (ev.status === 'queued' && !!ev.error);
  if (!failedAttempt) return null;
  const res = await s.redis.multi().set(key, String(nowMs), 'EX', STREAK_TTL_SECONDS, 'NX').get(key).exec();
  const start = Number(res?.[1]?.[1] ?? nowMs);
  return nowMs - start >= s.config.alerts.failingMinutes * 60_000 ? start : null;
}
