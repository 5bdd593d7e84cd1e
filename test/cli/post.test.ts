// `crier post` and `crier status` against the real Redis, with the workers running in this
// test process: what the librarian at a terminal sees.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { configSchema } from '../../src/config/schema.js';
import { createServices, type Services } from '../../src/services.js';
import { silentLogger } from '../../src/util/log.js';
import { startWorkers, type RunningWorkers } from '../../workers/index.js';
import { SHARED, disposeServices, redisUrl, startSmtp, type TestSmtp } from '../support/harness.js';
import { connectionCounter, killAll, runCrier, tempDir, writeConfig } from './crier-process.js';

const FIXTURES = `${SHARED}fixtures/`;

/** Each invalid fixture and a path its issues must name. */
const INVALID: Record<string, string> = {
  'bad-date.json': 'publishAt',
  'bad-priority.json': 'priority',
  'control-characters.json': 'title.en',
  'empty-languages.json': 'title',
  'expires-before-publish.json': 'expiresAt',
  'javascript-link.json': 'link',
  'no-title.json': 'title',
  'not-json.txt': '(root)',
  'title-body-language-mismatch.json': 'body',
  'title-too-long.json': 'title.en',
  'unknown-channel.json': 'channels.0',
  'unknown-topic.json': 'topics.0',
  'wrong-types.json': 'topics',
};

let dir: ReturnType<typeof tempDir>;
let s: Services | undefined;
let workers: RunningWorkers | undefined;
let smtp: TestSmtp | undefined;

beforeEach(() => {
  dir = tempDir();
});
afterEach(async () => {
  await killAll();
  await workers?.close();
  if (s) await disposeServices(s);
  await smtp?.close();
  s = workers = smtp = undefined;
  dir.remove();
});

async function keysUnder(prefix: string): Promise<string[]> {
  const { Redis } = await import('ioredis');
  const r = new Redis(redisUrl());
  try {
    return await r.keys(`${prefix}:*`);
  } finally {
    r.disconnect();
  }
}

/** A config file plus services and workers on the same prefix in this process. */
async function setUp(channels: Record<string, unknown>) {
  const cfg = writeConfig(dir.path, redisUrl(), { channels });
  s = createServices(configSchema.parse(cfg.raw), { log: silentLogger });
  workers = await startWorkers(s);
  return cfg;
}

