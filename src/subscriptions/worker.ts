// The confirmation-mail worker, started with the e-mail delivery worker (workers/index.ts).
// Starting it also resolves the subscription token secret for this process, before any e-mail
// delivery worker runs: the e-mail channel signs each unsubscribe link synchronously.
import type { Worker } from 'bullmq';
import { makeWorker } from '../queue/worker.js';
import type { Services } from '../services.js';
import { CONFIRM_QUEUE, confirmBackoff, subscriptionsFor, type ConfirmJob } from './service.js';

export async function startConfirmationWorker(s: Pick<Services, 'config' | 'keys' | 'log' | 'subscriptions'>): Promise<Worker<ConfirmJob>> {
  const svc = subscriptionsFor(s);
  await svc.ready();
  const log = s.log.child('confirmations');
  const worker = makeWorker<ConfirmJob>(s, CONFIRM_QUEUE, (job) => svc.sendConfirmation(job), {
    logName: 'confirmations',
    concurrency: 2,
    settings: { backoffStrategy: (attemptsMade: number) => confirmBackoff(attemptsMade, s.config.delivery.backoffMs) },
  });
  worker.on('failed', (job, err) => {
    const final = !job || job.attemptsMade >= (job.opts.attempts ?? 1) || err.name === 'UnrecoverableError';
    if (final) log.error('confirmation mail failed', { subscriber: job?.data.subscriberId, error: err.message });
    else log.warn('confirmation mail will be retried', { subscriber: job?.data.subscriberId, attempt: job?.attemptsMade, error: err.message });
  });
  return worker;
}
