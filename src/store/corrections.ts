// The correction log: one record per (announcement, revision, channel, recipient) for every
// edit or retraction of a message already sent, with the same states as a send (queued,
// sending, sent, failed, skipped), its own counters, and a fan-out cursor per channel so a
// crashed correction resumes where it was. Records live as long as the delivery log.
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import { DELIVERY_STATUSES, type DeliveryKind, type DeliveryRecord, type DeliveryStatus, type Recipient } from '../types.js';
import type { DeliveryCounts, TransitionResult } from './deliveries.js';
import { withCorrectionScripts, type CorrectionScripts } from './correction-scripts.js';

const EVENTS_MAXLEN = '100000';

export type CorrectionPatch = Partial<Pick<DeliveryRecord, 'error' | 'externalId' | 'ref' | 'sentAt' | 'kind' | 'note' | 'possibleDuplicate'>>;

export interface CorrectionOp {
  annId: string;
  revision: number;
  channel: string;
  recipientId: string;
  status: DeliveryStatus;
  from: DeliveryStatus[];
  patch?: CorrectionPatch;
  /** A try starts: one more attempt, never past the cap. */
  attemptCap?: number;
}

/** Where one correction stands: its channels' counts, and whether every fan-out has finished. */
export interface CorrectionProgress {
  revision: number;
  channels: Record<string, DeliveryCounts>;
  /** Every channel's fan-out is done and nothing is queued or being sent. */
  finished: boolean;
}

export class CorrectionLog {
  private readonly redis: Redis & CorrectionScripts;

  constructor(
    redis: Redis,
    private readonly keys: Keys,
    private readonly retentionSeconds: number,
  ) {
    this.redis = withCorrectionScripts(redis);
  }

  /** Starts a correction: it finishes once this many channels' fan-outs are done (idempotent). */
  async begin(annId: string, revision: number, channels: number): Promise<void> {
    await this.redis.hsetnx(this.keys.counters(annId), `_cfan_pending|r${revision}`, String(channels));
  }

  /** Writes corrections as queued; returns how many were new (a repeated page is a no-op). */
  async enqueueMany(annId: string, revision: number, channel: string, items: { recipient: Recipient; kind: DeliveryKind }[]): Promise<number> {
    if (items.length === 0) return 0;
    const args = items.flatMap(({ recipient: r, kind }) => [r.id, r.address, r.language, r.subscriberId ?? '', kind]);
    return this.redis.crierCorEnqueue(
      this.keys.corrections(annId, revision, channel), this.keys.counters(annId), this.keys.events,
      channel, String(revision), new Date().toISOString(), String(this.retentionSeconds), annId, EVENTS_MAXLEN, ...args,
    );
  }

  /** Several state changes in one round trip, each atomic, in order. */
  async transitionMany(ops: CorrectionOp[]): Promise<TransitionResult[]> {
    if (ops.length === 0) return [];
    const p = this.redis.pipeline() as unknown as CorrectionScripts & { exec(): Promise<[Error | null, unknown][] | null> };
    const now = new Date().toISOString();
    for (const op of ops) {
      p.crierCorTransition(
        this.keys.corrections(op.annId, op.revision, op.channel), this.keys.counters(op.annId), this.keys.events,
        op.channel, String(op.revision), op.recipientId, op.status, op.from.join(','), JSON.stringify(op.patch ?? {}),
        String(op.attemptCap ?? 0), now, op.annId, EVENTS_MAXLEN,
      );
    }
    return ((await p.exec()) ?? []).map(([err, reply]) => {
      if (err) throw err;
      const [applied, previous, raw] = reply as [number, string, string];
      return { applied: applied === 1, previous: previous as DeliveryStatus | '', record: raw ? (JSON.parse(raw) as DeliveryRecord) : null };
    });
  }

  /** The send's record learns what the message shows now (only forward: a late, older correction is ignored). */
  async patchSent(annId: string, channel: string, recipientId: string, revision: number, patch: Partial<Pick<DeliveryRecord, 'ref' | 'externalId'>>): Promise<boolean> {
    return (await this.redis.crierPatchSent(this.keys.deliveries(annId, channel), recipientId, String(revision), JSON.stringify(patch))) === 1;
  }

  async fanoutCursor(annId: string, revision: number, channel: string): Promise<string | null> {
    return this.redis.hget(this.keys.fanout(annId), `r${revision}:${channel}`);
  }

  async saveFanoutCursor(annId: string, revision: number, channel: string, cursor: string): Promise<void> {
    await this.redis.hset(this.keys.fanout(annId), `r${revision}:${channel}`, cursor);
  }

  async fanoutDone(annId: string, revision: number, channel: string): Promise<void> {
    await this.redis.crierCorFanoutDone(
      this.keys.fanout(annId), this.keys.counters(annId), `r${revision}:${channel}`, `_cfan_pending|r${revision}`, String(this.retentionSeconds),
    );
  }

  async get(annId: string, revision: number, channel: string, recipientId: string): Promise<DeliveryRecord | null> {
    const raw = await this.redis.hget(this.keys.corrections(annId, revision, channel), recipientId);
    return raw ? (JSON.parse(raw) as DeliveryRecord) : null;
  }

  /** The counts of one correction per channel, and whether it has finished. */
  async progress(annId: string, revision: number, channels: string[]): Promise<CorrectionProgress> {
    const raw = await this.redis.hgetall(this.keys.counters(annId));
    const out: Record<string, DeliveryCounts> = {};
    for (const ch of channels) {
      const c = { total: Number(raw[`r${revision}:${ch}|total`] ?? 0) } as DeliveryCounts;
      for (const st of DELIVERY_STATUSES) c[st] = Number(raw[`r${revision}:${ch}|${st}`] ?? 0);
      out[ch] = c;
    }
    const pending = raw[`_cfan_pending|r${revision}`];
    const busy = Number(raw[`r${revision}:*|queued`] ?? 0) + Number(raw[`r${revision}:*|sending`] ?? 0);
    return { revision, channels: out, finished: pending !== undefined && Number(pending) <= 0 && busy === 0 };
  }

  /** Every record of one correction on one channel (the dashboard's and the API's log), a page at a time. */
  async list(annId: string, revision: number, channel: string, opts: { cursor?: string | null; limit?: number } = {}): Promise<{ items: DeliveryRecord[]; next: string | null }> {
    const [next, flat] = await this.redis.hscan(this.keys.corrections(annId, revision, channel), opts.cursor ?? '0', 'COUNT', opts.limit ?? 100);
    const items: DeliveryRecord[] = [];
    for (let i = 1; i < flat.length; i += 2) items.push(JSON.parse(flat[i]) as DeliveryRecord);
    return { items, next: next === '0' ? null : next };
  }
}
