// Announcements, stored once: `<p>:ann:<id>` is a hash with the JSON content ("data"), the
// mutable "status", "rev", the content's version, counted up whenever "data" is rewritten
// (so a sender holding a copy knows when to read it again), and, from the first correction on,
// "revision" (the public revision number) and "retracted". Status changes never touch "data".
// The revision history (who posted, edited or retracted, when, with what notice) is kept in the
// same hash, one field "history:<n>" per revision, so that it expires with the announcement.
// Retention: once final (done, done_with_failures, cancelled) the hash and its counters
// `<p>:cnt:<id>` expire after delivery.retentionDays, with the delivery log, or when the
// announcement itself expires ("expiresAtMs") if that is later, since /news and the feed show
// it until then; a correction renews the period. Index entries of expired announcements are
// dropped when a reader meets them, and the oldest ones on each save.
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import type { Announcement, AnnouncementInput, AnnouncementStatus, RevisionEntry } from '../types.js';

// Compare-and-set of the status: only from one of the listed states. KEYS: ann, cnt.
// ARGV: new status, ttl seconds (0: the new status is not final), then the allowed ones.
const SET_STATUS_IF = `
local cur = redis.call('HGET', KEYS[1], 'status')
if not cur then return '' end
for i = 3, #ARGV do
  if cur == ARGV[i] then
    redis.call('HSET', KEYS[1], 'status', ARGV[1])
    local ttl = tonumber(ARGV[2])
    if ttl > 0 then
      redis.call('EXPIRE', KEYS[1], ttl)
      redis.call('EXPIRE', KEYS[2], ttl)
    end
    return cur
  end
end
return '!' .. cur
`;

// A new revision, atomically: refused when unknown (-1), retracted (-2) or in a status not
// listed (-3). KEYS: ann, cnt, then the delivery log of each channel. ARGV: data JSON, entry JSON (without its number), retract
// ("1"/"0"), ttl seconds, expiresAtMs ('' for none), then the statuses allowed. Returns { revision, status } or
// { code, status }. An announcement already counting down its retention starts it again, and
// so do its delivery logs, so a correction's records never outlive the announcement they
// correct and a later correction still finds the messages it acts on.
const REVISE = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {-1, ''} end
if redis.call('HGET', KEYS[1], 'retracted') == '1' then return {-2, status} end
local ok = false
for i = 6, #ARGV do if ARGV[i] == status then ok = true end end
if not ok then return {-3, status} end
if redis.call('HEXISTS', KEYS[1], 'revision') == 0 then redis.call('HSET', KEYS[1], 'revision', 1) end
local rev = redis.call('HINCRBY', KEYS[1], 'revision', 1)
redis.call('HSET', KEYS[1], 'data', ARGV[1])
redis.call('HINCRBY', KEYS[1], 'rev', 1)
if ARGV[3] == '1' then redis.call('HSET', KEYS[1], 'retracted', '1') end
if ARGV[5] == '' then redis.call('HDEL', KEYS[1], 'expiresAtMs') else redis.call('HSET', KEYS[1], 'expiresAtMs', ARGV[5]) end
local entry = cjson.decode(ARGV[2])
entry.revision = rev
redis.call('HSET', KEYS[1], 'history:' .. rev, cjson.encode(entry))
if redis.call('TTL', KEYS[1]) > 0 then
  for i = 1, #KEYS do redis.call('EXPIRE', KEYS[i], tonumber(ARGV[4])) end
