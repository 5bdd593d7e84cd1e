// Queue names, job payloads and job options: the only place that knows how work is queued.
import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { Recipient } from '../types.js';

export const DISPATCH_QUEUE = 'dispatch';

/** BullMQ queue names may not contain ':' (webhook:eng-faculty → deliver-webhook.eng-faculty). */
export function deliverQueueName(channel: string): string {
  return `deliver-${channel.replace(/:/g, '.')}`;
}

export interface DispatchJob {
  announcementId: string;
  /** Set for a correction's fan-out (job name "correct"): the revision to apply to what was sent. */
  revision?: number;
}

export interface DeliverJob {
  announcementId: string;
  channel: string;
  recipients: Recipient[];
  /** Set for a batch of corrections: the revision to apply to these recipients' messages. */
  revision?: number;
}

/** urgent: no priority (BullMQ runs those before any prioritized job); normal: priority 2. */
export function priorityOption(priority: 'normal' | 'urgent'): Pick<JobsOptions, 'priority'> {
  return priority === 'urgent' ? {} : { priority: 2 };
}

/** Deterministic job ids: a repeated enqueue of the same batch is a no-op. No ':' allowed. */
export function deliverJobId(annId: string, channel: string, batchKey: string): string {
  return `${annId}.${channel.replace(/:/g, '.')}.${batchKey}`;
}

export const dispatchJobId = (annId: string): string => `dispatch.${annId}`;

/** One correction's fan-out job per (announcement, revision): a repeated add is a no-op. */
export const correctionJobId = (annId: string, revision: number): string => `correct.${annId}.${revision}`;

/**
 * The id of one (announcement, channel, recipient) delivery, the same on every attempt: the
 * e-mail Message-ID, Mastodon's Idempotency-Key, the webhook's X-Crier-Delivery, Telegram's
 * sent-parts key. No ':' (BullMQ, Redis key segments).
 */
export const deliveryId = (annId: string, channel: string, recipientId: string): string => `${annId}.${channel.replace(/:/g, '.')}.${recipientId}`;

/**
 * Recipients per delivery job for a channel: its own limit (Telegram 20, one message a job for
 * the chat robots) or delivery.batchSize. Fan-out and an admin's retry both batch by this.
 */
export function batchSizeFor(channel: { limits: { batchSize?: number } } | undefined, defaultSize: number): number {
  return channel?.limits.batchSize ?? defaultSize;
}

export interface QueueSettings {
  attempts: number;
  /** Completed jobs are kept this long so a repeated add with the same id stays a no-op. */
  keepCompletedSeconds: number;
}

export class Queues {
  private readonly deliverQueues = new Map<string, Queue<DeliverJob>>();
  readonly dispatch: Queue<DispatchJob>;

  constructor(
    private readonly connection: ConnectionOptions,
    private readonly prefix: string,
    private readonly settings: QueueSettings,
  ) {
    this.dispatch = quiet(new Queue<DispatchJob>(DISPATCH_QUEUE, { connection, prefix }));
  }

  deliver(channel: string): Queue<DeliverJob> {
    let q = this.deliverQueues.get(channel);
    if (!q) {
      q = quiet(new Queue<DeliverJob>(deliverQueueName(channel), { connection: this.connection, prefix: this.prefix }));
      this.deliverQueues.set(channel, q);
    }
    return q;
  }

  deliverJobOptions(jobId: string, priority: 'normal' | 'urgent'): JobsOptions {
    return {
      jobId,
      ...priorityOption(priority),
      attempts: this.settings.attempts,
      backoff: { type: 'crier' },
      removeOnComplete: { age: this.settings.keepCompletedSeconds },
      // Failed jobs stay: the delivery log already holds the reason, the job the history.
      removeOnFail: { age: this.settings.keepCompletedSeconds },
    };
  }

  dispatchJobOptions(annId: string, delayMs: number, priority: 'normal' | 'urgent'): JobsOptions {
    return {
      jobId: dispatchJobId(annId),
      delay: Math.max(0, delayMs),
      ...priorityOption(priority),
      attempts: 20,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: this.settings.keepCompletedSeconds },
      removeOnFail: { age: this.settings.keepCompletedSeconds },
    };
  }

  async close(): Promise<void> {
    await Promise.all([this.dispatch.close(), ...[...this.deliverQueues.values()].map((q) => q.close())]);
  }
}

/**
 * A Queue with no 'error' listener prints every connection error with console.error (BullMQ's
 * QueueBase.emit): a stack trace on stderr per reconnect try while Redis is down (issue 15, fault
 * suite: redis-outage). The errors surface through the commands that fail, as with createRedis.
 */
export function quiet<Q extends Queue>(q: Q): Q {
  q.on('error', () => {});
  return q;
}
