// POST /api/subscribers without workers: validation, the same answer for every state of an
// address, no duplicates, the per-IP rate limit, the per-address cap on confirmation mails,
// and GET /subscriptions/confirm with bad, tampered and expired tokens.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from 'bullmq';
import { subscriptionsFor, CONFIRMATIONS_PER_HOUR, type ConfirmJob } from '../../src/subscriptions/service.js';
import { deletePrefix } from '../support/harness.js';
import { subEnv, subscribe, type SubEnv } from './helpers.js';

let env: SubEnv;
beforeAll(async () => {
  env = await subEnv();
});
afterAll(() => env.dispose());
beforeEach(async () => {
  await deletePrefix(env.s.config.redis.url, env.s.config.redis.prefix);
});

const queued = async (): Promise<Job<ConfirmJob>[]> => subscriptionsFor(env.s).queue.getJobs(['waiting', 'delayed', 'prioritized']);

describe('POST /api/subscribers: validation', () => {
  const cases: [string, unknown, string][] = [
    ['a bad address', { email: 'not-an-address', topics: ['hours'], language: 'en' }, 'email'],
    ['an unknown topic', { email: 'a@example.edu', topics: ['hours', 'astrology'], language: 'en' }, 'topics.1'],
    ['no topics', { email: 'a@example.edu', topics: [], language: 'en' }, 'topics'],
    ['topics not a list', { email: 'a@example.edu', topics: 'hours', language: 'en' }, 'topics'],
    ['a bad language', { email: 'a@example.edu', topics: ['hours'], language: 'fr' }, 'language'],
    ['an unknown field', { email: 'a@example.edu', topics: ['hours'], language: 'en', name: 'A' }, 'name'],
    ['a missing address', { topics: ['hours'], language: 'en' }, 'email'],
  ];
  for (const [what, body, path] of cases) {
    it(`400 invalid_subscription for ${what}, naming ${path}`, async () => {
      const res = await subscribe(env.app, body);
      expect(res.statusCode).toBe(400);
      const json = res.json();
      expect(json.error).toBe('invalid_subscription');
      expect(json.issues).toEqual(expect.arrayContaining([{ path, message: expect.any(String) }]));
      expect(await env.s.subscribers.lastSequence()).toBe(0);
      expect(await queued()).toHaveLength(0);
    });
  }

  it('400 for a body that is not JSON', async () => {
    const res = await subscribe(env.app, 'email=a@example.edu');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_subscription', issues: [{ path: '(root)' }] });
  });

  it('defaults the language to library.defaultLanguage and stores "*" alone', async () => {
    expect((await subscribe(env.app, { email: 'd@example.edu', topics: ['hours', '*'] })).statusCode).toBe(202);
    expect(await env.s.subscribers.findByAddress('email', 'd@example.edu')).toMatchObject({ topics: ['*'], language: 'both', status: 'pending' });
  });
});

describe('POST /api/subscribers: never reveals whether an address was known', () => {
  it('answers exactly alike for a new, pending, active, unsubscribed and bounced address, and never duplicates one', async () => {
    const s = env.s;
    await s.subscribers.upsert({ channel: 'email', address: 'active@example.edu', topics: ['hours'], language: 'en', status: 'active' });
    await s.subscribers.upsert({ channel: 'email', address: 'gone@example.edu', topics: ['hours'], language: 'en', status: 'unsubscribed' });
    await s.subscribers.upsert({ channel: 'email', address: 'bounced@example.edu', topics: ['hours'], language: 'en', status: 'bounced' });
    const body = (email: string) => ({ email, topics: ['events'], language: 'zh' });
    const first = await subscribe(env.app, body('new@example.edu'));
    const again = await subscribe(env.app, body('NEW@example.edu')); // now pending
    const others = [again, ...(await Promise.all(['active@example.edu', 'gone@example.edu', 'bounced@example.edu'].map((a) => subscribe(env.app, body(a)))))];
    const shape = (r: typeof first) => {
      const { date: _date, ...headers } = r.headers;
      return { status: r.statusCode, body: r.body, headers };
    };
    expect(first.statusCode).toBe(202);
    expect(first.json()).toEqual({ status: 'pending_confirmation' });
    for (const r of others) expect(shape(r)).toEqual(shape(first));

    // One subscriber per address: 4 before + 1 new; the repeat of the new one reused it.
    expect(await s.subscribers.lastSequence()).toBe(4);
    const news = await s.subscribers.list({ q: 'new@', limit: 10 });
    expect(news.items).toHaveLength(1);
    // Pending, unsubscribed and bounced take the new choices as pending; the active one is untouched.
    for (const a of ['new@example.edu', 'gone@example.edu', 'bounced@example.edu']) {
      expect(await s.subscribers.findByAddress('email', a)).toMatchObject({ status: 'pending', topics: ['events'], language: 'zh' });
    }
    expect(await s.subscribers.findByAddress('email', 'active@example.edu')).toMatchObject({ status: 'active', topics: ['hours'], language: 'en' });
    // Every request queued a confirmation carrying its choices.
    const jobs = await queued();
    expect(jobs).toHaveLength(5);
    expect(jobs.every((j) => j.data.topics.join() === 'events' && j.data.language === 'zh')).toBe(true);
    expect(JSON.stringify(jobs.map((j) => j.data))).not.toContain('@'); // job data names ids, not addresses
  });

  it(`sends at most ${CONFIRMATIONS_PER_HOUR} confirmation mails an hour to one address, answering alike`, async () => {
    for (let i = 0; i < CONFIRMATIONS_PER_HOUR + 3; i++) {
      const res = await subscribe(env.app, { email: 'victim@example.edu', topics: ['hours'], language: 'en' });
      expect(res.statusCode).toBe(202);
    }
    expect(await queued()).toHaveLength(CONFIRMATIONS_PER_HOUR);
  });
});

