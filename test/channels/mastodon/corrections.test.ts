// Mastodon corrections against the fake instance, with the real pacer over Redis: an edit is
// PUT /api/v1/statuses/:id, a retraction DELETE; 404s, old records, the deletion limit (30 in
// 30 minutes, answered with 429 and X-RateLimit-Reset) and how it is paced.
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMastodonChannel, deleteRate, mastodonStatusId } from '../../../channels/mastodon/channel.js';
import type { ChannelDeps } from '../../../src/channel-module.js';
import { RateLimiter } from '../../../src/queue/limiter.js';
import { Pacer } from '../../../src/queue/pacer.js';
import { makeKeys } from '../../../src/redis/keys.js';
import { ChannelError, type Announcement, type CorrectionTask, type Recipient } from '../../../src/types.js';
import { silentLogger } from '../../../src/util/log.js';
import { ctxFor } from '../../support/channel-context.js';
import { startFakeMastodon, type FakeMastodon } from '../../support/fake-mastodon.js';
import { deletePrefix, redisUrl, testConfig, uniquePrefix } from '../../support/harness.js';
import { loadFixture } from '../../render/fixtures.js';

let fake: FakeMastodon;
let redis: Redis;
let prefix: string;
let pacer: Pacer;
let acquired: { name: string; limits: unknown }[];

beforeEach(async () => {
  fake = await startFakeMastodon();
  redis = new Redis(redisUrl());
  prefix = uniquePrefix('masto-cor');
  const real = new Pacer(new RateLimiter(redis), makeKeys(prefix));
  acquired = [];
  // The real pacer, with a record of what was acquired.
  pacer = Object.assign(Object.create(real) as Pacer, {
    acquire: (ch: { name: string; limits: unknown }, r?: Recipient, signal?: AbortSignal) => {
      acquired.push({ name: ch.name, limits: ch.limits });
      return real.acquire(ch as never, r, signal);
    },
  });
});
afterEach(async () => {
  await fake.close();
  await deletePrefix(redisUrl(), prefix);
  redis.disconnect();
});

function channel(mastodon: Record<string, unknown> = {}) {
  const config = testConfig({ channels: { mastodon: { enabled: true, instanceUrl: fake.url, accessToken: fake.token, language: 'en', ...mastodon } } });
  const deps = { redis, keys: makeKeys(prefix), pacer, log: silentLogger } as unknown as ChannelDeps;
  return createMastodonChannel(ctxFor(config, 'mastodon', deps));
}

function announcement(extra: Partial<Announcement> = {}): Announcement {
  const f = loadFixture('holiday-hours');
  return { ...f, priority: 'normal', id: 'ann-holiday', channels: ['mastodon'], status: 'done', createdAt: '', createdBy: 't', publishedAt: '', ...extra } as Announcement;
}

const R: Recipient = { id: 'account', address: '', language: 'en' };

async function sent(ch: ReturnType<typeof channel>, n = 1): Promise<CorrectionTask['sent']> {
  const res = await ch.send(ch.render(announcement(), R), R, { id: `ann-holiday.mastodon.${n}`, attempt: 1 });
  return { ref: res.ref, externalId: res.externalId ?? null, sentAt: new Date().toISOString(), revision: 1 };
}

function task(kind: CorrectionTask['kind'], s: CorrectionTask['sent'], extra: Partial<CorrectionTask> = {}): CorrectionTask {
  const ann = kind === 'edit'
    ? announcement({ title: { en: 'Opening hours (corrected)' }, summary: { en: 'Open until 18:00.' }, revision: 2 })
    : announcement({ retracted: true, revision: 2 });
  return { kind, ann, sent: s, recipient: R, delivery: { id: 'ann-holiday.r2.mastodon.account', attempt: 1 }, ...extra };
}

async function failure(p: Promise<unknown>): Promise<ChannelError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ChannelError);
  return err as ChannelError;
}

describe('send', () => {
  it('returns the status id as ref beside the externalId', async () => {
    const s = await sent(channel());
    expect(s.ref).toEqual({ id: fake.statuses[0].id });
    expect(s.externalId).toBe(fake.statuses[0].id);
  });
});

