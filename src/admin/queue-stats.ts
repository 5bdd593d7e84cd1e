// Queue numbers, in one place for the dashboard and for anyone else (a /metrics exporter):
// per queue the depth, in-flight, delayed and failed jobs and whether it is paused, and
// completed-jobs-per-minute over the last hour.
//
// Throughput comes from BullMQ's own metrics (the delivery workers run with
// `metrics: { maxDataPoints: 120 }`): every job completion bumps a per-minute counter in Redis
// inside the same Lua call that completes the job, in whichever worker process ran it. Nothing
// extra to write, nothing to lose on a restart, one LRANGE to read. The unit is jobs: one
// delivery job carries a batch of up to `delivery.batchSize` recipients.
import type { Queue } from 'bullmq';
import type { Services } from '../services.js';

export interface QueueCounts {
  /** BullMQ queue name. */
  queue: string;
  /** The channel a delivery queue serves; null for the dispatch (fan-out) queue. */
  channel: string | null;
  /** Waiting to run: waiting + prioritized. */
  depth: number;
  waiting: number;
  prioritized: number;
  /** Running right now (in flight). */
  active: number;
  /** Scheduled for later: backoff retries, scheduled announcements. */
  delayed: number;
  /** Jobs that ran out of attempts (the delivery log holds each recipient's own state). */
  failed: number;
  paused: boolean;
}

async function countsOf(q: Queue, channel: string | null): Promise<QueueCounts> {
  const [c, paused] = await Promise.all([q.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed'), q.isPaused()]);
  const waiting = c.waiting ?? 0;
  const prioritized = c.prioritized ?? 0;
  return {
    queue: q.name, channel, depth: waiting + prioritized, waiting, prioritized,
    active: c.active ?? 0, delayed: c.delayed ?? 0, failed: c.failed ?? 0, paused,
  };
}

/** The dispatch queue first, then one delivery queue per enabled channel. */
export async function queueCounts(s: Pick<Services, 'channels' | 'queues'>): Promise<QueueCounts[]> {
  const channels = [...s.channels.keys()];
  return Promise.all([countsOf(s.queues.dispatch, null), ...channels.map((ch) => countsOf(s.queues.deliver(ch), ch))]);
}

export interface Throughput {
  /** Completed jobs per minute, oldest first; the last entry is the current (partial) minute. */
  perMinute: number[];
  total: number;
  /** Start of the first minute (ms since the epoch). */
  from: number;
}

/**
 * The last `minutes` minutes of completed jobs of a queue. BullMQ appends a minute's count
 * lazily (when the first job of a later minute completes), so the list is aligned on its
 * meta.prevTS: data[0] is the minute before prevTS's, and the count since prevTS is the
 * minute of prevTS itself; minutes after that had no completions.
 */
export async function throughput(q: Queue, minutes = 60, now = Date.now()): Promise<Throughput> {
  const nowMin = Math.floor(now / 60_000);
  const firstMin = nowMin - minutes + 1;
  const perMinute = new Array<number>(minutes).fill(0);
  const m = await q.getMetrics('completed', 0, minutes);
  if (m.meta.prevTS > 0) {
    const prevMin = Math.floor(m.meta.prevTS / 60_000);
    const put = (min: number, n: number) => {
      if (min >= firstMin && min <= nowMin) perMinute[min - firstMin] += n;
    };
    put(prevMin, Math.max(0, m.meta.count - m.meta.prevCount));
    m.data.forEach((n, i) => put(prevMin - 1 - i, n));
  }
  return { perMinute, total: perMinute.reduce((a, b) => a + b, 0), from: firstMin * 60_000 };
}
