// `crier cancel ID` and `crier retry ID [--channel C] [--wait]` as a librarian at a terminal runs
// them (the real program, in a process), and the CLI's note when it uses a Redis nobody chose.
import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { redisOriginNotice } from '../../src/cli/connect.js';
import { loadConfig } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';
import { createServices, type Services } from '../../src/services.js';
import { silentLogger } from '../../src/util/log.js';
import { startWorkers, type RunningWorkers } from '../../workers/index.js';
import { SHARED, disposeServices, redisUrl, startSmtp, waitFor, type TestSmtp } from '../support/harness.js';
import { killAll, runCrier, tempDir, writeConfig } from './crier-process.js';

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

describe('crier cancel and crier retry', { timeout: 120_000 }, () => {
  it('cancel stops a scheduled announcement (no delayed job left); a second cancel says why it cannot', async () => {
    const { path, raw } = writeConfig(dir.path, redisUrl(), { channels: { rss: { enabled: true } } });
    s = createServices(configSchema.parse(raw), { log: silentLogger });
    const file = `${dir.path}/later.json`;
    const ann = { title: { en: 'Later' }, body: { en: 'Next year.' }, topics: ['hours'], publishAt: '2031-01-05T09:00' };
    writeFileSync(file, JSON.stringify(ann));
    const posted = await runCrier(['post', file, '--config', path]);
    expect(posted.code, posted.stderr).toBe(0);
    const id = /^id: (\S+)$/m.exec(posted.stdout)![1];
    expect(posted.stdout).toMatch(/^status: scheduled$/m);
    expect(await s.queues.dispatch.getDelayedCount()).toBe(1);

    const cancelled = await runCrier(['cancel', id, '--config', path]);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toBe(`id: ${id}\nstatus: cancelled\n`);
    expect((await s.announcements.get(id))!.status).toBe('cancelled');
    expect(await s.queues.dispatch.getDelayedCount()).toBe(0);

    const again = await runCrier(['cancel', id, '--config', path]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`Cannot cancel ${id}: it is cancelled.`);
    const unknown = await runCrier(['cancel', 'a-none', '--config', path]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No announcement with id "a-none"');
  });

  it('retry --channel email --wait sends the failed deliveries again and reports the outcome', async () => {
    smtp = await startSmtp();
    // A mailbox that is full (4xx, retryable) until the librarian has it emptied.
    smtp.replies.set('full@example.edu', '452 4.2.2 Mailbox full');
    const { path, raw } = writeConfig(dir.path, redisUrl(), {
      channels: { email: { enabled: true, smtpUrl: smtp.url }, rss: { enabled: true } },
      delivery: { attempts: 2, backoffMs: 10, batchSize: 10, pageSize: 25 },
    });
    s = createServices(configSchema.parse(raw), { log: silentLogger });
    workers = await startWorkers(s);
    await s.subscribers.upsert({ channel: 'email', address: 'full@example.edu', topics: ['*'], language: 'en', status: 'active' });
    await s.subscribers.upsert({ channel: 'email', address: 'fine@example.edu', topics: ['*'], language: 'en', status: 'active' });

    const posted = await runCrier(['post', `${SHARED}fixtures/announcements/storm-closure.json`, '--wait', '--config', path]);
    expect(posted.code, posted.stdout + posted.stderr).toBe(3);
    const id = /^id: (\S+)$/m.exec(posted.stdout)![1];

    const wrong = await runCrier(['retry', id, '--channel', 'slack', '--config', path]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--channel: "slack" is not one of this announcement\'s channels (email, rss)');

    smtp.replies.delete('full@example.edu');
    const retried = await runCrier(['retry', id, '--channel', 'email', '--wait', '--config', path]);
    expect(retried.code, retried.stdout + retried.stderr).toBe(0);
    expect(retried.stdout).toMatch(/^requeued: 1 failed delivery on email$/m);
    expect(retried.stdout.trimEnd().split('\n').at(-1)).toBe('done: 3 deliveries, 3 sent, 0 failed, 0 skipped');
    await waitFor(() => smtp!.received.filter((m) => m.envelopeTo[0] === 'full@example.edu').length === 1, { what: 'the retried mail' });

    const nothing = await runCrier(['retry', id, '--config', path]);
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toContain('requeued: 0 failed deliveries');
    expect(nothing.stdout).toContain('Nothing to retry');
  });
});

describe('which Redis the CLI uses', () => {
  it('says so on stderr when the Redis URL and prefix are defaults nobody chose', () => {
    const demo = loadConfig({ env: {}, cwd: dir.path });
    expect(redisOriginNotice(demo)).toBe(
      'crier: using Redis redis://127.0.0.1:6379 with key prefix "crier" (defaults: no REDIS_URL / CRIER_REDIS_PREFIX and no config file says otherwise). ' +
        'Use the same settings as the running server (REDIS_URL, CRIER_REDIS_PREFIX or --config).',
    );
    expect(redisOriginNotice(loadConfig({ env: { REDIS_URL: 'redis://127.0.0.1:7000' }, cwd: dir.path }))).toContain('no CRIER_REDIS_PREFIX and');
    expect(redisOriginNotice(loadConfig({ env: { REDIS_URL: 'redis://127.0.0.1:7000', CRIER_REDIS_PREFIX: 'lib' }, cwd: dir.path }))).toBeNull();
    const { path } = writeConfig(dir.path, 'redis://127.0.0.1:7001');
    expect(redisOriginNotice(loadConfig({ path, env: {}, cwd: dir.path }))).toBeNull();
  });

  it("the demo's links follow PORT, and a config file without baseUrl follows its own port", () => {
    // The demo listens on 127.0.0.1 only: its links name that address, which always resolves.
    expect(loadConfig({ env: { PORT: '18480' }, cwd: dir.path }).config.library.baseUrl).toBe('http://127.0.0.1:18480');
    expect(loadConfig({ env: {}, cwd: dir.path }).config.library.baseUrl).toBe('http://127.0.0.1:8080');
    const { path } = writeConfig(dir.path, redisUrl(), { library: {}, server: { host: '0.0.0.0', port: 9090 } });
    const loaded = loadConfig({ path, env: {}, cwd: dir.path });
    expect(loaded.config.library.baseUrl).toBe('http://localhost:9090');
    expect(loaded.baseUrlDerived).toBe(true);
    const set = writeConfig(dir.path, redisUrl(), { server: { port: 9090 } });
    expect(loadConfig({ path: set.path, env: {}, cwd: dir.path }).config.library.baseUrl).toBe('http://crier.test');
  });
});
