// The desk's Redis stores under concurrency and load: account updates that run at the same
// time all survive (each changes only its own fields, atomically), and the drafts, accounts
// and upcoming lists read their items in one round trip, not one per item, in the same order.
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountStore } from '../../src/accounts/store.js';
import { verifyPassword } from '../../src/accounts/password.js';
import { validateAnnouncement } from '../../src/announcement/schema.js';
import { DraftStore } from '../../src/desk/drafts.js';
import { upcoming } from '../../src/desk/schedule.js';
import type { Services } from '../../src/services.js';
import { AnnouncementStore } from '../../src/store/announcements.js';
import { deskEnv, type DeskEnv } from './support.js';

let env: DeskEnv;
/** A connection of the test's own, so that nothing else writes on it while trips are counted. */
let client: Redis;

beforeEach(async () => {
  env = await deskEnv();
  client = new Redis(env.s.config.redis.url);
  await client.ping();
});
afterEach(async () => {
  client.disconnect();
  await env.dispose();
});

/** How many times `fn` writes to the client's socket: a plain command or a whole pipeline is one round trip. */
async function roundTrips<T>(redis: Redis, fn: () => Promise<T>): Promise<{ result: T; trips: number }> {
  const stream = (redis as unknown as { stream: { write: (...a: unknown[]) => boolean } }).stream;
  const own = Object.prototype.hasOwnProperty.call(stream, 'write');
  const write = stream.write;
  let trips = 0;
  stream.write = function (this: unknown, ...a: unknown[]) {
    trips += 1;
    return write.apply(this, a);
  };
  try {
    return { result: await fn(), trips };
  } finally {
    if (own) stream.write = write;
    else delete (stream as { write?: unknown }).write;
  }
}

describe('account updates at the same time', () => {
  it('keeps every one: role, disabled, language and password changed together all stay', async () => {
    const a = await env.accounts.create({ name: 'Lin Wei', email: 'lin.wei@example.edu', role: 'librarian', createdBy: 'test' });
    // An admin changes the role and disables the account while the person picks a language
    // and sets a new password: four updates in flight on one connection at once.
    await Promise.all([
      env.accounts.setRole(a.id, 'admin'),
      env.accounts.setDisabled(a.id, true),
      env.accounts.setLanguage(a.id, 'zh'),
      env.accounts.setPassword(a.id, 'a brand new password'),
    ]);
    const now = (await env.accounts.get(a.id))!;
    expect(now).toMatchObject({ id: a.id, name: 'Lin Wei', email: 'lin.wei@example.edu', role: 'admin', disabled: true, language: 'zh', createdBy: 'test', createdAt: a.createdAt });
    expect(await verifyPassword('a brand new password', now.passwordHash)).toBe(true);
  });

  it('keeps both when two app processes (two connections) update the same account', async () => {
    const a = await env.accounts.create({ name: 'Lin Wei', email: 'lin.wei@example.edu', role: 'librarian', createdBy: 'test' });
    const other = new AccountStore(client, env.s.keys);
    for (let i = 0; i < 20; i++) {
      const disabled = i % 2 === 0;
      const language = disabled ? 'zh' : 'en';
      await Promise.all([env.accounts.setDisabled(a.id, disabled), other.setLanguage(a.id, language)]);
      expect(await env.accounts.get(a.id)).toMatchObject({ disabled, language });
    }
  });

  it('updates nothing for an unknown account', async () => {
    expect(await env.accounts.setDisabled('unobody', true)).toBeNull();
    expect(await env.s.redis.exists(env.s.keys.account('unobody'))).toBe(0);
  });
});

describe('lists read in one round trip', () => {
  it('lists drafts newest change first, filtered by author, in two round trips whatever their number', async () => {
    const store = new DraftStore(client, env.s.keys);
    const made: string[] = [];
    for (let i = 0; i < 8; i++) {
      const d = await store.create({ id: i % 2 ? 'u-odd' : 'u-even', name: `Author ${i % 2}` }, { 'title.en': `Draft ${i}` });
      made.push(d.id);
      await new Promise((r) => setTimeout(r, 2)); // distinct index scores
    }
    const all = await roundTrips(client, () => store.list());
    expect(all.result.map((d) => d.id)).toEqual([...made].reverse());
    expect(all.result.map((d) => d.fields['title.en'])).toEqual(made.map((_, i) => `Draft ${i}`).reverse());
    expect(all.trips).toBeLessThanOrEqual(2);
    const odd = await roundTrips(client, () => store.list({ authorId: 'u-odd', limit: 4 }));
    // limit counts index entries, as before: of the newest four, the odd author's two.
    expect(odd.result.map((d) => d.id)).toEqual([made[7], made[5]]);
    expect(odd.trips).toBeLessThanOrEqual(2);
    // An index entry whose draft is gone is skipped.
    await client.del(env.s.keys.draft(made[3]));
    expect((await store.list()).map((d) => d.id)).toEqual([...made].reverse().filter((id) => id !== made[3]));
  });

  it('lists accounts oldest first, without hashes, in two round trips whatever their number', async () => {
    const store = new AccountStore(client, env.s.keys);
    const made: string[] = [];
    for (let i = 0; i < 7; i++) {
      const a = await store.create({ name: `Person ${i}`, email: `p${i}@example.edu`, role: 'contributor', createdBy: 'test' });
      await store.setPassword(a.id, 'a long enough password');
      made.push(a.id);
      await new Promise((r) => setTimeout(r, 2));
    }
    const r = await roundTrips(client, () => store.list());
    expect(r.result.map((a) => a.id)).toEqual(made);
    expect(r.result.map((a) => a.name)).toEqual(made.map((_, i) => `Person ${i}`));
    expect(r.result.every((a) => !('passwordHash' in a))).toBe(true);
    expect(r.trips).toBeLessThanOrEqual(2);
  });

  it('lists upcoming announcements soonest first in three round trips whatever their number', async () => {
    const schedule = async (title: string, publishAt: string) => {
      const v = validateAnnouncement(env.s.producer.schema, { title: { en: title }, body: { en: 'Text' }, topics: ['hours'], publishAt });
      if (!v.ok) throw new Error(JSON.stringify(v.issues));
      return (await env.s.producer.create(v.value, { createdBy: 'test' })).id;
    };
    const ids = [];
    for (const [i, day] of ['05', '02', '09', '01', '07', '03'].entries()) ids.push(await schedule(`Event ${i}`, `2030-03-${day}T09:00:00+08:00`));
    const now = validateAnnouncement(env.s.producer.schema, { title: { en: 'Now' }, body: { en: 'Text' }, topics: ['hours'] });
    if (!now.ok) throw new Error('invalid');
    await env.s.producer.create(now.value, { createdBy: 'test' }); // queued, not upcoming
    const s = { ...env.s, redis: client, announcements: new AnnouncementStore(client, env.s.keys, 86_400) } as Services;
    const r = await roundTrips(client, () => upcoming(s));
    expect(r.result.map((a) => a.title.en)).toEqual(['Event 3', 'Event 1', 'Event 5', 'Event 0', 'Event 4', 'Event 2']);
    expect(r.result.every((a) => a.status === 'scheduled')).toBe(true);
    expect(r.result).toEqual(await Promise.all(r.result.map((a) => env.s.announcements.get(a.id))));
    expect(r.trips).toBeLessThanOrEqual(3);
  });
});