describe('edit', () => {
  it('puts the new text to the same status, in its language, fitted to the instance', async () => {
    const ch = channel();
    const s = await sent(ch);
    fake.instance.maxCharacters = 120;
    await ch.check!(); // reads the new limit
    const res = await ch.correct!(task('edit', s, { notice: { en: 'The hours were wrong.' } }));
    expect(res).toEqual({ action: 'edit', ref: { id: fake.statuses[0].id } });
    expect(fake.statuses).toHaveLength(1);
    const [edit] = fake.statuses[0].edits;
    expect(edit.text).toContain('Opening hours (corrected)');
    expect(edit.text).not.toContain('The hours were wrong.'); // edited in place, no notice appended
    expect(edit.language).toBe('en');
    expect(edit.idempotencyKey).toBeUndefined(); // documented for POST only
    expect(edit.text.length).toBeLessThanOrEqual(120);
    expect(acquired).toEqual([]); // edits use the worker's pacing only
  });

  it('is safe to apply twice', async () => {
    const ch = channel();
    const s = await sent(ch);
    await ch.correct!(task('edit', s));
    expect((await ch.correct!(task('edit', s))).action).toBe('edit');
    expect(fake.statuses[0].edits.map((e) => e.text)).toEqual([fake.statuses[0].text, fake.statuses[0].text]);
  });

  it('fails permanently when the status no longer exists', async () => {
    const ch = channel();
    const s = await sent(ch);
    fake.statuses[0].deleted = true;
    const err = await failure(ch.correct!(task('edit', s)));
    expect(err.kind).toBe('permanent');
    expect(err.message).toMatch(/^the status no longer exists \(HTTP 404: Record not found\)/);
  });

  it('passes on a 429 with X-RateLimit-Reset, and a 422', async () => {
    const ch = channel();
    const s = await sent(ch);
    fake.editScript.push({ kind: '429', resetInMs: 4000 }, { kind: '422', error: 'Validation failed: Text character limit of 500 exceeded' });
    const limited = await failure(ch.correct!(task('edit', s)));
    expect(limited.kind).toBe('retryable');
    expect(limited.retryAfterMs).toBeGreaterThan(2500);
    expect(limited.retryAfterMs).toBeLessThanOrEqual(4000);
    expect((await failure(ch.correct!(task('edit', s)))).kind).toBe('permanent');
    expect(fake.statuses[0].edits).toHaveLength(0);
  });

  it('reads an old record without ref; sends the notice when there is no id at all', async () => {
    const ch = channel();
    const s = await sent(ch);
    expect((await ch.correct!(task('edit', { externalId: s.externalId }))).action).toBe('edit');
    expect((await ch.correct!(task('edit', { externalId: `${fake.url}/@library/${fake.statuses[0].id}` }))).action).toBe('edit');
    expect(fake.statuses[0].edits).toHaveLength(2);
    expect(await ch.correct!(task('edit', { externalId: null }))).toMatchObject({ action: 'none', note: expect.stringContaining('was not recorded') });
    const res = await ch.correct!(task('edit', { externalId: null }, { notice: { en: 'The hours were wrong.' } }));
    expect(res).toMatchObject({ action: 'notice', ref: { id: fake.statuses[1].id } });
    expect(fake.statuses[1].text).toContain('Correction: ');
    expect(fake.statuses[1].text).toContain('The hours were wrong.');
  });
});

describe('retract', () => {
  it('deletes the status, paced on the deletion limit (30 in 30 minutes by default)', async () => {
    const ch = channel();
    const s = await sent(ch);
    expect(await ch.correct!(task('retract', s))).toEqual({ action: 'retract', ref: s.ref });
    expect(fake.statuses[0].deleted).toBe(true);
    expect(fake.deletes).toEqual([{ id: s.ref!.id, status: 200 }]);
    expect(acquired).toEqual([{ name: 'mastodon:delete', limits: { perSecond: 1, rates: [{ max: 30, perMs: 1_800_000, burst: 5 }] } }]);
  });

  it('takes the limit from deletesPer30Minutes', async () => {
    const ch = channel({ deletesPer30Minutes: 12 });
    await ch.correct!(task('retract', await sent(ch)));
    expect(acquired[0].limits).toEqual({ perSecond: 1, rates: [deleteRate(12)] });
    expect(deleteRate(3)).toEqual({ max: 3, perMs: 1_800_000, burst: 3 });
  });

  it('ends as success with a note when the status is already gone', async () => {
    const ch = channel();
    const s = await sent(ch);
    await ch.correct!(task('retract', s));
    expect(await ch.correct!(task('retract', s))).toEqual({ action: 'retract', ref: s.ref, note: 'the status was already gone from Mastodon' });
    expect(fake.deletes.map((d) => d.status)).toEqual([200, 404]);
  });

  it('a full deletion limit: retryable until X-RateLimit-Reset, holding the deletions (not the posts) until then', async () => {
    const ch = channel();
    const a = await sent(ch, 1);
    const b = await sent(ch, 2);
    // Align to the start of a fresh 3 s period so the reset is well ahead (deletions go at
    // most one a second).
    fake.deleteLimit = { limit: 1, periodMs: 3000 };
    await new Promise((r) => setTimeout(r, 3000 - (Date.now() % 3000) + 20));
    await ch.correct!(task('retract', a));
    const err = await failure(ch.correct!(task('retract', b)));
    expect(err).toMatchObject({ kind: 'retryable', holdScope: 'recipient' });
    expect(err.message).toMatch(/^deletions rate limited \(HTTP 429/);
    expect(err.retryAfterMs).toBeGreaterThan(800);
    const resetAt = Date.now() + err.retryAfterMs!;
    // A post goes at once: only the deletions were held.
    await sent(ch, 3);
    expect(fake.statuses).toHaveLength(3);
    // The next deletion waits for the reset instead of meeting another 429.
    expect(await ch.correct!(task('retract', b))).toMatchObject({ action: 'retract' });
    expect(Date.now()).toBeGreaterThanOrEqual(resetAt - 50);
    expect(fake.deletes.map((d) => d.status)).toEqual([200, 429, 200]);
  });

  it('fails permanently on a 401, retryably on a 500', async () => {
    const ch = channel();
    const s = await sent(ch);
    fake.deleteScript.push({ kind: '401' }, { kind: '500' });
    expect((await failure(ch.correct!(task('retract', s)))).kind).toBe('permanent');
    expect((await failure(ch.correct!(task('retract', s)))).kind).toBe('retryable');
    expect(fake.statuses[0].deleted).toBeUndefined();
  });
});

describe('mastodonStatusId', () => {
  it('prefers the ref, reads an id or a status URL on this instance, refuses others', () => {
    const base = 'https://m.example';
    expect(mastodonStatusId({ ref: { id: '12' }, externalId: '99' }, base)).toBe('12');
    expect(mastodonStatusId({ externalId: '99' }, base)).toBe('99');
    expect(mastodonStatusId({ externalId: 'https://m.example/@library/77' }, base)).toBe('77');
    expect(mastodonStatusId({ externalId: 'https://other.example/@library/77' }, base)).toBeUndefined();
    expect(mastodonStatusId({ externalId: null }, base)).toBeUndefined();
  });
});
