// The producer: validated announcements in, stored once, one dispatch job out.
// Also the operations on an announcement afterwards: cancel, retry, status.
import type { CrierConfig } from './config/schema.js';
import { enabledChannelNames } from './config/schema.js';
import { makeAnnouncementSchema, type AnnouncementSchema } from './announcement/schema.js';
import { AnnouncementStore, hashInput, newAnnouncementId } from './store/announcements.js';
import type { DeliveryCounts, DeliveryLog } from './store/deliveries.js';
import { deliverJobId, dispatchJobId, type Queues } from './queue/queues.js';
import type { Announcement, AnnouncementInput, DeliveryRecord, Recipient } from './types.js';

export interface AnnouncementView extends Announcement {
  deliveries: Record<string, DeliveryCounts>;
}

export type CancelResult = { ok: true } | { ok: false; reason: 'not_found' } | { ok: false; reason: 'not_cancellable'; status: string };

export class Producer {
  readonly schema: AnnouncementSchema;

  constructor(
    private readonly config: CrierConfig,
    private readonly store: AnnouncementStore,
    private readonly log: DeliveryLog,
    private readonly queues: Queues,
    /** Recipients per delivery job of a channel, as fan-out batches them (batchSizeFor). */
    private readonly batchSize: (channel: string) => number = () => config.delivery.batchSize,
  ) {
    this.schema = makeAnnouncementSchema({
      topics: config.topics.map((t) => t.id),
      channels: enabledChannelNames(config),
      timezone: config.library.timezone,
    });
  }

  /** Stores and queues a validated announcement. A repeated Idempotency-Key returns the first id. */
  async create(
    input: AnnouncementInput,
    opts: { createdBy: string; createdByEmail?: string; approvedBy?: string; idempotencyKey?: string },
  ): Promise<{ id: string; status: 'queued' | 'scheduled'; repeat: boolean }> {
    const now = Date.now();
    let id = newAnnouncementId(now);
    if (opts.idempotencyKey) {
      const claim = await this.store.claimIdempotencyKey(opts.idempotencyKey, hashInput(input), id);
      id = claim.id;
      const existing = claim.repeat ? await this.store.get(id) : null;
      if (existing) return { id, status: existing.status === 'scheduled' ? 'scheduled' : 'queued', repeat: true };
    }
    const publishAtMs = input.publishAt ? Date.parse(input.publishAt) : now;
    const scheduled = publishAtMs > now + 1000;
    const ann: Announcement = {
      ...input,
      id,
      channels: input.channels ?? enabledChannelNames(this.config),
      status: scheduled ? 'scheduled' : 'queued',
      createdAt: new Date(now).toISOString(),
      createdBy: opts.createdBy,
      ...(opts.createdByEmail ? { createdByEmail: opts.createdByEmail } : {}),
      ...(opts.approvedBy ? { approvedBy: opts.approvedBy } : {}),
      publishedAt: new Date(Math.max(publishAtMs, now)).toISOString(),
    };
    await this.store.save(ann);
    await this.queueDispatch(ann);
    return { id, status: scheduled ? 'scheduled' : 'queued', repeat: false };
  }

  /** Adds the dispatch job; the fixed job id makes a repeat (recovery after a crash) a no-op. */
  async queueDispatch(ann: Announcement): Promise<void> {
    const delay = ann.status === 'scheduled' ? Date.parse(ann.publishedAt) - Date.now() : 0;
    await this.queues.dispatch.add('dispatch', { announcementId: ann.id }, this.queues.dispatchJobOptions(ann.id, delay, ann.priority));
  }

  async view(id: string): Promise<AnnouncementView | null> {
    const ann = await this.store.get(id);
    if (!ann) return null;
    return { ...ann, deliveries: await this.log.counts(id, ann.channels) };
  }

  /** Cancels an announcement that has not started dispatching. */
  async cancel(id: string): Promise<CancelResult> {
    const r = await this.store.setStatusIf(id, 'cancelled', ['scheduled', 'queued']);
    if (r === null) return { ok: false, reason: 'not_found' };
    if (!r.ok) return { ok: false, reason: 'not_cancellable', status: r.current };
    // The dispatch job checks the status too, so a job that fires in between does nothing.
    await this.queues.dispatch.remove(dispatchJobId(id)).catch(() => 0);
    return { ok: true };
  }

  /** Puts every failed delivery (except recipients who are gone) back in its queue; `channel`: only that one's. */
  async retryFailed(id: string, opts: { channel?: string } = {}): Promise<{ requeued: number } | null> {
    const ann = await this.store.get(id);
    if (!ann) return null;
    let requeued = 0;
    const round = Date.now().toString(36);
    for (const channel of ann.channels.filter((c) => !opts.channel || c === opts.channel)) {
      const batchSize = this.batchSize(channel);
      let batch: Recipient[] = [];
      let n = 0;
      const flush = async () => {
        if (batch.length === 0) return;
        await this.queues.deliver(channel).add(
          'deliver',
          { announcementId: id, channel, recipients: batch },
          this.queues.deliverJobOptions(deliverJobId(id, channel, `r${round}-${n++}`), ann.priority),
        );
        batch = [];
      };
      for await (const rec of this.log.recordsWithStatus(id, channel, 'failed')) {
        if (rec.gone) continue;
        const t = await this.log.transition(id, channel, rec.recipient, 'queued', ['failed']);
        if (!t.applied) continue;
        requeued += 1;
        batch.push(recipientFromRecord(rec));
        if (batch.length >= batchSize) await flush();
      }
      await flush();
    }
    return { requeued };
  }
}

/** The log keeps what a retry needs to address a recipient again. */
function recipientFromRecord(rec: DeliveryRecord): Recipient {
  const r: Recipient = { id: rec.recipient, address: rec.address, language: rec.language ?? 'both' };
  if (rec.subscriberId) r.subscriberId = rec.subscriberId;
  return r;
}
