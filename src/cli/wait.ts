// `crier post --wait`, `crier status ID --watch` (and `crier edit/retract --wait` through
// followUntil, in correction-wait.ts): follow the event stream until the
// announcement is final, re-reading its per-channel counts after each batch of its events (and
// every 2 s, in case one was missed) and handing them to LiveProgress, which draws bars on a
// terminal and throttled plain lines elsewhere. Then the closing report: totals and the
// failures grouped by reason.
import { watchEvents, type CrierEvent } from '../events/watch.js';
import type { AnnouncementView } from '../producer.js';
import type { Services } from '../services.js';
import type { AnnouncementStatus, DeliveryRecord } from '../types.js';
import type { ProgressState } from './progress/bars.js';
import { failureSummaryLines, groupFailures } from './progress/failures.js';
import { LiveProgress, type LiveProgressOptions, type ProgressOut } from './progress/live.js';
import { totalsLine } from './report.js';

export const FINAL_ANNOUNCEMENT_STATUSES: readonly AnnouncementStatus[] = ['done', 'done_with_failures', 'cancelled'];

export interface WaitOptions extends LiveProgressOptions {
  /** Stream position to read after: taken before the announcement was created (post) or read (status). */
  fromId: string;
  out: ProgressOut;
  /** Re-read this often even without events (default 2 s). */
  safetyMs?: number;
}

export async function waitUntilFinal(s: Pick<Services, 'producer' | 'config' | 'keys'>, id: string, opts: WaitOptions): Promise<AnnouncementView> {
  return followUntil(s, {
    ...opts,
    read: () => s.producer.view(id),
    isFinal: (view) => FINAL_ANNOUNCEMENT_STATUSES.includes(view.status),
    relevant: (e) => e.ann === id,
  });
}

export interface FollowOptions<V extends ProgressState> extends WaitOptions {
  /** The current state; null when it cannot be read (tried again on the next event or tick). */
  read(): Promise<V | null>;
  isFinal(view: V): boolean;
  /** Whether an event of the stream may have changed the state (a read follows). */
  relevant(event: CrierEvent): boolean;
}

/**
 * Shows `read()` live until `isFinal`: re-read after each batch of relevant events and every
 * `safetyMs`, drawn by LiveProgress. Used for an announcement's sends and for a correction.
 */
export async function followUntil<V extends ProgressState>(s: Pick<Services, 'config' | 'keys'>, opts: FollowOptions<V>): Promise<V> {
  const progress = new LiveProgress(opts.out, opts);
  const stop = new AbortController();
  let finish!: (v: V) => void;
  const final = new Promise<V>((resolve) => (finish = resolve));

  // One read at a time; events arriving during a read ask for one more read after it, so the
  // last state shown is never older than the last event.
  let reading: Promise<void> | null = null;
  let again = false;
  const refresh = (): void => {
    if (stop.signal.aborted) return;
    if (reading) {
      again = true;
      return;
    }
    reading = (async () => {
      do {
        again = false;
        let view: V | null = null;
        try {
          view = await opts.read();
        } catch {
          // Redis hiccup: the next event or tick reads again.
        }
        if (!view || stop.signal.aborted) continue;
        if (opts.isFinal(view)) {
          progress.finish(view);
          stop.abort();
          finish(view);
          return;
        }
        progress.update(view);
      } while (again && !stop.signal.aborted);
    })().finally(() => {
      reading = null;
    });
  };

  const timer = setInterval(refresh, opts.safetyMs ?? 2000);
  const watching = watchEvents(s.config.redis, s.keys.events, {
    fromId: opts.fromId,
    signal: stop.signal,
    onEvents: (events) => (events.some(opts.relevant) ? refresh() : undefined),
  });
  refresh();
  try {
    return await final;
  } finally {
    clearInterval(timer);
    progress.stop();
    stop.abort();
    await watching.catch(() => {});
    await reading;
  }
}

/** Reads at most this many failed records to group them (the counters give the exact total). */
export const MAX_FAILURES_READ = 10_000;

/** Every failed delivery of the announcement, up to `max`, streamed channel by channel. */
export async function readFailures(s: Pick<Services, 'deliveries'>, view: Pick<AnnouncementView, 'id' | 'channels'>, max = MAX_FAILURES_READ): Promise<DeliveryRecord[]> {
  const found: DeliveryRecord[] = [];
  for (const channel of view.channels) {
    for await (const rec of s.deliveries.recordsWithStatus(view.id, channel, 'failed')) {
      found.push(rec);
      if (found.length >= max) return found;
    }
  }
  return found;
}

/** The closing lines: totals, then the failures grouped by reason (up to `limit` reasons). */
export async function finalReport(s: Pick<Services, 'deliveries'>, view: AnnouncementView, limit = 20): Promise<string[]> {
  const lines = [totalsLine(view)];
  const failedCount = Object.values(view.deliveries).reduce((n, c) => n + c.failed, 0);
  if (failedCount > 0) {
    const records = await readFailures(s, view);
    lines.push(...failureSummaryLines(groupFailures(records), failedCount, { limit, scanned: records.length }));
  }
  return lines;
}
