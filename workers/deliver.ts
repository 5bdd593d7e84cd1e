// The delivery worker: one generic worker drives any channel. It owns what surrounds a send:
// the shared rate limits, the state machine of the delivery log, retries with backoff (a 429's
// retry-after honoured), permanent failures, recipients who are gone, and crash recovery.
import type { Job, Worker } from 'bullmq';
import type { Services } from '../src/services.js';
import { deliverQueueName, deliveryId, type DeliverJob } from '../src/queue/queues.js';
import { ChannelError, type Announcement, type Channel, type DeliveryStatus, type Recipient } from '../src/types.js';
import type { TransitionOp, TransitionResult } from '../src/store/deliveries.js';
import { makeWorker } from '../src/queue/worker.js';
import { recordRateLimitWait, recordRetry } from '../src/metrics/stats.js';
import { correctBatch, type CorrectDeps } from './correct.js';

/**
 * What a delivery worker uses: the worker's settings and log, the announcement cache, the
 * delivery log, the pacer (rate limits) and the stats hash (redis, keys) of the metrics.
 */
export type DeliverDeps = Pick<Services, 'config' | 'keys' | 'log' | 'redis' | 'deliveries' | 'pacer' | 'announcementCache'> & CorrectDeps;

export interface DeliverWorkerOptions {
  lockMs?: number;
  /** Overrides the channel's own concurrency (tests, benchmarks). */
  concurrency?: number;
}

