// Applying a correction (an edit or a retraction) to the messages of one delivery job: the
// same guarantees as a send. Each (revision, channel, recipient) moves queued → sending →
// sent | failed | skipped in the correction log, waits for the same shared limits, is retried
// with backoff (a 429's wait honoured), and a crash between "sending" and the outcome is tried
// again and marked possibleDuplicate. A message is changed at most once per revision: the
// send's record learns the revision its message now shows, and a correction that finds it
// already there does nothing.
import type { Job } from 'bullmq';
import type { Services } from '../src/services.js';
import { deliveryId, type DeliverJob } from '../src/queue/queues.js';
import type { CorrectionOp } from '../src/store/corrections.js';
import { ChannelError, type Announcement, type Channel, type CorrectionResult, type DeliveryKind, type DeliveryRecord, type Localized, type Recipient } from '../src/types.js';

export type CorrectDeps = Pick<Services, 'config' | 'log' | 'announcements' | 'deliveries' | 'corrections' | 'pacer' | 'queues'>;

/** How often a correction looks again at a send still under way, and for how long at most (1 h). */
const WAIT_MS = 5000;
const MAX_WAITS = 720;

const ACTION_KIND: Record<CorrectionResult['action'], DeliveryKind> = {
  edit: 'edit', retract: 'retract', notice: 'notice', withdrawn: 'edit', none: 'notice',
};

export async function correctBatch(s: CorrectDeps, channel: Channel, job: Job<DeliverJob>): Promise<void> {
  const { announcementId: annId, recipients } = job.data;
  const revision = job.data.revision!;
  const ann = await s.announcements.get(annId);
  const at = (status: 'skipped', error: string) => s.corrections.transitionMany(recipients.map((r) => ({
    annId, revision, channel: channel.name, recipientId: r.id, status, from: ['queued'], patch: { error },
  })));
  if (!ann) return void (await at('skipped', 'announcement no longer stored'));
  if ((ann.revision ?? 1) > revision) return void (await at('skipped', `superseded by revision ${ann.revision}`));
  if (!channel.correct) return void (await at('skipped', `${channel.name} cannot change or withdraw a message it sent`));
  const entry = await s.announcements.revision(annId, revision);
  const sends = await s.deliveries.getMany(annId, channel.name, recipients.map((r) => r.id));
  const maxAttempts = job.opts.attempts ?? s.config.delivery.attempts;
  const jobLastAttempt = job.attemptsMade + 1 >= maxAttempts;
  const waiting: Recipient[] = [];
  let retryError: ChannelError | undefined;
  let next = 0;

  const lane = async (): Promise<void> => {
    while (next < recipients.length && retryError?.retryAfterMs === undefined) {
      const i = next++;
      const r = recipients[i];
      const sent = sends[i];
      const base = { annId, revision, channel: channel.name, recipientId: r.id };
      if (!sent || sent.status === 'failed' || sent.status === 'skipped') {
        await s.corrections.transitionMany([{ ...base, status: 'skipped', from: ['queued', 'sending'], patch: { error: 'nothing was sent to this recipient' } }]);
        continue;
      }
      if (sent.status !== 'sent') {
        waiting.push(r); // still being sent: looked at again once it is
        continue;
      }
      const [begun] = await s.corrections.transitionMany([{ ...base, status: 'sending', from: ['queued', 'sending'], attemptCap: maxAttempts }]);
      if (!begun.applied) continue; // already final: a redelivered job changes nothing twice
      const shows = sent.revision ?? 1;
      if (shows >= revision) {
        // Applied before a crash (the send's record says so), or sent as this revision already.
        const note = begun.previous === 'sending' ? 'applied before a restart' : `the message was sent as revision ${shows} already`;
        await s.corrections.transitionMany([{ ...base, status: begun.previous === 'sending' ? 'sent' : 'skipped', from: ['sending'], patch: { error: null, note } }]);
        continue;
      }
      const attempt = begun.record?.attempts ?? job.attemptsMade + 1;
      const outcome = await correctOne(s, channel, ann, entry?.notice, sent, r, {
        id: `${deliveryId(annId, channel.name, r.id)}.r${revision}`, attempt,
        last: jobLastAttempt || attempt >= maxAttempts, possibleDuplicate: begun.previous === 'sending' ? true : undefined,
      });
      await s.corrections.transitionMany([{ ...base, ...outcome.op }]);
      if (outcome.shows) await s.corrections.patchSent(annId, channel.name, r.id, revision, outcome.shows);
      const retry = outcome.retry;
      if (retry && (!retryError || retry.retryAfterMs !== undefined)) retryError = retry;
      if (retry?.retryAfterMs !== undefined) await s.pacer.holdOff(channel, r, retry.retryAfterMs, retry.holdScope);
    }
  };
  const lanes = Math.max(1, Math.min(channel.limits.inFlight ?? 1, recipients.length));
  const settled = await Promise.allSettled(Array.from({ length: lanes }, lane));
  const crashed = settled.find((x): x is PromiseRejectedResult => x.status === 'rejected');
  if (waiting.length) await waitForSends(s, channel, job, waiting);
  if (crashed) throw crashed.reason;
  if (retryError) throw retryError;
}