end
return {rev, status}
`;

/** The expiry in ms as the completion script reads it; '' when the announcement has none. */
function expiresAtMs(ann: Pick<Announcement, 'expiresAt'>): string {
  const ms = ann.expiresAt ? Date.parse(ann.expiresAt) : NaN;
  return Number.isFinite(ms) ? String(ms) : '';
}

/**
 * How long an announcement and its delivery log are kept from now: the retention, or until the
 * announcement expires when that is later (/news and the feed show it, and it can be corrected,
 * until then).
 */
export function keepSeconds(ann: Pick<Announcement, 'expiresAt'>, retentionSeconds: number, nowMs = Date.now()): number {
  const exp = Number(expiresAtMs(ann) || 0);
  return Math.max(retentionSeconds, Math.ceil((exp - nowMs) / 1000));
}

/** Oldest index entries checked for expiry on each save. */
const SWEEP = 20;

const FINAL: readonly AnnouncementStatus[] = ['done', 'done_with_failures', 'cancelled'];

export type ReviseResult =
  | { ok: true; revision: number; status: AnnouncementStatus }
  | { ok: false; reason: 'not_found' | 'retracted' | 'status'; status?: AnnouncementStatus };

export class IdempotencyConflictError extends Error {
  constructor(readonly existingId: string) {
    super('Idempotency-Key was already used with a different announcement');
  }
}

/** Time-sortable, URL- and BullMQ-safe id (no ':' and never all digits). */
export function newAnnouncementId(now = Date.now()): string {
  return `a${now.toString(36)}${randomBytes(5).toString('hex')}`;
}

export function hashInput(input: AnnouncementInput): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex');
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

function fromHash(h: Record<string, string>): Announcement {
  const data = JSON.parse(h.data) as Omit<Announcement, 'status'>;
  const ann: Announcement = { ...data, status: h.status as AnnouncementStatus, version: Number(h.rev ?? 0), revision: Number(h.revision ?? 1) };
  if (h.retracted === '1') ann.retracted = true;
  return ann;
}

export class AnnouncementStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    /** delivery.retentionDays in seconds: how long a final announcement is kept. */
    private readonly retentionSeconds: number,
  ) {
    if (!('crierSetStatusIf2' in redis)) redis.defineCommand('crierSetStatusIf2', { numberOfKeys: 2, lua: SET_STATUS_IF });
    // The number of keys varies with the channels: given as the first argument.
    if (!('crierReviseN' in redis)) redis.defineCommand('crierReviseN', { lua: REVISE });
  }

  /**
   * Claims an Idempotency-Key for a new id. Returns the id to use and whether it is a repeat
   * of an earlier request. Keys live a day (at most the retention).
   */
  async claimIdempotencyKey(key: string, bodyHash: string, candidateId: string): Promise<{ id: string; repeat: boolean }> {
    const k = this.keys.idempotency(createHash('sha256').update(key).digest('hex'));
    // A day, or less when announcements themselves are kept less (a key never outlives its id).
    const ttl = Math.max(1, Math.min(86_400, this.retentionSeconds));
    const set = await this.redis.set(k, JSON.stringify({ id: candidateId, bodyHash }), 'EX', ttl, 'NX');
    if (set === 'OK') return { id: candidateId, repeat: false };
    const prev = JSON.parse((await this.redis.get(k)) ?? '{}') as { id?: string; bodyHash?: string };
    if (!prev.id) return { id: candidateId, repeat: false };
    if (prev.bodyHash !== bodyHash) throw new IdempotencyConflictError(prev.id);
    return { id: prev.id, repeat: true };
  }

  /** Stores the announcement with its channel count for completion tracking. */
  async save(ann: Announcement): Promise<void> {
    const { status, version: _v, revision: _r, retracted: _x, ...data } = ann;
    const first: RevisionEntry = { revision: 1, kind: 'post', at: ann.createdAt, by: ann.createdBy };
    const m = this.redis
      .multi()
      .hsetnx(this.keys.announcement(ann.id), 'data', JSON.stringify(data))
      .hsetnx(this.keys.announcement(ann.id), 'history:1', JSON.stringify(first));
    // Read by the completion script: a final announcement is kept at least until it expires.
    if (expiresAtMs(ann)) m.hsetnx(this.keys.announcement(ann.id), 'expiresAtMs', expiresAtMs(ann));
    await m
      .hsetnx(this.keys.announcement(ann.id), 'status', status)
      .hsetnx(this.keys.counters(ann.id), '_fanout_pending', String(ann.channels.length))
      .zadd(this.keys.announcementIndex, Date.parse(ann.createdAt), ann.id)
      .exec();
    // The oldest index entries are the ones retention removes: each post sweeps a few, so the
    // index stays bounded even when nobody pages back that far.
    await this.forgetExpired(await this.redis.zrange(this.keys.announcementIndex, '0', String(SWEEP - 1)));
  }

  private keepSeconds(ann: Pick<Announcement, 'expiresAt'>): number {
    return keepSeconds(ann, this.retentionSeconds);
  }

  async get(id: string): Promise<Announcement | null> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) return null;
    const h = await this.redis.hgetall(this.keys.announcement(id));
    if (!h.data) return null;
    return fromHash(h);
  }

  /** What changes under a sender's feet: the status, and the content's revision (0 until rewritten). */
  async head(id: string): Promise<{ status: AnnouncementStatus; version: number; revision: number; retracted: boolean } | null> {
    const [status, rev, revision, retracted] = await this.redis.hmget(this.keys.announcement(id), 'status', 'rev', 'revision', 'retracted');
    return status
      ? { status: status as AnnouncementStatus, version: Number(rev ?? 0), revision: Number(revision ?? 1), retracted: retracted === '1' }
      : null;
  }

  /**
   * Writes a new revision of the content (an edit; with `retract`, the withdrawal), only while
   * the announcement is in one of `from` and not retracted. The history gains its entry in the
   * same atomic step.
   */
  async revise(
    id: string,
    change: { data: Omit<Announcement, 'status' | 'version' | 'revision' | 'retracted'>; entry: Omit<RevisionEntry, 'revision'>; retract?: boolean },
    from: AnnouncementStatus[],
  ): Promise<ReviseResult> {
    const keys = [this.keys.announcement(id), this.keys.counters(id), ...change.data.channels.map((ch) => this.keys.deliveries(id, ch))];
    const [code, status] = await (this.redis as Redis & { crierReviseN(n: number, ...x: string[]): Promise<[number, string]> }).crierReviseN(
      keys.length, ...keys, JSON.stringify(change.data), JSON.stringify(change.entry), change.retract ? '1' : '0',
      String(this.keepSeconds(change.data)), expiresAtMs(change.data), ...from,
    );
    if (code > 0) return { ok: true, revision: code, status: status as AnnouncementStatus };
    const reason = code === -1 ? 'not_found' : code === -2 ? 'retracted' : 'status';
    return { ok: false, reason, ...(status ? { status: status as AnnouncementStatus } : {}) };
  }

  /** One revision's history entry (one field, not the whole hash), or null. */
  async revision(id: string, n: number): Promise<RevisionEntry | null> {
    const raw = await this.redis.hget(this.keys.announcement(id), `history:${n}`);
    return raw ? (JSON.parse(raw) as RevisionEntry) : null;
  }

  /** The revision history, oldest first (an announcement stored before corrections existed gets its first entry from its own fields). */
  async revisions(ann: Pick<Announcement, 'id' | 'createdAt' | 'createdBy'>): Promise<RevisionEntry[]> {
    const raw = await this.redis.hgetall(this.keys.announcement(ann.id));
    const entries = Object.entries(raw).filter(([k]) => k.startsWith('history:')).map(([, v]) => JSON.parse(v) as RevisionEntry);
    if (!entries.some((e) => e.revision === 1)) entries.push({ revision: 1, kind: 'post', at: ann.createdAt, by: ann.createdBy });
    return entries.sort((a, b) => a.revision - b.revision);
  }

  /** The ids of the newest `limit` announcements (all of them when limit is omitted), newest first. */
  async recentIds(limit?: number): Promise<string[]> {
    return this.redis.zrevrange(this.keys.announcementIndex, 0, limit === undefined ? -1 : limit - 1);
  }

  /** The statuses of `ids` in one pipeline, in their order; null for an unknown (or expired) one. */
  async statuses(ids: string[]): Promise<(AnnouncementStatus | null)[]> {
    if (!ids.length) return [];
    const p = this.redis.pipeline();
    for (const id of ids) p.hget(this.keys.announcement(id), 'status');
    return ((await p.exec()) ?? []).map(([err, st]) => (!err && typeof st === 'string' ? (st as AnnouncementStatus) : null));
  }

  /** Several announcements in one pipeline, in the order of `ids`; unknown ones are left out. */
  async getMany(ids: string[]): Promise<Announcement[]> {
    const valid = ids.filter((id) => /^[A-Za-z0-9_-]{1,64}$/.test(id));
    if (!valid.length) return [];
    const p = this.redis.pipeline();
    for (const id of valid) p.hgetall(this.keys.announcement(id));
    const out: Announcement[] = [];
    for (const [err, h] of (await p.exec()) ?? []) {
      if (err) throw err;
      if ((h as Record<string, string>).data) out.push(fromHash(h as Record<string, string>));
    }
    return out;
  }

  /** A scheduled announcement's new publish time (the desk's reschedule); the data is otherwise kept. */
  async setPublishTime(id: string, iso: string): Promise<void> {
    const raw = await this.redis.hget(this.keys.announcement(id), 'data');
    if (!raw) return;
    const data = JSON.parse(raw) as Omit<Announcement, 'status'>;
    // A new revision: senders holding the old content (the feed item's date) read it again.
    await this.redis.multi()
      .hset(this.keys.announcement(id), 'data', JSON.stringify({ ...data, publishAt: iso, publishedAt: iso }))
      .hincrby(this.keys.announcement(id), 'rev', 1)
      .exec();
  }

  /** The `limit` newest ids with their status, in one pipeline (recovery after a restart). */
  async recentStatuses(limit: number): Promise<{ id: string; status: AnnouncementStatus | null }[]> {
    const ids = await this.redis.zrevrange(this.keys.announcementIndex, 0, limit - 1);
    if (ids.length === 0) return [];
    const p = this.redis.pipeline();
    for (const id of ids) p.hget(this.keys.announcement(id), 'status');
    const res = (await p.exec()) ?? [];
    const out = ids.map((id, i) => ({ id, status: (res[i]?.[1] as AnnouncementStatus | null) ?? null }));
    await this.forgetExpired(out.filter((x) => x.status === null).map((x) => x.id));
    return out;
  }

  /**
   * Drops index entries whose announcement has expired (retention). Only ids whose hash is
   * gone at this moment are removed, so one saved meanwhile is never lost from the index.
   */
  private async forgetExpired(ids: string[]): Promise<void> {
    if (!ids.length) return;
    const p = this.redis.pipeline();
    for (const id of ids) p.exists(this.keys.announcement(id));
    const res = (await p.exec()) ?? [];
    const expired = ids.filter((_, i) => res[i]?.[1] === 0);
    if (expired.length) await this.redis.zrem(this.keys.announcementIndex, ...expired);
  }

  async status(id: string): Promise<AnnouncementStatus | null> {
    return (await this.redis.hget(this.keys.announcement(id), 'status')) as AnnouncementStatus | null;
  }

  /**
   * Sets the status only when the current one is in `from`.
   * Returns the previous status on success, or { current } when refused, or null when unknown.
   */
  async setStatusIf(id: string, to: AnnouncementStatus, from: AnnouncementStatus[]): Promise<{ ok: true; previous: AnnouncementStatus } | { ok: false; current: AnnouncementStatus } | null> {
    const ttl = FINAL.includes(to) ? this.retentionSeconds : 0;
    const r = await (this.redis as Redis & { crierSetStatusIf2(k: string, c: string, ...a: string[]): Promise<string> }).crierSetStatusIf2(
      this.keys.announcement(id), this.keys.counters(id), to, String(ttl), ...from,
    );
    if (r === '') return null;
    if (r.startsWith('!')) return { ok: false, current: r.slice(1) as AnnouncementStatus };
    return { ok: true, previous: r as AnnouncementStatus };
  }

  /** Newest first. The cursor is the offset-free position "<score>.<id>" of the last item. */
  async list(opts: { cursor?: string | null; limit?: number } = {}): Promise<{ items: Announcement[]; next: string | null }> {
    const limit = Math.min(Math.max(opts.limit ?? 20, 1), 100);
    let ids: string[];
    if (opts.cursor) {
      const m = /^(\d+)\.([A-Za-z0-9_-]+)$/.exec(opts.cursor);
      if (!m) throw new Error('cursor: not a cursor this API returned');
      // Everything at or below the last score, then skip up to and including the last id.
      const page = await this.redis.zrevrangebyscore(this.keys.announcementIndex, m[1], '-inf', 'LIMIT', 0, limit + 50);
      const at = page.indexOf(m[2]);
      ids = (at >= 0 ? page.slice(at + 1) : page).slice(0, limit + 1);
    } else {
      ids = await this.redis.zrevrange(this.keys.announcementIndex, 0, limit);
    }
    const more = ids.length > limit;
    ids = ids.slice(0, limit);
    const found = await Promise.all(ids.map((id) => this.get(id)));
    await this.forgetExpired(ids.filter((_, i) => found[i] === null));
    const items = found.filter((a): a is Announcement => a !== null);
    const last = items[items.length - 1];
    const next = more && last ? `${Date.parse(last.createdAt)}.${last.id}` : null;
    return { items, next };
  }
}
