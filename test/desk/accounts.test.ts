// Desk accounts over real Redis and app.inject: scrypt hashes, e-mail + password sign-in with
// its throttles, one-time set-password links, `crier user add`, the accounts page, roles.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { passwordProblem } from '../../src/accounts/password.js';
import { runCli } from '../../src/cli/program.js';
import { cookiesOf, injectSignIn } from '../admin/support.js';
import { ADMIN_TOKEN, waitFor } from '../support/harness.js';
import { deskEnv, getPage, makeAccount, PASSWORD, postForm, postLogin, signInAs, type DeskEnv } from './support.js';

let env: DeskEnv;

beforeEach(async () => {
  env = await deskEnv();
});
afterEach(async () => {
  await env.dispose();
});

async function everyValue(): Promise<string> {
  const keys = await env.s.redis.keys(`${env.s.config.redis.prefix}:*`);
  const values: string[] = [];
  for (const k of keys) if ((await env.s.redis.type(k)) === 'string') values.push((await env.s.redis.get(k)) ?? '');
  return values.join('\n');
}

describe('accounts and passwords', () => {
  it('stores a salted scrypt hash, never the password', async () => {
    const a = await makeAccount(env, 'Lin Wei', 'Lin.Wei@Example.edu', 'librarian');
    const b = await makeAccount(env, 'Other', 'other@example.edu', 'librarian');
    const stored = (await env.accounts.get(a.id))!.passwordHash!;
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    // Same password, different salt: different hashes.
    expect((await env.accounts.get(b.id))!.passwordHash).not.toBe(stored);
    expect(await everyValue()).not.toContain(PASSWORD);
    expect(a.email).toBe('lin.wei@example.edu');
    expect(passwordProblem('short', 'short')).toMatch(/at least 10/);
    expect(passwordProblem('long enough one', 'long enough two')).toMatch(/not the same/);
  });

  it('signs in with e-mail and password; the session knows the account; the token form still works', async () => {
    await makeAccount(env, 'Lin Wei', 'lin.wei@example.edu', 'librarian');
    const sess = await signInAs(env.app, 'LIN.WEI@example.edu');
    const home = await getPage(env.app, '/admin', sess);
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Lin Wei');
    const page = await getPage(env.app, '/admin/login');
    expect(page.body).toMatch(/<label for="email">E-mail<\/label>/);
    expect(page.body).toMatch(/<label for="password">Password<\/label>/);
    const token = await injectSignIn(env.app, ADMIN_TOKEN);
    expect((await getPage(env.app, '/admin', token)).statusCode).toBe(200);
  });

  it('answers a wrong password and an unknown address alike, and throttles per account', async () => {
    await makeAccount(env, 'Lin Wei', 'lin.wei@example.edu', 'librarian');
    const wrong = await postLogin(env.app, { email: 'lin.wei@example.edu', password: 'not the password' });
    const unknown = await postLogin(env.app, { email: 'nobody@example.edu', password: 'not the password' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    const message = (b: string) => /<p class="error" role="alert">([^<]+)<\/p>/.exec(b)?.[1];
    expect(message(wrong.body)).toBe(message(unknown.body));
    expect(message(wrong.body)).toMatch(/do not match/);
    for (let i = 0; i < 4; i++) await postLogin(env.app, { email: 'lin.wei@example.edu', password: `wrong ${i}` });
    // Five failures: now even the right password waits.
    const locked = await postLogin(env.app, { email: 'lin.wei@example.edu', password: PASSWORD });
    expect(locked.statusCode).toBe(429);
    expect(message(locked.body)).toMatch(/Too many failed sign-ins/);
    // Another account from the same address is not locked by it.
    await makeAccount(env, 'Other', 'other@example.edu', 'librarian');
    expect((await postLogin(env.app, { email: 'other@example.edu', password: PASSWORD })).statusCode).toBe(303);
  });

  it('throttles per client address across accounts', async () => {
    for (let i = 0; i < 20; i++) await postLogin(env.app, { email: `guess${i}@example.edu`, password: 'whatever it is' });
    await makeAccount(env, 'Lin Wei', 'lin.wei@example.edu', 'librarian');
    const res = await postLogin(env.app, { email: 'lin.wei@example.edu', password: PASSWORD });
    expect(res.statusCode).toBe(429);
  });

  it('keeps the live progress stream from contributors, who see only their own drafts', async () => {
    await makeAccount(env, 'Reading Club', 'club@example.edu', 'contributor');
    const club = await signInAs(env.app, 'club@example.edu');
    const res = await env.app.inject({ method: 'GET', url: '/admin/events', headers: { cookie: club.cookie, accept: 'text/event-stream' } });
    expect(res.statusCode).toBe(403);
    expect(res.body).not.toContain('event: progress');
  });

  it('ends a disabled account’s session at once and applies a role change at the next request', async () => {
    const admin = await makeAccount(env, 'Ada', 'ada@example.edu', 'admin');
    const lib = await makeAccount(env, 'Lin Wei', 'lin.wei@example.edu', 'librarian');
    const a = await signInAs(env.app, admin.email);
    const l = await signInAs(env.app, lib.email);
    expect((await getPage(env.app, '/admin', l)).statusCode).toBe(200);
    expect((await postForm(env.app, `/admin/accounts/${lib.id}/role`, a, { role: 'contributor' })).statusCode).toBe(303);
    const home = await getPage(env.app, '/admin', l);
    expect(home.headers.location).toBe('/admin/drafts');
    expect((await getPage(env.app, '/admin/queues-overview', l)).statusCode).toBe(403);
    expect((await postForm(env.app, `/admin/accounts/${lib.id}/disable`, a, {})).statusCode).toBe(303);
    expect((await getPage(env.app, '/admin/drafts', l)).headers.location).toMatch(/^\/admin\/login/);
    expect((await postLogin(env.app, { email: lib.email, password: PASSWORD })).statusCode).toBe(401);
    // An admin cannot lock themselves out.
    await postForm(env.app, `/admin/accounts/${admin.id}/disable`, a, {});
    expect((await env.accounts.get(admin.id))!.disabled).toBe(false);
  });

  it('lets only an admin see and change accounts', async () => {
    await makeAccount(env, 'Lin Wei', 'lin.wei@example.edu', 'librarian');
    const c = await makeAccount(env, 'Team', 'team@example.edu', 'contributor');
    const l = await signInAs(env.app, 'lin.wei@example.edu');
    expect((await getPage(env.app, '/admin/accounts', l)).statusCode).toBe(403);
    expect((await postForm(env.app, `/admin/accounts/${c.id}/role`, l, { role: 'admin' })).statusCode).toBe(403);
    expect((await postForm(env.app, '/admin/accounts/invite', l, { name: 'X', email: 'x@example.edu', role: 'admin' })).statusCode).toBe(403);
    expect((await env.accounts.get(c.id))!.role).toBe('contributor');
  });
});

describe('invitations and one-time links', () => {
  it('an admin invites by e-mail; the link sets a password once and signs the person in', async () => {
    await makeAccount(env, 'Ada', 'ada@example.edu', 'admin');
    const a = await signInAs(env.app, 'ada@example.edu');
    const res = await postForm(env.app, '/admin/accounts/invite', a, { name: 'Reading Club', email: 'club@students.example.edu', role: 'contributor' });
    expect(res.statusCode).toBe(303);
    const mail = await waitFor(() => env.smtp.received.find((m) => m.envelopeTo.includes('club@students.example.edu')), { what: 'the invitation' });
    const link = /http:\/\/crier\.test\/admin\/set-password\?token=[A-Za-z0-9_-]+/.exec(mail.parsed.text ?? '')?.[0];
    expect(link).toBeTruthy();
    const path = link!.slice('http://crier.test'.length);
    const form = await getPage(env.app, path);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('<label for="password">Password</label>');
    expect(form.body).toContain('<label for="repeat">Repeat password</label>');
    expect(form.body).toContain('>Set password</button>');
    const token = new URL(link!).searchParams.get('token')!;
    const mismatch = await postForm(env.app, '/admin/set-password', undefined, { token, password: 'a long password 1', repeat: 'a long password 2' });
    expect(mismatch.statusCode).toBe(400);
    const ok = await postForm(env.app, '/admin/set-password', undefined, { token, password: 'a long password 1', repeat: 'a long password 1' });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/admin/drafts?msg=password-set');
    const drafts = await getPage(env.app, '/admin/drafts', { cookie: `crier_session=${cookiesOf(ok).crier_session}`, csrf: '' });
    expect(drafts.statusCode).toBe(200);
    expect(drafts.body).toContain('Reading Club');
    // Used up.
    expect((await getPage(env.app, path)).statusCode).toBe(410);
    expect((await postForm(env.app, '/admin/set-password', undefined, { token, password: 'another password', repeat: 'another password' })).statusCode).toBe(410);
    expect((await postLogin(env.app, { email: 'club@students.example.edu', password: 'a long password 1' })).statusCode).toBe(303);
    expect(await everyValue()).not.toContain(token);
  });

  it('keeps a link 72 hours at most', async () => {
    const a = await env.accounts.create({ name: 'X', email: 'x@example.edu', role: 'librarian', createdBy: 't' });
    await env.accounts.issueLink(a.id);
    const [key] = await env.s.redis.keys(`${env.s.config.redis.prefix}:acctlink:*`);
    const ttl = await env.s.redis.ttl(key);
    expect(ttl).toBeGreaterThan(71 * 3600);
    expect(ttl).toBeLessThanOrEqual(72 * 3600);
    await env.s.redis.del(key); // what expiry does
    expect((await getPage(env.app, `/admin/set-password?token=${'A'.repeat(43)}`)).statusCode).toBe(410);
  });

  it('refuses a second invitation of the same address', async () => {
    await makeAccount(env, 'Ada', 'ada@example.edu', 'admin');
    const a = await signInAs(env.app, 'ada@example.edu');
    const again = await postForm(env.app, '/admin/accounts/invite', a, { name: 'Ada 2', email: 'ADA@example.edu', role: 'admin' });
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('there is already an account for ada@example.edu');
    expect(again.body).toContain('value="Ada 2"');
  });
});

describe('crier user add', () => {
  it('creates the account and prints a full one-time link under library.baseUrl', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crier-user-'));
    const file = join(dir, 'crier.yaml');
    const c = env.s.config;
    writeFileSync(file, `library: { baseUrl: "https://library.example.edu/crier" }\nredis: { url: "${c.redis.url}", prefix: "${c.redis.prefix}" }\ntopics: [{ id: hours, name: { en: "Hours", zh: "开放时间" } }]\n`);
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
    try {
      expect(await runCli(['node', 'crier', 'user', 'add', 'Ada Lovelace', 'ada@example.edu', '--role', 'admin', '--config', file])).toBe(0);
      expect(await runCli(['node', 'crier', 'user', 'add', 'Ada', 'ada@example.edu', '--role', 'admin', '--config', file])).toBe(1);
      expect(await runCli(['node', 'crier', 'user', 'add', 'Bo', 'bo@example.edu', '--role', 'owner', '--config', file])).not.toBe(0);
    } finally {
      log.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
    const link = lines.find((l) => l.startsWith('https://'));
    expect(link).toMatch(/^https:\/\/library\.example\.edu\/crier\/admin\/set-password\?token=[A-Za-z0-9_-]{43}$/);
    const a = await env.accounts.byEmail('ada@example.edu');
    expect(a).toMatchObject({ name: 'Ada Lovelace', role: 'admin', disabled: false });
    const token = new URL(link!).searchParams.get('token')!;
    expect((await postForm(env.app, '/admin/set-password', undefined, { token, password: PASSWORD, repeat: PASSWORD })).statusCode).toBe(303);
    const sess = await signInAs(env.app, 'ada@example.edu');
    expect((await getPage(env.app, '/admin/accounts', sess)).statusCode).toBe(200);
  });
});

describe('secrets stay out of the logs', () => {
  it('logs who did what, never a password or a link token', async () => {
    const lines: string[] = [];
    const e = await deskEnv({}, { logLines: lines });
    try {
      await makeAccount(e, 'Ada', 'ada@example.edu', 'admin');
      const a = await signInAs(e.app, 'ada@example.edu');
      await postLogin(e.app, { email: 'ada@example.edu', password: 'a wrong password here' });
      await postForm(e.app, '/admin/accounts/invite', a, { name: 'Team', email: 'team@example.edu', role: 'contributor' });
      const mail = await waitFor(() => e.smtp.received.find((m) => m.envelopeTo.includes('team@example.edu')), { what: 'the invitation' });
      const token = /token=([A-Za-z0-9_-]+)/.exec(mail.parsed.text ?? '')![1];
      await postForm(e.app, '/admin/set-password', undefined, { token, password: 'the new secret words', repeat: 'the new secret words' });
      const all = lines.join('\n');
      expect(all).toContain('account invited');
      for (const secret of [PASSWORD, 'a wrong password here', token, 'the new secret words']) expect(all).not.toContain(secret);
    } finally {
      await e.dispose();
    }
  });
});
