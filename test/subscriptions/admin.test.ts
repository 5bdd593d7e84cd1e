// Subscriber management for admins: list/search with a cursor, CSV export, stats, delete with
// every key about the subscriber; 401 without a token and 403 for a librarian on each route.
import { RateLimiter } from '../../src/queue/limiter.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Subscriber } from '../../src/store/subscribers.js';
import { subscriptionsFor } from '../../src/subscriptions/service.js';
import { deletePrefix, LIBRARIAN_TOKEN } from '../support/harness.js';
import { call, storedKeys } from '../http/helpers.js';
import { subEnv, subscribe, type SubEnv } from './helpers.js';

let env: SubEnv;
beforeAll(async () => {
  env = await subEnv({ config: { channels: { email: { enabled: true, smtpUrl: 'smtp://127.0.0.1:1' }, telegram: { enabled: true, token: 'x' } } } });
});
afterAll(() => env.dispose());
beforeEach(async () => {
  await deletePrefix(env.s.config.redis.url, env.s.config.redis.prefix);
});

type Row = Parameters<typeof env.s.subscribers.upsert>[0];
async function seed(rows: Partial<Row>[]): Promise<Subscriber[]> {
  const out: Subscriber[] = [];
  for (const r of rows) {
    out.push((await env.s.subscribers.upsert({ channel: 'email', address: 'x@example.edu', topics: ['hours'], language: 'en', status: 'active', ...r })).subscriber);
  }
  return out;
}

const ROUTES: [string, string][] = [
  ['GET', '/api/subscribers'],
  ['GET', '/api/subscribers/export'],
  ['GET', '/api/subscribers/stats'],
  ['GET', '/api/subscribers/s1'],
  ['DELETE', '/api/subscribers/s1'],
];

describe('access', () => {
  it('401 without a token, 403 for a librarian, on every admin route; nothing deleted', async () => {
    const [sub] = await seed([{ address: 'kept@example.edu' }]);
    expect(sub.id).toBe('s1');
    for (const [method, url] of ROUTES) {
      const anon = await call(env.app, method as 'GET', url, { token: null });
      expect(anon.statusCode, `${method} ${url}`).toBe(401);
      const lib = await call(env.app, method as 'GET', url, { token: LIBRARIAN_TOKEN });
      expect(lib.statusCode, `${method} ${url}`).toBe(403);
      expect(lib.json()).toMatchObject({ error: 'forbidden' });
      expect(lib.body).not.toContain('kept@example.edu');
    }
    expect(await env.s.subscribers.get('s1')).not.toBeNull();
  });
});

