// Every BullMQ worker of Crier is made here: its own blocking Redis connection (BullMQ needs
// maxRetriesPerRequest: null), closed with the worker; the queue prefix; the lock settings
// (delivery.lockMs) under which a job whose process died is taken over; and a crash never
// failing a job (maxStalledCount: a stalled job runs again); errors of the worker logged.
import { Worker, type Job, type WorkerOptions } from 'bullmq';
import { createRedis } from '../redis/connection.js';
import type { Services } from '../services.js';

export interface MakeWorkerOptions extends Partial<Pick<WorkerOptions, 'concurrency' | 'metrics' | 'settings'>> {
  /** Lock duration and stall check interval (default delivery.lockMs). */
  lockMs?: number;
  /** Name used in the worker's log lines. */
  logName: string;
}

export function makeWorker<T>(
  s: Pick<Services, 'config' | 'keys' | 'log'>,
  queue: string,
  process: (job: Job<T>) => Promise<unknown>,
  opts: MakeWorkerOptions,
): Worker<T> {
  const { lockMs = s.config.delivery.lockMs, logName, ...rest } = opts;
  const connection = createRedis(s.config.redis, { blocking: true });
  const worker = new Worker<T>(queue, process, {
    connection,
    prefix: s.keys.bullPrefix,
    lockDuration: lockMs,
    stalledInterval: lockMs,
    maxStalledCount: 1000,
    ...rest,
  });
  const log = s.log.child(logName);
  worker.on('error', (err) => log.error('worker error', { error: err.message }));
  worker.on('closed', () => connection.disconnect());
  return worker;
}
