import { describe, expect, it } from 'vitest';
import { makeKeys } from '../../src/redis/keys.js';

describe('Redis keys', () => {
  it('never lets an id-bearing key equal a fixed key, whatever the id', () => {
    const k = makeKeys('p');
    const fixed = new Set([k.announcementIndex, k.events, k.subscriberSeq, k.rssItems]);
    // Ids are base36 sequences/time-based; every word a base36 id could spell must be safe.
    for (const id of ['seq', 'index', 'items', 'addr', 'events', 'subseq', 'annindex']) {
      for (const key of [k.announcement(id), k.subscriber(id), k.counters(id), k.fanout(id), k.deliveries(id, 'email')]) {
        expect(fixed.has(key), key).toBe(false);
      }
    }
  });
});