/** Exponential backoff with jitter; a retry-after from the platform wins. */
export function backoffDelay(attemptsMade: number, baseMs: number, err?: Error): number {
  if (err instanceof ChannelError && err.retryAfterMs !== undefined) {
    return err.retryAfterMs + Math.floor(Math.random() * Math.min(1000, baseMs));
  }
  const ceiling = baseMs * 2 ** Math.max(0, attemptsMade - 1);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

export function startDeliverWorker(s: DeliverDeps, channel: Channel, opts: DeliverWorkerOptions = {}): Worker<DeliverJob> {
  // One queue per channel carries its sends and its corrections, so both share its workers and limits.
  const run = (job: Job<DeliverJob>) => (job.data.revision !== undefined ? correctBatch(s, channel, job) : deliverBatch(s, channel, job));
  return makeWorker<DeliverJob>(s, deliverQueueName(channel.name), run, {
    logName: `deliver:${channel.name}`,
    concurrency: opts.concurrency ?? channel.limits.concurrency ?? 4,
    lockMs: opts.lockMs,
    metrics: { maxDataPoints: 120 }, // per-minute completed jobs for the dashboard's throughput chart (2 h)
    settings: { backoffStrategy: (attemptsMade, _type, err) => backoffDelay(attemptsMade, s.config.delivery.backoffMs, err) },
  });
}

/** What a finished send leaves to write: its outcome, and what to do once it is written. */
interface Outcome {
  op: TransitionOp;
  afterWrite?: () => Promise<void>;
  /** Retryable: the job is tried again (after retryAfterMs when the platform said so). */
  retry?: ChannelError;
}

/**
 * Sends a batch with up to `limits.inFlight` sends at once (lanes), so a connection pool or a
 * platform's limit is kept busy while another send waits on Redis or the network. In each
 * lane, a recipient's outcome is written in the same round trip as the lane's next "sending"
 * mark (both still atomic steps, in order): a message costs one round trip to Redis, not two,
 * and a crash leaves at most one "sending" per lane, which the next run marks possibleDuplicate.
 */
export async function deliverBatch(s: DeliverDeps, channel: Channel, job: Job<DeliverJob>): Promise<void> {
  const { announcementId: annId, recipients } = job.data;
  const ann = await s.announcementCache.get(annId);
  if (!ann || ann.status === 'cancelled' || ann.retracted) {
    const error = !ann ? 'announcement no longer stored' : ann.retracted ? 'retracted' : 'announcement cancelled';
    // A retraction also ends a send a crash left "sending": it is not tried again.
    const from: DeliveryStatus[] = ann?.retracted ? ['queued', 'sending'] : ['queued'];
    await s.deliveries.transitionMany(recipients.map((r) => ({
      annId, channel: channel.name, recipientId: r.id, status: 'skipped' as const, from, patch: { error },
    })));
    return;
  }
  // Attempts are counted per recipient in the delivery log, capped at the limit: BullMQ does not
  // count a run that a kill -9 interrupted, so after a crash its count falls behind the log's.
  const maxAttempts = job.opts.attempts ?? s.config.delivery.attempts;
  const jobLastAttempt = job.attemptsMade + 1 >= maxAttempts;
  let retryError: ChannelError | undefined;
  let next = 0;

  const lane = async (): Promise<void> => {
    let pending: Outcome | undefined;
    // Writes the lane's last outcome (and, when given, its next recipient's start) in one round trip.
    const flush = async (begin?: TransitionOp): Promise<TransitionResult | undefined> => {
      const written = pending;
      pending = undefined;
      const ops = [...(written ? [written.op] : []), ...(begin ? [begin] : [])];
      const results = ops.length ? await s.deliveries.transitionMany(ops) : [];
      await written?.afterWrite?.();
      return begin ? results[results.length - 1] : undefined;
    };
    // Rate limited: the rest wait with this job, which BullMQ runs again after retry-after.
    while (next < recipients.length && retryError?.retryAfterMs === undefined) {
      const r = recipients[next++];
      const begun = await flush({
        annId, channel: channel.name, recipientId: r.id, status: 'sending', from: ['queued', 'sending'], countAttempt: true, attemptCap: maxAttempts,
      });
      if (!begun!.applied) continue; // already sent, failed or skipped: a redelivered job does not send again
      // The last try died between "sending" and its outcome: the message may have gone out.
      const possibleDuplicate = begun!.previous === 'sending' ? true : undefined;
      // At the cap, an attempt interrupted by a crash is made again as the same attempt.
      const rec = begun!.record;
      const attempt = rec ? rec.attempts - (rec.retryBase ?? 0) : job.attemptsMade + 1;
      pending = await sendOne(s, channel, ann, r, job, attempt, jobLastAttempt || attempt >= maxAttempts, possibleDuplicate);
      const retry = pending.retry;
      if (retry && (!retryError || retry.retryAfterMs !== undefined)) retryError = retry;
      // A "too many requests" slows every worker of the channel (or of this recipient), not only this job.
      if (retry?.retryAfterMs !== undefined) await s.pacer.holdOff(channel, r, retry.retryAfterMs, retry.holdScope);
    }
    await flush();
  };

  const lanes = Math.max(1, Math.min(channel.limits.inFlight ?? 1, recipients.length));
  // Every lane finishes (its outcome written) before a failure of one is reported.
  const settled = await Promise.allSettled(Array.from({ length: lanes }, lane));
  const crashed = settled.find((x): x is PromiseRejectedResult => x.status === 'rejected');
  if (crashed) throw crashed.reason;
  if (retryError) throw retryError;
}

/** Waits for the rate limits, renders and sends to one recipient; says what to record. */
async function sendOne(
  s: DeliverDeps, channel: Channel, ann: Announcement, r: Recipient, job: Job<DeliverJob>, attempt: number, lastAttempt: boolean,
  possibleDuplicate: true | undefined,
): Promise<Outcome> {
  const base = { annId: ann.id, channel: channel.name, recipientId: r.id, from: ['sending'] as DeliveryStatus[] };
  const waitedMs = await s.pacer.acquire(channel, r);
  if (waitedMs > 0) await recordRateLimitWait(s, channel.name, waitedMs); // metrics: never throws
  const id = deliveryId(ann.id, channel.name, r.id);
  try {
    const msg = channel.render(ann, r);
    const res = await channel.send(msg, r, { id, attempt });
    // The sent transition also observes the delivery's latency (metrics), in the same Lua step.
    // The reference, time and revision are what a later correction of this message acts on.
    const sent = { ref: res.ref, sentAt: new Date().toISOString(), revision: ann.revision ?? 1, kind: 'send' as const };
    return { op: { ...base, status: 'sent', patch: { error: null, externalId: res.externalId ?? null, possibleDuplicate, ...sent } } };
  } catch (e) {
    const err = ChannelError.from(e);
    if (err.kind === 'retryable' && !lastAttempt) {
      return {
        op: { ...base, status: 'queued', patch: { error: err.message, possibleDuplicate } },
        afterWrite: () => recordRetry(s, channel.name), // metrics: never throws
        retry: err,
      };
    }
    const gone = err.kind === 'recipientGone';
    const reason = err.kind === 'retryable' ? `${err.message} (gave up after ${attempt} attempts)` : err.message;
    return {
      op: { ...base, status: 'failed', patch: { error: reason, gone, possibleDuplicate } },
      afterWrite: gone && channel.recipientGone
        ? () => channel.recipientGone!(r, err.message).catch((ge: Error) => s.log.warn('could not deactivate recipient', { recipient: r.id, error: ge.message }))
        : undefined,
    };
  }
}
