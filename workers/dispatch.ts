// The dispatch worker: fans one announcement out to every recipient of every channel it goes
// to, a page at a time. After each page it saves the channel's cursor, so a crash resumes at
// the page it was on; the page is written again, and both the log (HSETNX) and the job ids
// (deterministic) make that repeat a no-op.
import type { Job, Worker } from 'bullmq';
import type { Services } from '../src/services.js';
import { batchSizeFor, DISPATCH_QUEUE, deliverJobId, type DispatchJob } from '../src/queue/queues.js';
import type { Announcement, Channel } from '../src/types.js';
import { makeWorker } from '../src/queue/worker.js';
import { correctionFanout, type CorrectionFanoutDeps } from './correct-fanout.js';

/** What a fan-out uses: the announcement, the channels it goes to, the delivery log and the delivery queues. */
export type DispatchDeps = Pick<Services, 'config' | 'announcements' | 'channels' | 'deliveries' | 'queues'> & CorrectionFanoutDeps;

export function startDispatchWorker(s: DispatchDeps & Pick<Services, 'keys' | 'log'>, opts: { lockMs?: number } = {}): Worker<DispatchJob> {
  const log = s.log.child('dispatch');
  // A crash leaves the job stalled; it is picked up again rather than failed (makeWorker).
  const worker = makeWorker<DispatchJob>(s, DISPATCH_QUEUE, (job) => (job.name === 'correct' ? correctionFanout(s, job) : dispatch(s, job)), { concurrency: 2, lockMs: opts.lockMs, logName: 'dispatch' });
  worker.on('failed', (job, err) => log.error('dispatch failed', { announcement: job?.data.announcementId, error: err.message }));
  return worker;
}

export async function dispatch(s: DispatchDeps, job: Job<DispatchJob>): Promise<void> {
  const id = job.data.announcementId;
  const ann = await s.announcements.get(id);
  if (!ann) return;
  if (ann.retracted) {
    // Withdrawn mid fan-out (resumed after a crash): no more pages; the announcement completes
    // once the queued deliveries are skipped.
    if (ann.status === 'dispatching') for (const name of ann.channels) await s.deliveries.fanoutDone(id, name);
    return;
  }
  // Only a queued or scheduled announcement starts; a cancelled one never does. A crash
  // mid fan-out leaves it "dispatching", and the job runs again to resume.
  if (ann.status === 'scheduled' || ann.status === 'queued') {
    const r = await s.announcements.setStatusIf(id, 'dispatching', ['scheduled', 'queued']);
    if (!r?.ok) return;
  } else if (ann.status !== 'dispatching') {
    return;
  }
  for (const name of ann.channels) {
    const channel = s.channels.get(name);
    if (!channel) {
      // The channel was switched off after the announcement was queued: say so in the log.
      await s.deliveries.transition(id, name, 'channel', 'failed', ['new', 'queued'], {
        address: name,
        error: `channel ${name} is not enabled in this configuration`,
      });
      await s.deliveries.fanoutDone(id, name);
      continue;
    }
    await fanOutChannel(s, ann, channel);
  }
}

async function fanOutChannel(s: Pick<Services, 'config' | 'deliveries' | 'queues'>, ann: Announcement, channel: Channel): Promise<void> {
  let cursor = await s.deliveries.fanoutCursor(ann.id, channel.name);
  if (cursor === 'done') return;
  const batchSize = batchSizeFor(channel, s.config.delivery.batchSize);
  const queue = s.queues.deliver(channel.name);
  for (;;) {
    const page = await channel.recipientPage(ann, cursor ? cursor.slice(1) : null);
    // The batch key names the page by its cursor: the same page always makes the same jobs.
    const pageKey = cursor ? cursor.slice(1).replace(/[^A-Za-z0-9_-]/g, '_') : 'first';
    await s.deliveries.enqueueMany(ann.id, channel.name, page.recipients, ann);
    const batches = chunk(page.recipients, batchSize);
    if (batches.length > 0) {
      await queue.addBulk(
        batches.map((recipients, i) => ({
          name: 'deliver',
          data: { announcementId: ann.id, channel: channel.name, recipients },
          opts: s.queues.deliverJobOptions(deliverJobId(ann.id, channel.name, `p${pageKey}-${i}`), ann.priority),
        })),
      );
    }
    if (page.next === null) break;
    // "c" + cursor: an empty string cursor stays distinguishable from "not started".
    cursor = `c${page.next}`;
    await s.deliveries.saveFanoutCursor(ann.id, channel.name, cursor);
  }
  await s.deliveries.fanoutDone(ann.id, channel.name);
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