/** Sends still under way: the same correction, for those recipients, a little later (its own job). */
async function waitForSends(s: CorrectDeps, channel: Channel, job: Job<DeliverJob>, waiting: Recipient[]): Promise<void> {
  const m = /^(.*)\.w(\d+)$/.exec(job.id ?? '');
  const [base, n] = m ? [m[1], Number(m[2])] : [job.id ?? 'correct', 0];
  if (n >= MAX_WAITS) {
    await s.corrections.transitionMany(waiting.map((r) => ({
      annId: job.data.announcementId, revision: job.data.revision!, channel: channel.name, recipientId: r.id,
      status: 'failed' as const, from: ['queued' as const], patch: { error: 'the first send did not finish within an hour; retry the correction once it has' },
    })));
    return;
  }
  await s.queues.deliver(channel.name).add('correct', { ...job.data, recipients: waiting }, {
    ...s.queues.deliverJobOptions(`${base}.w${n + 1}`, 'urgent'),
    delay: WAIT_MS,
  });
}

interface CorrectionOutcome {
  op: Pick<CorrectionOp, 'status' | 'from' | 'patch'>;
  /** What the send's record now shows (its reference after the change). */
  shows?: Partial<Pick<DeliveryRecord, 'ref' | 'externalId'>>;
  retry?: ChannelError;
}

async function correctOne(
  s: CorrectDeps, channel: Channel, ann: Announcement, notice: Localized | undefined, sent: DeliveryRecord, r: Recipient,
  d: { id: string; attempt: number; last: boolean; possibleDuplicate: true | undefined },
): Promise<CorrectionOutcome> {
  await s.pacer.acquire(channel, r);
  const kind = ann.retracted ? 'retract' : 'edit';
  try {
    const res = await channel.correct!({
      kind, ann, ...(notice ? { notice } : {}), sent: { ref: sent.ref, externalId: sent.externalId, sentAt: sent.sentAt ?? sent.updatedAt, revision: sent.revision },
      recipient: r, delivery: { id: d.id, attempt: d.attempt },
    });
    const patch = { error: null, kind: ACTION_KIND[res.action], ...(res.note ? { note: res.note } : {}), possibleDuplicate: d.possibleDuplicate };
    if (res.action === 'none') return { op: { status: 'skipped', from: ['sending'], patch: { ...patch, error: res.note ?? 'nothing to change' } }, shows: {} };
    return {
      op: { status: 'sent', from: ['sending'], patch: { ...patch, sentAt: new Date().toISOString(), ...(res.ref ? { ref: res.ref } : {}) } },
      // A notice is a new message: the original's reference stays; an edit may have moved parts.
      shows: res.action === 'notice' ? {} : res.ref ? { ref: res.ref } : {},
    };
  } catch (e) {
    const err = ChannelError.from(e);
    if (err.kind === 'retryable' && !d.last) {
      return { op: { status: 'queued', from: ['sending'], patch: { error: err.message, possibleDuplicate: d.possibleDuplicate } }, retry: err };
    }
    const reason = err.kind === 'retryable' ? `${err.message} (gave up after ${d.attempt} attempts)` : err.message;
    s.log.warn('correction failed', { announcement: ann.id, channel: channel.name, recipient: r.id, error: reason });
    return { op: { status: 'failed', from: ['sending'], patch: { error: reason, possibleDuplicate: d.possibleDuplicate } } };
  }
}
