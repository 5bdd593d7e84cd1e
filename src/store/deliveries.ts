// The per-recipient delivery log: one record per (announcement, channel, recipient), its
// counters per channel, and the event stream watchers read.
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import {
  DELIVERY_STATUSES,
  type Announcement,
  type DeliveryRecord,
  type DeliveryStatus,
  type Recipient,
} from '../types.js';
import { keepSeconds } from './announcements.js';
import { withDeliveryScripts, type DeliveryScripts } from './delivery-scripts.js';

export type DeliveryCounts = Record<DeliveryStatus | 'total', number>;

const EVENTS_MAXLEN = '100000';

export type TransitionPatch = Partial<Pick<DeliveryRecord, 'error' | 'externalId' | 'address' | 'possibleDuplicate' | 'gone' | 'ref' | 'sentAt' | 'revision' | 'kind'>>;

export interface TransitionOp {
  annId: string;
  channel: string;
  recipientId: string;
  status: DeliveryStatus;
  from: (DeliveryStatus | 'new')[];
  patch?: TransitionPatch;
  /** A send starts: one more attempt, but never more than `attemptCap` (default: no cap). */
  countAttempt?: boolean;
  attemptCap?: number;
}

export interface TransitionResult {
  applied: boolean;
  /** The status before (or the current one when not applied); '' when there was no record. */
  previous: DeliveryStatus | '';
  record: DeliveryRecord | null;
}

export class DeliveryLog {
  private readonly redis: Redis & DeliveryScripts;

  constructor(
    redis: Redis,
    private readonly keys: Keys,
    private readonly retentionSeconds: number,
  ) {
    this.redis = withDeliveryScripts(redis);
  }

  /**
   * Writes deliveries as queued; returns how many were new. Repeats are no-ops. The log is kept
   * as long as its announcement (`expiresAt` when later than the retention), so a correction
   * made while the announcement is still shown finds the messages it acts on.
   */
  async enqueueMany(annId: string, channel: string, recipients: Recipient[], ann: Pick<Announcement, 'expiresAt'> = {}): Promise<number> {
    if (recipients.length === 0) return 0;
    const args = recipients.flatMap((r) => [r.id, r.address, r.language, r.subscriberId ?? '']);
    return this.redis.crierEnqueueMany(
      this.keys.deliveries(annId, channel),
      this.keys.counters(annId),
      this.keys.events,
      this.keys.stats,
      channel, new Date().toISOString(), String(keepSeconds(ann, this.retentionSeconds)), annId, EVENTS_MAXLEN,
      ...args,
    );
  }

  /**
   * Moves one delivery to `status` if its current status is one of `from` ("new" allows
   * creating it). Counters, the event and the announcement's completion move with it.
   */
  async transition(
    annId: string,
    channel: string,
    recipientId: string,
    status: DeliveryStatus,
    from: (DeliveryStatus | 'new')[],
    patch: TransitionPatch = {},
    opts: { countAttempt?: boolean } = {},
  ): Promise<TransitionResult> {
    const [result] = await this.transitionMany([{ annId, channel, recipientId, status, from, patch, countAttempt: opts.countAttempt }]);
    return result;
  }

  /**
   * Several transitions in one round trip, applied in order (each still atomic on its own).
   * The delivery worker writes one recipient's outcome together with the next one's start.
   */
  async transitionMany(ops: TransitionOp[]): Promise<TransitionResult[]> {
    if (ops.length === 0) return [];
    const p = this.redis.pipeline() as unknown as DeliveryScripts & { exec(): Promise<[Error | null, unknown][] | null> };
    const now = new Date().toISOString();
    for (const op of ops) {
      p.crierTransition(
        this.keys.deliveries(op.annId, op.channel),
        this.keys.counters(op.annId),
        this.keys.announcement(op.annId),
        this.keys.events,
        this.keys.stats,
        op.channel, op.recipientId, op.status, op.from.join(','), JSON.stringify(op.patch ?? {}),
        op.countAttempt ? String(op.attemptCap ?? 1e9) : '0', now, String(this.retentionSeconds), op.annId, EVENTS_MAXLEN,
      );
    }
    const replies = (await p.exec()) ?? [];
    return replies.map(([err, reply]) => {
      if (err) throw err;
      const [applied, previous, raw] = reply as [number, string, string];
      return {
        applied: applied === 1,
        previous: previous as DeliveryStatus | '',
        record: raw ? (JSON.parse(raw) as DeliveryRecord) : null,
      };
    });
  }

