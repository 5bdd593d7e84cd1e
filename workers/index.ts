// Starts the workers of one process: the dispatch worker and a delivery worker per channel
// (all channels, or the ones named with --channels). Closing waits for in-flight sends.
import { startAlerts } from '../src/alerts/worker.js';
import type { Worker } from 'bullmq';
import type { Services } from '../src/services.js';
import { startDispatchWorker } from './dispatch.js';
import { startDeliverWorker, type DeliverWorkerOptions } from './deliver.js';
import { startConfirmationWorker } from '../src/subscriptions/worker.js';

export interface RunningWorkers {
  workers: Worker[];
  close(): Promise<void>;
}

export interface StartWorkersOptions extends DeliverWorkerOptions {
  /** Only these channels' delivery workers (default: every enabled channel). */
  channels?: string[];
  /** Run the dispatch (fan-out) worker too (default true). */
  dispatch?: boolean;
}

export async function startWorkers(s: Services, opts: StartWorkersOptions = {}): Promise<RunningWorkers> {
  const names = opts.channels ?? [...s.channels.keys()];
  const unknown = names.filter((n) => !s.channels.has(n));
  if (unknown.length > 0) {
    throw new Error(`--channels: not enabled in this configuration: ${unknown.join(', ')} (enabled: ${[...s.channels.keys()].join(', ')})`);
  }
  const workers: Worker[] = [];
  if (opts.dispatch !== false) {
    workers.push(startDispatchWorker(s, opts));
    await recoverDispatches(s);
  }
  if (names.includes('email')) workers.push(await startConfirmationWorker(s)); // also loads the token secret e-mail needs
  for (const name of names) workers.push(startDeliverWorker(s, s.channels.get(name)!, opts));
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  // Failure alerts run beside the dispatch worker (one per deployment is enough; more share the work).
  const alerts = opts.dispatch !== false && s.config.alerts.enabled && s.channels.has('email') ? await startAlerts(s) : null;
  return {
    workers,
    // Worker.close() lets in-flight jobs finish: no send is cut off by a SIGTERM.
    close: async () => {
      await Promise.all([...workers.map((w) => w.close()), alerts?.close()]);
    },
  };
}

/**
 * A crash between storing an announcement and queueing its dispatch job would strand it.
 * At start, every recent announcement not yet final gets its dispatch job again (a no-op
 * when the job exists, thanks to its fixed id).
 */
export async function recoverDispatches(s: Pick<Services, 'announcements' | 'producer'>, lookBack = 1000): Promise<number> {
  // One round trip for every status; only the few unfinished ones are read whole.
  let n = 0;
  for (const { id, status } of await s.announcements.recentStatuses(lookBack)) {
    if (!['queued', 'scheduled', 'dispatching'].includes(status ?? '')) continue;
    const ann = await s.announcements.get(id);
    if (!ann) continue;
    await s.producer.queueDispatch(ann);
    n += 1;
  }
  return n;
}
