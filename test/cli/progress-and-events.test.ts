// The pieces under `post --wait`: the plain progress line and the event-stream watcher
// (the bars themselves are tested in progress-bars.test.ts).
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseEvent, watchEvents, type CrierEvent } from '../../src/events/watch.js';
import type { DeliveryCounts } from '../../src/store/deliveries.js';
import { countsLine } from '../../src/cli/progress/bars.js';
import { redisUrl, uniquePrefix, waitFor } from '../support/harness.js';

const counts = (c: Partial<DeliveryCounts>): DeliveryCounts => ({ total: 0, queued: 0, sending: 0, sent: 0, failed: 0, skipped: 0, ...c });

describe('progress lines', () => {
  it('reads "email  12/30 sent, 1 failed, 17 queued", counting those being sent as queued', () => {
    expect(countsLine('email', counts({ total: 30, sent: 12, failed: 1, queued: 15, sending: 2 }))).toBe('email  12/30 sent, 1 failed, 17 queued');
    expect(countsLine('rss', counts({ total: 1, skipped: 1 }), 5)).toBe('rss    0/1 sent, 0 failed, 0 queued, 1 skipped');
  });
});

describe('watchEvents', () => {
  const key = `${uniquePrefix('watch')}:events`;
  const r = new Redis(redisUrl());
  afterEach(async () => {
    await r.del(key);
  });
  afterAll(() => r.disconnect());

  it('delivers every entry after fromId in order, parsed, and stops when aborted', async () => {
    const before = await r.xadd(key, '*', 'type', 'queued', 'ann', 'a1', 'channel', 'email', 'count', '2');
    const seen: CrierEvent[] = [];
    const stop = new AbortController();
    const done = watchEvents(redisUrl(), key, { fromId: before!, signal: stop.signal, blockMs: 200, onEvents: (e) => void seen.push(...e) });
    await r.xadd(key, '*', 'type', 'delivery', 'ann', 'a1', 'channel', 'email', 'recipient', 's1', 'status', 'failed', 'error', '550 no such user');
    await r.xadd(key, '*', 'type', 'announcement', 'ann', 'a1', 'status', 'done_with_failures');
    await waitFor(() => seen.length === 2, { what: 'two events' });
    expect(seen[0]).toMatchObject({ type: 'delivery', ann: 'a1', channel: 'email', recipient: 's1', status: 'failed', error: '550 no such user' });
    expect(seen[1]).toMatchObject({ type: 'announcement', ann: 'a1', status: 'done_with_failures' });
    const t0 = Date.now();
    stop.abort();
    await done;
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('parses a correction event with its revision', () => {
    const ev = parseEvent('1-0', ['type', 'correction', 'ann', 'a1', 'channel', 'telegram', 'revision', '2', 'status', 'sent']);
    expect(ev).toEqual({ id: '1-0', type: 'correction', ann: 'a1', channel: 'telegram', revision: 2, status: 'sent' });
  });

  it("starts from now with '$' and reads nothing written before", async () => {
    await r.xadd(key, '*', 'type', 'queued', 'ann', 'old', 'channel', 'rss', 'count', '1');
    const seen: CrierEvent[] = [];
    const stop = new AbortController();
    const done = watchEvents(redisUrl(), key, { signal: stop.signal, blockMs: 100, onEvents: (e) => void seen.push(...e) });
    // The '$' position is taken when the watcher starts; give it a moment before writing.
    await new Promise((res) => setTimeout(res, 300));
    await r.xadd(key, '*', 'type', 'queued', 'ann', 'new', 'channel', 'rss', 'count', '1');
    await waitFor(() => seen.length > 0, { what: 'the new event' });
    stop.abort();
    await done;
    expect(seen.map((e) => e.ann)).toEqual(['new']);
    expect(seen[0].count).toBe(1);
  });
});