describe('GET /api/subscribers', () => {
  it('lists newest first and pages every subscriber exactly once with the cursor', async () => {
    await seed(Array.from({ length: 7 }, (_, i) => ({ address: `p${i}@example.edu`, status: i % 3 === 0 ? 'pending' : 'active' } as const)));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await call(env.app, 'GET', `/api/subscribers?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const body = res.json() as { items: { address: string }[]; next: string | null };
      expect(body.items.length).toBeLessThanOrEqual(3);
      seen.push(...body.items.map((i) => i.address));
      cursor = body.next;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(seen).toEqual(Array.from({ length: 7 }, (_, i) => `p${6 - i}@example.edu`));
    const first = (await call(env.app, 'GET', '/api/subscribers?limit=1')).json();
    expect(first.items[0]).toEqual({
      id: 's7', channel: 'email', address: 'p6@example.edu', topics: ['hours'], language: 'en', status: 'pending',
      createdAt: expect.any(String), updatedAt: expect.any(String),
    });
  });

  it('searches by address substring (case-insensitive), and filters by channel and status', async () => {
    await seed([
      { address: 'alice@uni.edu' },
      { address: 'bob@uni.edu', status: 'unsubscribed' },
      { address: 'ALICIA@other.org' },
      { channel: 'telegram', address: '1234567', language: 'zh' },
    ]);
    const q = async (qs: string) => ((await call(env.app, 'GET', `/api/subscribers?${qs}`)).json().items as { address: string }[]).map((i) => i.address);
    expect(await q('q=ALI')).toEqual(['alicia@other.org', 'alice@uni.edu']);
    expect(await q('q=uni.edu')).toEqual(['bob@uni.edu', 'alice@uni.edu']);
    expect(await q('q=uni.edu&status=active')).toEqual(['alice@uni.edu']);
    expect(await q('channel=telegram')).toEqual(['1234567']);
    expect(await q('channel=email&q=345')).toEqual([]);
    expect(await q('q=nobody')).toEqual([]);
  });

  it('400 for bad parameters', async () => {
    for (const qs of ['status=gone', 'cursor=abc', 'limit=0', 'limit=501', 'channel=Bad Name', `q=${'x'.repeat(300)}`]) {
      const res = await call(env.app, 'GET', `/api/subscribers?${qs.replace(/ /g, '%20')}`);
      expect(res.statusCode, qs).toBe(400);
      expect(res.json().error).toBe('invalid_query');
    }
  });
});

describe('GET /api/subscribers/export', () => {
  it('streams CSV email,topics,language,status,createdAt of the channel, oldest first, defusing formulas', async () => {
    const subs = await seed([
      { address: 'one@example.edu', topics: ['hours', 'events'], language: 'zh' },
      { address: 'two@example.edu', topics: ['*'], language: 'both', status: 'unsubscribed' },
      { address: '=cmd@example.edu' },
      { channel: 'telegram', address: '999' },
    ]);
    const res = await call(env.app, 'GET', '/api/subscribers/export');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="subscribers-email-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.body.split('\r\n')).toEqual([
      'email,topics,language,status,createdAt',
      `one@example.edu,hours;events,zh,active,${subs[0].createdAt}`,
      `two@example.edu,*,both,unsubscribed,${subs[1].createdAt}`,
      `'=cmd@example.edu,hours,en,active,${subs[2].createdAt}`,
      '',
    ]);
    const active = await call(env.app, 'GET', '/api/subscribers/export?status=active');
    expect(active.body.split('\r\n')).toHaveLength(4);
    const tg = await call(env.app, 'GET', '/api/subscribers/export?channel=telegram');
    expect(tg.body.split('\r\n')[0]).toBe('address,topics,language,status,createdAt');
    expect(tg.body).toContain('999,hours,en,active,');
  });

  it('exports a few thousand subscribers', async () => {
    await Promise.all(Array.from({ length: 2500 }, (_, i) =>
      env.s.subscribers.upsert({ channel: 'email', address: `bulk${i}@example.edu`, topics: ['hours'], language: 'en', status: 'active' })));
    const res = await call(env.app, 'GET', '/api/subscribers/export');
    const lines = res.body.trimEnd().split('\r\n');
    expect(lines).toHaveLength(2501);
    expect(new Set(lines).size).toBe(2501);
  });
});

describe('GET /api/subscribers/stats', () => {
  it('counts per channel, topic and language (active ones), statuses, and recent events', async () => {
    await seed([
      { address: 'a@example.edu', topics: ['hours', 'events'], language: 'en' },
      { address: 'b@example.edu', topics: ['*'], language: 'zh' },
      { address: 'c@example.edu', topics: ['events'], language: 'both' },
      { address: 'd@example.edu', topics: ['hours'], language: 'en', status: 'unsubscribed' },
      { address: 'e@example.edu', topics: ['hours'], language: 'en', status: 'pending' },
      { channel: 'telegram', address: '42', topics: ['databases'], language: 'zh' },
    ]);
    expect((await subscribe(env.app, { email: 'f@example.edu', topics: ['training'], language: 'en' })).statusCode).toBe(202);
    const res = await call(env.app, 'GET', '/api/subscribers/stats');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.channels.email).toEqual({
      total: 6,
      statuses: { pending: 2, active: 3, unsubscribed: 1, bounced: 0, blocked: 0 },
      active: 3,
      languages: { en: 1, zh: 1, both: 1 },
      topics: { hours: 1, events: 2, '*': 1 },
      reach: { hours: 2, events: 3, databases: 1, services: 1, training: 1 },
    });
    expect(body.channels.telegram).toMatchObject({ total: 1, active: 1, languages: { en: 0, zh: 1, both: 0 }, topics: { databases: 1 } });
    expect(body.recent).toEqual([{ at: expect.any(String), type: 'requested', channel: 'email', id: 's7' }]);
  });

  it('shows enabled subscription channels with zeros before anyone subscribes', async () => {
    const body = (await call(env.app, 'GET', '/api/subscribers/stats')).json();
    expect(body.channels.email).toMatchObject({ total: 0, active: 0, reach: { hours: 0 } });
    expect(body.channels.telegram).toMatchObject({ total: 0 });
    expect(body.recent).toEqual([]);
  });
});

