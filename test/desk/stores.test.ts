// The desk's Redis stores under concurrency: account updates that run at the same time all
// survive (each changes only its own fields, atomically).
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountStore } from '../../src/accounts/store.js';
import { verifyPassword } from '../../src/accounts/password.js';
import { deskEnv, type DeskEnv } from './support.js';

let env: DeskEnv;
/** A second connection: another app process. */
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
