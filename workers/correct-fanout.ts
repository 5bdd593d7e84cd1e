// A correction's fan-out: walks the delivery log of every channel the announcement went to
// and queues one correction per message sent (or still being sent: the correction waits for
// it, workers/correct.ts). It saves its scan cursor per channel, so a crash resumes where it
// was; the log (HSETNX) and the job ids (deterministic) make a repeated page a no-op.
import type { Job } from 'bullmq';
import type { Services } from '../src/services.js';
import { batchSizeFor, deliverJobId, type DispatchJob } from '../src/queue/queues.js';
import type { Announcement, DeliveryKind, DeliveryRecord, Recipient } from '../src/types.js';

export type CorrectionFanoutDeps = Pick<Services, 'config' | 'announcements' | 'channels' | 'deliveries' | 'corrections' | 'queues'>;

/** Sends that a correction acts on: those sent, and those not finished yet (it waits for them). */
const CORRECTABLE = new Set(['sent', 'sending', 'queued']);

export async function correctionFanout(s: CorrectionFanoutDeps, job: Job<DispatchJob>): Promise<void> {
  const { announcementId: id, revision } = job.data;
  const ann = await s.announcements.get(id);
  if (!ann || revision === undefined) return;
  const kind: DeliveryKind = ann.retracted ? 'retract' : 'edit';
  for (const name of ann.channels) {
    // A newer revision's correction covers every message again: this one stops queueing.
    const superseded = (ann.revision ?? 1) > revision;
    if (!superseded && s.channels.has(name)) await fanOutChannel(s, ann, name, revision, kind);
    await s.corrections.fanoutDone(id, revision, name);
  }
}

async function fanOutChannel(s: CorrectionFanoutDeps, ann: Announcement, name: string, revision: number, kind: DeliveryKind): Promise<void> {
  const cursor = await s.corrections.fanoutCursor(ann.id, revision, name);
  if (cursor === 'done') return;
  const batchSize = batchSizeFor(s.channels.get(name), s.config.delivery.batchSize);
  const queue = s.queues.deliver(name);
  let scan = cursor ?? '0';
  do {
    const page = await s.deliveries.scan(ann.id, name, scan);
    const recipients = page.records.filter((r) => CORRECTABLE.has(r.status)).map(recipientOf);
    await s.corrections.enqueueMany(ann.id, revision, name, recipients.map((recipient) => ({ recipient, kind })));
    const batches: Recipient[][] = [];
    for (let i = 0; i < recipients.length; i += batchSize) batches.push(recipients.slice(i, i + batchSize));
    if (batches.length) {
      await queue.addBulk(batches.map((batch, i) => ({
        name: 'correct',
        data: { announcementId: ann.id, channel: name, recipients: batch, revision },
        opts: s.queues.deliverJobOptions(deliverJobId(ann.id, name, `r${revision}-${scan}-${i}`), 'urgent'),
      })));
    }
    scan = page.next;
    if (scan !== '0') await s.corrections.saveFanoutCursor(ann.id, revision, name, scan);
  } while (scan !== '0');
}

function recipientOf(rec: DeliveryRecord): Recipient {
  const r: Recipient = { id: rec.recipient, address: rec.address, language: rec.language ?? 'both' };
  if (rec.subscriberId) r.subscriberId = rec.subscriberId;
  return r;
}