  /**
   * Where a channel's fan-out stands: null before its first page, "done" after the last,
   * else the saved cursor ("c" + the channel's own cursor, so an empty cursor is not "not started").
   */
  async fanoutCursor(annId: string, channel: string): Promise<string | null> {
    return this.redis.hget(this.keys.fanout(annId), channel);
  }

  /** Saves the cursor of the next page once a page's jobs are queued: a crash resumes there. */
  async saveFanoutCursor(annId: string, channel: string, cursor: string): Promise<void> {
    await this.redis.hset(this.keys.fanout(annId), channel, cursor);
  }

  /**
   * Marks a channel's fan-out finished (idempotent) and completes the announcement if all is final.
   * The cursor hash fan:<id> then expires after the retention period.
   */
  async fanoutDone(annId: string, channel: string): Promise<void> {
    await this.redis.crierFanoutDone(
      this.keys.fanout(annId), this.keys.counters(annId), this.keys.announcement(annId), this.keys.events,
      channel, new Date().toISOString(), annId, EVENTS_MAXLEN, String(this.retentionSeconds),
    );
  }

  /** One recipient's record in each of these announcements (null where it has none), in one pipeline. */
  async recordsOf(annIds: readonly string[], channel: string, recipientId: string): Promise<(DeliveryRecord | null)[]> {
    if (annIds.length === 0) return [];
    const p = this.redis.pipeline();
    for (const id of annIds) p.hget(this.keys.deliveries(id, channel), recipientId);
    const rows = (await p.exec()) ?? [];
    return annIds.map((_, i) => {
      const raw = rows[i]?.[1] as string | null;
      return raw ? (JSON.parse(raw) as DeliveryRecord) : null;
    });
  }

  /** Rewrites records in place (an erased subscriber's address); counts and state are untouched. */
  async rewrite(changes: readonly { annId: string; record: DeliveryRecord }[]): Promise<void> {
    if (changes.length === 0) return;
    const p = this.redis.pipeline();
    for (const c of changes) p.hset(this.keys.deliveries(c.annId, c.record.channel), c.record.recipient, JSON.stringify(c.record));
    await p.exec();
  }

  /** Several recipients' records of one channel in one round trip, in their order (null where none). */
  async getMany(annId: string, channel: string, recipientIds: readonly string[]): Promise<(DeliveryRecord | null)[]> {
    if (recipientIds.length === 0) return [];
    const raws = await this.redis.hmget(this.keys.deliveries(annId, channel), ...recipientIds);
    return raws.map((raw) => (raw ? (JSON.parse(raw) as DeliveryRecord) : null));
  }

  /** One HSCAN step over a channel's log: a correction walks every record this way, resumable at `cursor`. */
  async scan(annId: string, channel: string, cursor: string, count = 500): Promise<{ records: DeliveryRecord[]; next: string }> {
    const [next, flat] = await this.redis.hscan(this.keys.deliveries(annId, channel), cursor, 'COUNT', count);
    const records: DeliveryRecord[] = [];
    for (let i = 1; i < flat.length; i += 2) records.push(JSON.parse(flat[i]) as DeliveryRecord);
    return { records, next };
  }

  async get(annId: string, channel: string, recipientId: string): Promise<DeliveryRecord | null> {
    const raw = await this.redis.hget(this.keys.deliveries(annId, channel), recipientId);
    return raw ? (JSON.parse(raw) as DeliveryRecord) : null;
  }

