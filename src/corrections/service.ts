// Edits and retractions of an announcement. Before anything went out, an edit simply replaces
// the content (a scheduled one keeps its place, its time may move) and a retraction cancels.
// Once sending started, each is a new revision and a correction: a fan-out over the delivery
// log (workers/correct-fanout.ts) queues one correction per message sent, which the delivery
// workers apply like sends (workers/correct.ts). Queued sends go out as the newest revision.
import type { CrierConfig } from '../config/schema.js';
import type { AnnouncementStore } from '../store/announcements.js';
import type { CorrectionLog, CorrectionProgress } from '../store/corrections.js';
import { correctionJobId, dispatchJobId, type Queues } from '../queue/queues.js';
import type { Announcement, AnnouncementInput, AnnouncementStatus, Localized, RevisionEntry } from '../types.js';
import type { FieldIssue } from '../util/issues.js';

const UNSENT: AnnouncementStatus[] = ['scheduled', 'queued'];
const SENDING_OR_SENT: AnnouncementStatus[] = ['dispatching', 'done', 'done_with_failures'];

export type EditResult =
  | { ok: true; revision: number; status: AnnouncementStatus; corrected: boolean }
  | { ok: false; reason: 'not_found' | 'retracted' | 'cancelled' }
  | { ok: false; reason: 'invalid'; issues: FieldIssue[] };

export type RetractResult =
  | { ok: true; revision: number; status: 'retracted' | 'cancelled' }
  | { ok: false; reason: 'not_found' | 'retracted' | 'cancelled' };

export interface CorrectionDeps {
  config: CrierConfig;
  announcements: AnnouncementStore;
  corrections: CorrectionLog;
  queues: Queues;
}

/** The stored content, without what the store keeps beside it. */
function contentOf(ann: Announcement): Omit<Announcement, 'status' | 'version' | 'revision' | 'retracted'> {
  const { status: _s, version: _v, revision: _r, retracted: _x, ...data } = ann;
  return data;
}

/** Only revisions that went out as corrections have a fan-out; an edit made before sending has none. */
export const wentOut = (p: CorrectionProgress): boolean => Object.values(p.channels).some((c) => c.total > 0) || p.finished;

export class Corrector {
  constructor(private readonly s: CorrectionDeps) {}

  async edit(id: string, input: AnnouncementInput, opts: { by: string; notice?: Localized }): Promise<EditResult> {
    const ann = await this.s.announcements.get(id);
    if (!ann) return { ok: false, reason: 'not_found' };
    if (ann.retracted) return { ok: false, reason: 'retracted' };
    if (ann.status === 'cancelled') return { ok: false, reason: 'cancelled' };
    const entry = { kind: 'edit' as const, at: new Date().toISOString(), by: opts.by, ...(opts.notice ? { notice: opts.notice } : {}) };
    if (UNSENT.includes(ann.status)) {
      const replaced = await this.replaceUnsent(ann, input, entry);
      if (replaced) return replaced;
      // It started going out meanwhile: corrected like any sent announcement.
    }
    const issues = unchangeableFields(ann, input);
    if (issues.length) return { ok: false, reason: 'invalid', issues };
    const data = {
      ...contentOf(ann),
      ...withoutSchedule(input),
      channels: ann.channels,
      topics: ann.topics,
      updatedAt: entry.at,
    };
    if (!input.expiresAt) delete data.expiresAt;
    if (!input.summary) delete data.summary;
    if (!input.link) delete data.link;
    const r = await this.s.announcements.revise(id, { data, entry }, SENDING_OR_SENT);
    if (!r.ok) return r.reason === 'status' ? { ok: false, reason: 'cancelled' } : { ok: false, reason: r.reason };
    await this.startCorrection(ann, r.revision);
    return { ok: true, revision: r.revision, status: r.status, corrected: true };
  }

