// Configuration problems stop every command with exit 2 and the offending paths, before
// anything connects to Redis; check-config reports each channel and Redis.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, deletePrefix, redisUrl } from '../support/harness.js';
import { connectionCounter, killAll, runCrier, tempDir, writeConfig } from './crier-process.js';

const BAD_CONFIG = `
library: { baseUrl: "not a url" }
server: { port: "eighty" }
topics: []
channels:
  email: { enabled: true, outbox: "./outbox", from: "x" }
`;

let dir: ReturnType<typeof tempDir>;
let fakeRedis: Awaited<ReturnType<typeof connectionCounter>>;

beforeAll(async () => {
  dir = tempDir();
  fakeRedis = await connectionCounter();
});
afterEach(killAll);
afterAll(async () => {
  await fakeRedis.close();
  dir.remove();
});

describe('an invalid configuration', { timeout: 120_000 }, () => {
  it('stops every command with exit 2, naming every bad path and the file, without touching Redis', async () => {
    const bad = join(dir.path, 'bad.yaml');
    writeFileSync(bad, BAD_CONFIG);
    const commands = [['check-config'], ['start'], ['worker'], ['serve'], ['status'], ['post', 'whatever.json'], ['preview', 'whatever.json']];
    const results = await Promise.all(
      commands.map((args) => runCrier([...args, '--config', bad], { env: { REDIS_URL: fakeRedis.url }, cwd: dir.path })),
    );
    results.forEach((r, i) => {
      const what = `crier ${commands[i][0]}: ${r.stderr}`;
      expect(r.code, what).toBe(2);
      for (const path of ['channels.email.from', 'server.port', 'library.baseUrl', 'topics']) expect(r.stderr, what).toContain(path);
      expect(r.stderr, what).toContain(bad);
    });
    expect(fakeRedis.connections()).toBe(0);
  });

  it('names a missing environment variable and the file that cannot be read', async () => {
    const cfg = join(dir.path, 'env.yaml');
    writeFileSync(cfg, `topics: [{ id: hours, name: { en: H, zh: 时 } }]\nauth: { tokens: [{ name: a, role: admin, token: "\${CRIER_TEST_UNSET_TOKEN}" }] }\n`);
    const r = await runCrier(['check-config', '--config', cfg], { env: { REDIS_URL: fakeRedis.url, CRIER_TEST_UNSET_TOKEN: undefined } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('auth.tokens.0.token: environment variable CRIER_TEST_UNSET_TOKEN is not set');

    const missing = await runCrier(['check-config', '--config', join(dir.path, 'nope.yaml')], { env: { REDIS_URL: fakeRedis.url } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read the file: ENOENT');
    expect(fakeRedis.connections()).toBe(0);
  });

  it('answers a usage error with exit 2 and documents the exit codes in --help', async () => {
    const usage = await runCrier(['post']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("missing required argument 'file'");
    const help = await runCrier(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes:[\s\S]*2 {2}invalid configuration[\s\S]*3 {2}post --wait/);
  });
});

describe('crier check-config', { timeout: 60_000 }, () => {
  it('reports each enabled channel and Redis with ✓, exit 0, and prints no secret', async () => {
    const { path, prefix } = writeConfig(dir.path, redisUrl(), {
      channels: { email: { enabled: true, outbox: join(dir.path, 'outbox') }, rss: { enabled: true } },
    });
    const r = await runCrier(['check-config', '--config', path], { cwd: dir.path });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('✓ configuration:');
    expect(r.stdout).toContain(`✓ email: writes .eml files to ${join(dir.path, 'outbox')}`);
    expect(r.stdout).toContain('✓ rss:');
    expect(r.stdout).toMatch(/✓ redis: redis:\/\/127\.0\.0\.1:\d+/);
    expect(r.stdout + r.stderr).not.toContain(ADMIN_TOKEN);
    await deletePrefix(redisUrl(), prefix);
  });

  it('marks an unreachable SMTP server and a silent Redis with ✗ and exits 1', async () => {
    const closed = await connectionCounter();
    const smtpPort = Number(new URL(closed.url).port);
    await closed.close(); // now nothing listens there
    const { path } = writeConfig(dir.path, fakeRedis.url.replace(/:\d+$/, `:${smtpPort}`), {
      channels: { email: { enabled: true, smtpUrl: `smtp://user:s3cret-password@127.0.0.1:${smtpPort}` } },
    });
    const r = await runCrier(['check-config', '--config', path], { cwd: dir.path });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ email: SMTP connection problem/);
    expect(r.stdout).toMatch(/✗ redis: nothing answers at redis:\/\/127\.0\.0\.1:\d+/);
    expect(r.stdout + r.stderr).not.toContain('s3cret-password');
  });
});
