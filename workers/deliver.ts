// The delivery worker: one generic worker drives any channel. It owns what surrounds a send:
// the shared rate limits, the state machine of the delivery log, retries with backoff (a 429's
// retry-after honoured), permanent failures, recipients who are gone, and crash recovery.
import { Worker, type Job } from 'bullmq';
import type { Services } from '../src/services.js';
import { deliverQueueName, type DeliverJob } from '../src/queue/queues.js';
import { ChannelError, type Announcement, type Channel, type Recipient } from '../src/types.js';
import { createRedis } from '../src/redis/connection.js';
import { recordRateLimitWait, recordRetry } from '../src/metrics/stats.js';

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

export function startDeliverWorker(s: Services, channel: Channel, opts: DeliverWorkerOptions = {}): Worker<DeliverJob> {
  const log = s.log.child(`deliver:${channel.name}`);
  const worker = new Worker<DeliverJob>(deliverQueueName(channel.name), (job) => deliverBatch(s, channel, job), {
    connection: createRedis(s.config.redis.url, { blocking: true }),
    prefix: s.keys.bullPrefix,
    concurrency: opts.concurrency ?? channel.limits.concurrency ?? 4,
    lockDuration: opts.lockMs ?? s.config.delivery.lockMs,
    stalledInterval: opts.lockMs ?? s.config.delivery.lockMs,
    maxStalledCount: 1000,
    metrics: { maxDataPoints: 120 }, // per-minute completed jobs for the dashboard's throughput chart (2 h)
    settings: { backoffStrategy: (attemptsMade, _type, err) => backoffDelay(attemptsMade, s.config.delivery.backoffMs, err) },
  });
  worker.on('error', (err) => log.error('worker error', { error: err.message }));
  return worker;
}

const annCache = new Map<string, { ann: Announcement; at: number }>();

async function loadAnnouncement(s: Services, id: string): Promise<Announcement | null> {
  const hit = annCache.get(`${s.keys.prefix}|${id}`);
  // Content never changes; the status is read fresh for cancellation.
  if (hit && Date.now() - hit.at < 60_000) return { ...hit.ann, status: (await s.announcements.status(id)) ?? hit.ann.status };
  const ann = await s.announcements.get(id);
  if (ann) {
    if (annCache.size > 500) annCache.clear();
    annCache.set(`${s.keys.prefix}|${id}`, { ann, at: Date.now() });
  }
  return ann;
}

export async function deliverBatch(s: Services, channel: Channel, job: Job<DeliverJob>): Promise<void> {
  const { announcementId: annId, recipients } = job.data;
  const ann = await loadAnnouncement(s, annId);
  const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  let retryError: ChannelError | undefined;
  for (let i = 0; i < recipients.length; i++) {
    const r = recipients[i];
    if (!ann || ann.status === 'cancelled') {
      await s.deliveries.transition(annId, channel.name, r.id, 'skipped', ['queued'], {
        error: ann ? 'announcement cancelled' : 'announcement no longer stored',
      });
      continue;
    }
    if (retryError?.retryAfterMs !== undefined) break; // rate limited: the rest wait with this job
    const outcome = await deliverOne(s, channel, ann, r, job, lastAttempt);
    if (outcome) retryError ??= outcome;
    if (outcome?.retryAfterMs !== undefined) retryError = outcome;
  }
  if (retryError) throw retryError;
}

/** Sends to one recipient; returns a retryable error when the job should be tried again. */
async function deliverOne(
  s: Services, channel: Channel, ann: Announcement, r: Recipient, job: Job<DeliverJob>, lastAttempt: boolean,
): Promise<ChannelError | undefined> {
  const begin = await s.deliveries.transition(ann.id, channel.name, r.id, 'sending', ['queued', 'sending'], {}, { countAttempt: true });
  if (!begin.applied) return undefined; // already sent, failed or skipped: a redelivered job does not send again
  if (begin.previous === 'sending') {
    // The last try died between "sending" and its outcome: the message may have gone out.
    await s.deliveries.transition(ann.id, channel.name, r.id, 'sending', ['sending'], { possibleDuplicate: true });
  }
  let waitedMs = 0;
  if (channel.limits.perSecond) waitedMs += await s.limiter.acquire(s.keys.rate(channel.name), channel.limits.perSecond);
  if (channel.limits.perTargetPerSecond) {
    waitedMs += await s.limiter.acquire(s.keys.rate(`${channel.name}:${r.id}`), channel.limits.perTargetPerSecond);
  }
  await recordRateLimitWait(s, channel.name, waitedMs); // metrics: never throws
  const deliveryId = `${ann.id}.${channel.name.replace(/:/g, '.')}.${r.id}`;
  try {
    const msg = channel.render(ann, r);
    const res = await channel.send(msg, r, { id: deliveryId, attempt: job.attemptsMade + 1 });
    // The sent transition also observes the delivery's latency (metrics), in the same Lua step.
    await s.deliveries.transition(ann.id, channel.name, r.id, 'sent', ['sending'], { error: null, externalId: res.externalId ?? null });
    return undefined;
  } catch (e) {
    const err = e instanceof ChannelError ? e : ChannelError.retryable(e instanceof Error ? e.message : String(e), undefined, e);
    if (err.kind === 'retryable' && !lastAttempt) {
      await s.deliveries.transition(ann.id, channel.name, r.id, 'queued', ['sending'], { error: err.message });
      await recordRetry(s, channel.name); // metrics: never throws
      return err;
    }
    const gone = err.kind === 'recipientGone';
    const reason = err.kind === 'retryable' ? `${err.message} (gave up after ${job.attemptsMade + 1} attempts)` : err.message;
    await s.deliveries.transition(ann.id, channel.name, r.id, 'failed', ['sending'], { error: reason, gone });
    if (gone) await channel.recipientGone?.(r, err.message).catch((ge: Error) => s.log.warn('could not deactivate recipient', { recipient: r.id, error: ge.message }));
    return undefined;
  }
}