describe('GET and DELETE /api/subscribers/:id', () => {
  it('deletes the subscriber and every key about them: 204, then 404; others untouched', async () => {
    const before = await storedKeys(env.s);
    const [keep] = await seed([{ address: 'keep@example.edu' }]);
    // Go through the public flow, so that the throttle, the event list and a queued job exist too.
    expect((await subscribe(env.app, { email: 'Erase.Me@example.edu', topics: ['hours'], language: 'en' })).statusCode).toBe(202);
    const target = (await env.s.subscribers.findByAddress('email', 'erase.me@example.edu'))!;
    await subscriptionsFor(env.s).confirm(
      (await subscriptionsFor(env.s).ready()).sign({ sub: target.id, purpose: 'confirm', exp: Math.floor(Date.now() / 1000) + 60 }),
    );
    await new RateLimiter(env.s.redis).acquire(env.s.keys.rate(`email:${target.id}`), 10);
    expect((await call(env.app, 'GET', `/api/subscribers/${target.id}`)).json()).toMatchObject({ address: 'erase.me@example.edu', status: 'active' });

    const res = await call(env.app, 'DELETE', `/api/subscribers/${target.id}`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect((await call(env.app, 'DELETE', `/api/subscribers/${target.id}`)).statusCode).toBe(404);
    expect((await call(env.app, 'GET', `/api/subscribers/${target.id}`)).statusCode).toBe(404);
    expect(await env.s.subscribers.findByAddress('email', 'erase.me@example.edu')).toBeNull();
    expect(await env.s.subscribers.countActive('email')).toBe(1);

    // No key names them, and no value outside BullMQ's job store holds their address or id.
    const keys = (await storedKeys(env.s)).filter((k) => !before.includes(k));
    for (const k of keys) {
      expect(k.split(':')).not.toContain(target.id);
      expect(k).not.toContain('erase.me');
      if (k.includes(':bull:')) continue;
      const type = await env.s.redis.type(k);
      const dump = type === 'string' ? await env.s.redis.get(k)
        : type === 'hash' ? JSON.stringify(await env.s.redis.hgetall(k))
        : type === 'list' ? JSON.stringify(await env.s.redis.lrange(k, 0, -1))
        : type === 'zset' ? JSON.stringify(await env.s.redis.zrange(k, '0', '-1'))
        : '';
      expect(dump ?? '', k).not.toContain('erase.me');
      expect(dump ?? '', k).not.toContain(`"${target.id}"`);
    }
    // The queued confirmation names only the id; its job finds nobody and sends nothing.
    const jobs = await subscriptionsFor(env.s).queue.getJobs(['waiting', 'delayed', 'prioritized']);
    expect(JSON.stringify(jobs.map((j) => j.data))).not.toContain('erase.me');
    expect(await env.s.subscribers.get(keep.id)).not.toBeNull();
  });

  it('404 for an unknown or malformed id', async () => {
    for (const id of ['s999', 'no%20such', '..%2Fseq']) {
      expect((await call(env.app, 'DELETE', `/api/subscribers/${id}`)).statusCode).toBe(404);
    }
    expect((await call(env.app, 'GET', '/api/subscribers/s999')).json()).toMatchObject({ error: 'not_found' });
  });
});