  /** Per-channel counts for the given channels (every channel gets an entry, zeros included). */
  async counts(annId: string, channels: string[]): Promise<Record<string, DeliveryCounts>> {
    const raw = await this.redis.hgetall(this.keys.counters(annId));
    const out: Record<string, DeliveryCounts> = {};
    for (const ch of channels) {
      const c = { total: 0 } as DeliveryCounts;
      for (const s of DELIVERY_STATUSES) c[s] = Number(raw[`${ch}|${s}`] ?? 0);
      c.total = Number(raw[`${ch}|total`] ?? 0);
      out[ch] = c;
    }
    return out;
  }

  /**
   * Pages through the log, optionally one channel and one status. The cursor is opaque:
   * "<channel index>.<HSCAN cursor>".
   */
  async list(
    annId: string,
    channels: string[],
    opts: { status?: DeliveryStatus; cursor?: string | null; limit?: number } = {},
  ): Promise<{ items: DeliveryRecord[]; next: string | null }> {
    const limit = Math.min(Math.max(opts.limit ?? 50, 1), 500);
    let [ci, scan] = parseCursor(opts.cursor);
    const items: DeliveryRecord[] = [];
    while (ci < channels.length && items.length < limit) {
      const [nextScan, flat] = await this.redis.hscan(
        this.keys.deliveries(annId, channels[ci]), scan, 'COUNT', Math.max(limit, 100),
      );
      for (let i = 1; i < flat.length; i += 2) {
        const rec = JSON.parse(flat[i]) as DeliveryRecord;
        if (!opts.status || rec.status === opts.status) items.push(rec);
      }
      if (nextScan === '0') {
        ci += 1;
        scan = '0';
      } else {
        scan = nextScan;
      }
    }
    const next = ci < channels.length ? `${ci}.${scan}` : null;
    return { items, next };
  }

  /**
   * Exactly `limit` records a page (the API and the dashboard). list() follows HSCAN, whose
   * batches may be larger than asked (a small hash comes back whole), so this cursor is list()'s
   * cursor plus how many of that batch were already shown: "<channel index>.<scan cursor>.<skip>".
   * A malformed cursor throws InvalidCursorError.
   */
  async page(
    annId: string,
    channels: string[],
    opts: { status?: DeliveryStatus; cursor?: string | null; limit: number },
  ): Promise<{ items: DeliveryRecord[]; next: string | null }> {
    let inner: string | null = null;
    let skip = 0;
    if (opts.cursor) {
      const m = /^(\d{1,4}\.\d{1,20})\.(\d{1,6})$/.exec(opts.cursor);
      if (!m) throw new InvalidCursorError();
      inner = m[1];
      skip = Number(m[2]);
    }
    const items: DeliveryRecord[] = [];
    for (;;) {
      const batch = await this.list(annId, channels, { status: opts.status, cursor: inner, limit: opts.limit });
      const rest = batch.items.slice(skip);
      const take = rest.slice(0, opts.limit - items.length);
      items.push(...take);
      if (take.length < rest.length) return { items, next: `${inner ?? '0.0'}.${skip + take.length}` };
      if (batch.next === null) return { items, next: null };
      inner = batch.next;
      skip = 0;
      if (items.length >= opts.limit) return { items, next: `${inner}.0` };
    }
  }

  /** Every record of one channel in a given status (for retry); streams through HSCAN. */
  async *recordsWithStatus(annId: string, channel: string, status: DeliveryStatus): AsyncGenerator<DeliveryRecord> {
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.keys.deliveries(annId, channel), cursor, 'COUNT', 500);
      for (let i = 1; i < flat.length; i += 2) {
        const rec = JSON.parse(flat[i]) as DeliveryRecord;
        if (rec.status === status) yield rec;
      }
      cursor = next;
    } while (cursor !== '0');
  }
}

function parseCursor(cursor: string | null | undefined): [number, string] {
  if (!cursor) return [0, '0'];
  const m = /^(\d+)\.(\d+)$/.exec(cursor);
  if (!m) throw new InvalidCursorError();
  return [Number(m[1]), m[2]];
}

export class InvalidCursorError extends Error {
  constructor() {
    super('cursor: not a cursor this API returned');
  }
}