describe('POST /api/subscribers: rate limit per client IP', () => {
  it('allows 20 requests a minute from one IP, answers the 21st with 429 and Retry-After; other IPs are unaffected', async () => {
    // The window is the clock's minute: start well inside one so all 21 requests share it.
    const into = Date.now() % 60_000;
    if (into > 50_000) await new Promise((r) => setTimeout(r, 60_000 - into + 100));
    for (let i = 0; i < 20; i++) {
      const res = await subscribe(env.app, { email: `r${i}@example.edu`, topics: ['hours'], language: 'en' }, '192.0.2.7');
      expect(res.statusCode, `request ${i + 1}`).toBe(202);
    }
    const over = await subscribe(env.app, { email: 'r20@example.edu', topics: ['hours'], language: 'en' }, '192.0.2.7');
    expect(over.statusCode).toBe(429);
    expect(over.json()).toMatchObject({ error: 'too_many_requests' });
    const retry = Number(over.headers['retry-after']);
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);
    expect(await env.s.subscribers.findByAddress('email', 'r20@example.edu')).toBeNull();
    // Bad requests count too, and the limit is per address.
    expect((await subscribe(env.app, 'garbage', '192.0.2.7')).statusCode).toBe(429);
    expect((await subscribe(env.app, { email: 'other@example.edu', topics: ['hours'], language: 'en' }, '192.0.2.8')).statusCode).toBe(202);
  });

  it('opens a new window after the minute', async () => {
    const svc = subscriptionsFor(env.s);
    const t0 = Date.UTC(2030, 0, 1, 9, 0, 30);
    for (let i = 0; i < 20; i++) expect((await svc.rateLimit('198.51.100.1', t0)).allowed).toBe(true);
    expect(await svc.rateLimit('198.51.100.1', t0 + 10_000)).toEqual({ allowed: false, retryAfterSeconds: 20 });
    expect((await svc.rateLimit('198.51.100.1', t0 + 30_000)).allowed).toBe(true);
  });
});

describe('GET /subscriptions/confirm with a bad link', () => {
  async function pending(address: string) {
    return (await env.s.subscribers.upsert({ channel: 'email', address, topics: ['hours'], language: 'en', status: 'pending' })).subscriber;
  }
  const confirm = (token: string) => env.app.inject({ method: 'GET', url: `/subscriptions/confirm?token=${encodeURIComponent(token)}` });
  const expectBadPage = (res: Awaited<ReturnType<typeof confirm>>, words: RegExp) => {
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toMatch(words);
    expect(res.body).toContain('<meta charset="utf-8">');
    expect(res.body).not.toMatch(/at .*\.ts:\d+|Error:/);
  };

  it('400 page for an expired token (the subscriber stays pending)', async () => {
    const sub = await pending('late@example.edu');
    const signer = await subscriptionsFor(env.s).ready();
    const token = signer.sign({ sub: sub.id, purpose: 'confirm', exp: Math.floor(Date.now() / 1000) - 60, topics: ['hours'], language: 'en' });
    expectBadPage(await confirm(token), /confirmation link has expired/);
    expect((await env.s.subscribers.get(sub.id))!.status).toBe('pending');
    // The same token with a future expiry works: expiry is what failed.
    const fresh = signer.sign({ sub: sub.id, purpose: 'confirm', exp: Math.floor(Date.now() / 1000) + 60, topics: ['hours'], language: 'en' });
    expect((await confirm(fresh)).statusCode).toBe(200);
    expect((await env.s.subscribers.get(sub.id))!.status).toBe('active');
  });

  it('400 page for a tampered, truncated, wrong-purpose or missing token', async () => {
    const sub = await pending('t@example.edu');
    const other = await pending('u@example.edu');
    const signer = await subscriptionsFor(env.s).ready();
    const good = signer.sign({ sub: sub.id, purpose: 'confirm', exp: Math.floor(Date.now() / 1000) + 600, topics: ['hours'], language: 'en' });
    const [payload, mac] = good.split('.');
    // Another subscriber's id under the original MAC.
    const swapped = Buffer.from(Buffer.from(payload, 'base64url').toString().replace(sub.id, other.id)).toString('base64url');
    expectBadPage(await confirm(`${swapped}.${mac}`), /incomplete or damaged/);
    // One character of the MAC changed.
    const flipped = `${payload}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`;
    expectBadPage(await confirm(flipped), /incomplete or damaged/);
    expectBadPage(await confirm(good.slice(0, -5)), /incomplete or damaged/);
    expectBadPage(await confirm(signer.sign({ sub: sub.id, purpose: 'unsubscribe' })), /incomplete or damaged/);
    expectBadPage(await env.app.inject({ method: 'GET', url: '/subscriptions/confirm' }), /incomplete or damaged/);
    for (const id of [sub.id, other.id]) expect((await env.s.subscribers.get(id))!.status).toBe('pending');
    expect((await confirm(good)).statusCode).toBe(200);
  });

  it('400 page for the link of a subscriber deleted since', async () => {
    const sub = await pending('del@example.edu');
    const signer = await subscriptionsFor(env.s).ready();
    const token = signer.sign({ sub: sub.id, purpose: 'confirm', exp: Math.floor(Date.now() / 1000) + 600 });
    await subscriptionsFor(env.s).remove(sub.id);
    expectBadPage(await confirm(token), /no longer exists/);
    expect(await env.s.subscribers.findByAddress('email', 'del@example.edu')).toBeNull();
  });
});
