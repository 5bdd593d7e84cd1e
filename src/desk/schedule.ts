// Scheduled announcements: the upcoming list and rescheduling. A scheduled announcement waits
// as a delayed BullMQ dispatch job with a fixed id; rescheduling moves that same job
// (Job.changeDelay) and updates the stored time, so the id, the announcement and its place in
// the list stay; nothing is cancelled and posted again.
import { dispatchJobId } from '../queue/queues.js';
import type { Services } from '../services.js';
import type { Announcement } from '../types.js';

/** Scheduled announcements among the newest `scan`, soonest first. */
export async function upcoming(s: Pick<Services, 'announcements'>, scan = 500): Promise<Announcement[]> {
  const ids = await s.announcements.recentIds(scan);
  const statuses = await s.announcements.statuses(ids);
  // The scheduled ones in a second pipeline, not a round trip each.
  const out = await s.announcements.getMany(ids.filter((_, i) => statuses[i] === 'scheduled'));
  return out.sort((a, b) => Date.parse(a.publishedAt) - Date.parse(b.publishedAt));
}

export type RescheduleResult = { ok: true } | { ok: false; reason: 'not_found' | 'not_scheduled' | 'in_the_past' | 'after_expiry' };

export async function reschedule(s: Pick<Services, 'announcements' | 'queues'>, id: string, iso: string): Promise<RescheduleResult> {
  const ann = await s.announcements.get(id);
  if (!ann) return { ok: false, reason: 'not_found' };
  if (ann.status !== 'scheduled') return { ok: false, reason: 'not_scheduled' };
  const at = Date.parse(iso);
  if (Number.isNaN(at) || at <= Date.now() + 30_000) return { ok: false, reason: 'in_the_past' };
  if (ann.expiresAt && at >= Date.parse(ann.expiresAt)) return { ok: false, reason: 'after_expiry' };
  const job = await s.queues.dispatch.getJob(dispatchJobId(id));
  try {
    if (!job) throw new Error('no job');
    await job.changeDelay(at - Date.now());
  } catch {
    // The job already left the delayed set: it is going out now.
    return { ok: false, reason: 'not_scheduled' };
  }
  const when = new Date(at).toISOString();
  await s.announcements.setPublishTime(id, when);
  return { ok: true };
}