  async retract(id: string, opts: { by: string; notice?: Localized }): Promise<RetractResult> {
    const ann = await this.s.announcements.get(id);
    if (!ann) return { ok: false, reason: 'not_found' };
    if (ann.retracted) return { ok: false, reason: 'retracted' };
    if (ann.status === 'cancelled') return { ok: false, reason: 'cancelled' };
    const entry = { kind: 'retract' as const, at: new Date().toISOString(), by: opts.by, ...(opts.notice ? { notice: opts.notice } : {}) };
    const data = contentOf(ann);
    // Nothing sent yet: withdrawn means cancelled (the dispatch job checks both and does nothing).
    const unsent = await this.s.announcements.revise(id, { data, entry, retract: true }, UNSENT);
    if (unsent.ok) {
      const c = await this.s.announcements.setStatusIf(id, 'cancelled', UNSENT);
      await this.s.queues.dispatch.remove(dispatchJobId(id)).catch(() => 0);
      if (c?.ok) return { ok: true, revision: unsent.revision, status: 'cancelled' };
      // The fan-out had just begun: what it sent is withdrawn below (the revision is recorded already).
      await this.startCorrection(ann, unsent.revision);
      return { ok: true, revision: unsent.revision, status: 'retracted' };
    }
    if (unsent.reason !== 'status') return { ok: false, reason: unsent.reason };
    const r = await this.s.announcements.revise(id, { data, entry, retract: true }, SENDING_OR_SENT);
    if (!r.ok) return r.reason === 'status' ? { ok: false, reason: 'cancelled' } : { ok: false, reason: r.reason };
    await this.startCorrection(ann, r.revision);
    return { ok: true, revision: r.revision, status: 'retracted' };
  }

  /** The history and the newest correction's progress, for GET /api/announcements/:id and the dashboard. */
  async view(ann: Announcement): Promise<{ revisions: RevisionEntry[]; correction: CorrectionProgress | null; history: CorrectionProgress[] }> {
    const revisions = await this.s.announcements.revisions(ann);
    const corrected = revisions.filter((r) => r.revision > 1);
    const history = await Promise.all(corrected.map((r) => this.s.corrections.progress(ann.id, r.revision, ann.channels)));
    const real = history.filter(wentOut);
    return { revisions, correction: real[real.length - 1] ?? null, history: real };
  }

  private async replaceUnsent(ann: Announcement, input: AnnouncementInput, entry: Omit<RevisionEntry, 'revision'>): Promise<EditResult | null> {
    const now = Date.now();
    const publishAtMs = input.publishAt ? Date.parse(input.publishAt) : Math.min(Date.parse(ann.publishedAt), now);
    const data = {
      ...contentOf(ann),
      ...input,
      channels: input.channels ?? ann.channels,
      publishedAt: new Date(Math.max(publishAtMs, now)).toISOString(),
    };
    for (const k of ['summary', 'link', 'expiresAt', 'publishAt'] as const) if (!input[k]) delete data[k];
    const r = await this.s.announcements.revise(ann.id, { data, entry }, UNSENT);
    if (!r.ok) return r.reason === 'status' ? null : { ok: false, reason: r.reason };
    // A scheduled one's waiting job moves with its time; gone from the delayed set, it is going out now.
    if (ann.status === 'scheduled') {
      const job = await this.s.queues.dispatch.getJob(dispatchJobId(ann.id));
      await job?.changeDelay(Math.max(0, Date.parse(data.publishedAt) - now)).catch(() => undefined);
    }
    return { ok: true, revision: r.revision, status: r.status, corrected: false };
  }

  private async startCorrection(ann: Announcement, revision: number): Promise<void> {
    await this.s.corrections.begin(ann.id, revision, ann.channels.length);
    await this.s.queues.dispatch.add(
      'correct',
      { announcementId: ann.id, revision },
      { ...this.s.queues.dispatchJobOptions(ann.id, 0, 'urgent'), jobId: correctionJobId(ann.id, revision) },
    );
  }
}

/** Publish time stays what it was once sent: an edit corrects the text, not when it went out. */
function withoutSchedule(input: AnnouncementInput): Omit<AnnouncementInput, 'publishAt'> {
  const { publishAt: _p, ...rest } = input;
  return rest;
}

/** Who received it cannot change after sending: the same channels and topics, or a clear 400. */
function unchangeableFields(ann: Announcement, input: AnnouncementInput): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
  if (input.channels && !same(input.channels, ann.channels)) {
    issues.push({ path: 'channels', message: `cannot change once sent (it went to ${ann.channels.join(', ')}); post a new announcement to reach other channels` });
  }
  if (!same(input.topics, ann.topics)) {
    issues.push({ path: 'topics', message: `cannot change once sent (it went to readers of ${ann.topics.join(', ')}); post a new announcement for other topics` });
  }
  return issues;
}
