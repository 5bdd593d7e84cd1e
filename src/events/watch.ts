// Follows Crier's event stream (`<prefix>:events`, written by the delivery log's Lua scripts):
// a blocking XREAD loop on its own connection. Used by `crier post --wait`; meant for the
// dashboard's server-sent events too.
import type { Redis } from 'ioredis';
import { asCommandClient, createRedis, type RedisTarget } from '../redis/connection.js';

/** One entry of the stream. Which fields are set depends on `type`. */
export interface CrierEvent {
  /** The stream entry id ("<ms>-<seq>"). */
  id: string;
  /** delivery: a delivery changed state; queued: `count` deliveries were written; announcement: it became final;
   *  correction: a correction of `revision` was queued (`count`) or changed state. */
  type: 'delivery' | 'queued' | 'announcement' | string;
  ann: string;
  channel?: string;
  recipient?: string;
  status?: string;
  error?: string;
  count?: number;
  /** correction: the announcement revision it applies. */
  revision?: number;
}

export interface WatchOptions {
  /** Read entries after this id; '$' (the default) means "from now on". */
  fromId?: string;
  signal?: AbortSignal;
  /** Called with each batch, in order; the next read waits for it. */
  onEvents(events: CrierEvent[]): void | Promise<void>;
  /** Called when a read fails for another reason than the abort; the loop retries after a pause. */
  onError?(err: Error): void;
  /** How long one XREAD blocks (ms). */
  blockMs?: number;
  /** Entries per read. */
  count?: number;
}

/** The id of the newest entry, or "0-0" when the stream is empty or missing. */
export async function lastEventId(redis: Redis, streamKey: string): Promise<string> {
  const [last] = await redis.xrevrange(streamKey, '+', '-', 'COUNT', 1);
  return last ? last[0] : '0-0';
}

export function parseEvent(id: string, flat: string[]): CrierEvent {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]] = flat[i + 1];
  const ev: CrierEvent = { id, type: f.type ?? '', ann: f.ann ?? '' };
  if (f.channel !== undefined) ev.channel = f.channel;
  if (f.recipient !== undefined) ev.recipient = f.recipient;
  if (f.status !== undefined) ev.status = f.status;
  if (f.error) ev.error = f.error;
  if (f.count !== undefined) ev.count = Number(f.count);
  if (f.revision !== undefined) ev.revision = Number(f.revision);
  return ev;
}

/**
 * Reads the stream until the signal aborts; resolves then. Every entry after `fromId` is
 * delivered exactly once, in order, even across Redis reconnects.
 */
export async function watchEvents(redis: RedisTarget, streamKey: string, opts: WatchOptions): Promise<void> {
  const { signal } = opts;
  if (signal?.aborted) return;
  const conn = asCommandClient(createRedis(redis, { blocking: true }));
  const stop = () => conn.disconnect();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    // '$' is resolved once, so nothing written between two reads is skipped.
    let lastId = (opts.fromId ?? '$') === '$' ? await lastEventId(conn, streamKey) : opts.fromId!;
    while (!signal?.aborted) {
      let res: [string, [string, string[]][]][] | null;
      try {
        res = (await conn.xread('COUNT', opts.count ?? 500, 'BLOCK', opts.blockMs ?? 5000, 'STREAMS', streamKey, lastId)) as typeof res;
      } catch (err) {
        if (signal?.aborted) break;
        opts.onError?.(err as Error);
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      const entries = res?.[0]?.[1] ?? [];
      if (entries.length === 0) continue;
      lastId = entries[entries.length - 1][0];
      await opts.onEvents(entries.map(([id, flat]) => parseEvent(id, flat)));
    }
  } catch (err) {
    // Only the '$' lookup can land here: a connection closed by the abort is not an error.
    if (!signal?.aborted) throw err;
  } finally {
    signal?.removeEventListener('abort', stop);
    conn.disconnect();
  }
}