describe('crier post and crier status', { timeout: 120_000 }, () => {
  it('rejects every invalid fixture with exit 1, naming the field, and stores nothing', async () => {
    const { path, prefix } = writeConfig(dir.path, redisUrl(), { channels: { email: { enabled: true, outbox: join(dir.path, 'outbox') }, rss: { enabled: true } } });
    const files = readdirSync(`${FIXTURES}invalid`);
    expect(Object.keys(INVALID).sort()).toEqual(files.sort());
    // The program itself, in this process (a process each would be slow); one real process below.
    const errors: string[] = [];
    const logs: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logs.push(a.join(' ')));
    try {
      for (const f of files) {
        errors.length = 0;
        const code = await runCli(['node', 'crier', 'post', `${FIXTURES}invalid/${f}`, '--config', path]);
        const stderr = errors.join('\n');
        expect(code, `${f}: ${stderr}`).toBe(1);
        expect(stderr, f).toContain('nothing was stored');
        expect(stderr, f).toMatch(new RegExp(`^  ${INVALID[f].replace(/[.()]/g, '\\$&')}: `, 'm'));
      }
    } finally {
      vi.restoreAllMocks();
    }
    expect(logs).toEqual([]);

    const real = await runCrier(['post', `${FIXTURES}invalid/title-too-long.json`, '--config', path], { cwd: dir.path });
    expect(real.code).toBe(1);
    expect(real.stderr).toMatch(/^ {2}title\.en: must be at most 200 characters \(has \d+\)$/m);
    expect(real.stdout).toBe('');
    expect(await keysUnder(prefix)).toEqual([]);
  });

  it('--wait shows per-channel progress, then the totals, and exits 0 when every e-mail went out', async () => {
    const outbox = join(dir.path, 'outbox');
    const { path } = await setUp({ email: { enabled: true, outbox }, rss: { enabled: true } });
    for (const [address, language] of [['zh@example.edu', 'zh'], ['en@example.edu', 'en'], ['both@example.edu', 'both']] as const) {
      await s!.subscribers.upsert({ channel: 'email', address, topics: ['hours'], language, status: 'active' });
    }
    await s!.subscribers.upsert({ channel: 'email', address: 'other@example.edu', topics: ['training'], language: 'en', status: 'active' });

    const r = await runCrier(['post', `${FIXTURES}announcements/holiday-hours.json`, '--wait', '--config', path], { cwd: dir.path });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const id = /^id: (\S+)$/m.exec(r.stdout)![1];
    expect(r.stdout).toMatch(/^status: queued$/m);
    expect(r.stdout).toMatch(/^ {2}email {2}3\/3 sent, 0 failed, 0 queued$/m);
    expect(r.stdout).toMatch(/^ {2}rss {4}1\/1 sent, 0 failed, 0 queued$/m);
    expect(r.stdout).toMatch(/^status: done$/m);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('done: 4 deliveries, 4 sent, 0 failed, 0 skipped');
    // Not a terminal: plain lines, no cursor movement.
    expect(r.stdout).not.toContain('\x1b[');

    const files = readdirSync(outbox).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(3);
    const mails = await Promise.all(files.map(async (f) => simpleParser(readFileSync(join(outbox, f)))));
    expect(mails.map((m) => m.subject).sort()).toContain('Opening hours during the National Day holiday');
    expect(mails.every((m) => m.headers.get('x-crier-announcement') === id)).toBe(true);
    expect((await s!.announcements.get(id))!.createdBy).toMatch(/^cli:.+/);

    const status = await runCrier(['status', id, '--config', path], { cwd: dir.path });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^status +done$/m);
    expect(status.stdout).toContain('Opening hours during the National Day holiday');
    expect(status.stdout).toMatch(/^ {2}email {2}3\/3 sent, 0 failed, 0 queued$/m);
    expect(status.stdout).toMatch(/^ {2}rss {4}1\/1 sent/m);

    const overview = await runCrier(['status', '--config', path], { cwd: dir.path });
    expect(overview.code, overview.stderr).toBe(0);
    expect(overview.stdout).toMatch(/^ {2}queue +waiting +prioritized +active +delayed +failed$/m);
    expect(overview.stdout).toMatch(/^ {2}dispatch +0 +0 +0 +0 +0$/m);
    expect(overview.stdout).toMatch(/^ {2}deliver-email +0 +0 +0 +0 +0$/m);
    expect(overview.stdout).toMatch(new RegExp(`^  ${id} +done +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d +国庆假期图书馆开放时间调整 / Opening hours`, 'm'));
  });

  it('--wait lists each failure with its reason and exits 3 when some deliveries failed', async () => {
    smtp = await startSmtp();
    smtp.replies.set('gone@example.edu', '550 5.1.1 No such user here');
    const { path } = await setUp({ email: { enabled: true, smtpUrl: smtp.url } });
    await s!.subscribers.upsert({ channel: 'email', address: 'gone@example.edu', topics: ['*'], language: 'en', status: 'active' });
    await s!.subscribers.upsert({ channel: 'email', address: 'fine@example.edu', topics: ['*'], language: 'en', status: 'active' });

    const r = await runCrier(['post', `${FIXTURES}announcements/storm-closure.json`, '--wait', '--config', path], { cwd: dir.path });
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toMatch(/^ {2}email {2}1\/2 sent, 1 failed, 0 queued$/m);
    expect(r.stdout).toContain('done_with_failures: 2 deliveries, 1 sent, 1 failed, 0 skipped');
    expect(r.stdout).toMatch(/^Failures: 1$/m);
    expect(r.stdout).toMatch(/^ {2}email {2}gone@example\.edu: bounced: .*550 5\.1\.1 No such user here/m);
    expect(smtp.received.map((m) => m.envelopeTo[0])).toEqual(['fine@example.edu']);
  });

  it('says so when the id is unknown (exit 1) or the file is missing (exit 1)', async () => {
    const { path } = writeConfig(dir.path, redisUrl(), { channels: { rss: { enabled: true } } });
    const unknown = await runCrier(['status', 'a-no-such-id', '--config', path]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No announcement with id "a-no-such-id"');
    const missing = await runCrier(['post', join(dir.path, 'missing.json'), '--config', path]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ENOENT');

    const silent = await connectionCounter(); // accepts, never answers: a Redis that is not there
    try {
      const noRedis = await runCrier(['post', `${FIXTURES}announcements/holiday-hours.json`, '--config', path], { env: { REDIS_URL: silent.url } });
      expect(noRedis.code).toBe(1);
      expect(noRedis.stderr).toContain(`Crier needs Redis, but nothing answers at ${silent.url}`);
      expect(noRedis.stdout).toBe('');
    } finally {
      await silent.close();
    }
  });
});
