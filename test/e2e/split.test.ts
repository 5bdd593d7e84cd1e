// Scaling out: `crier serve` (HTTP only) and `crier worker` (workers only) as separate
// processes on one Redis, as on two machines.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/redis/server.js';
import { ADMIN_TOKEN, deletePrefix, fixture, redisUrl, waitFor } from '../support/harness.js';
import { CrierProcess, killAll, runCrier, tempDir, writeConfig } from '../cli/crier-process.js';

let dir: ReturnType<typeof tempDir>;
let cfg: ReturnType<typeof writeConfig>;

beforeAll(async () => {
  dir = tempDir('crier-split-');
  cfg = writeConfig(dir.path, redisUrl(), {
    server: { host: '127.0.0.1', port: await freePort() },
    channels: { email: { enabled: true, outbox: join(dir.path, 'outbox') }, rss: { enabled: true } },
  });
});

afterAll(async () => {
  await killAll();
  await deletePrefix(redisUrl(), cfg.prefix);
  dir.remove();
});

describe('crier serve + crier worker', { timeout: 120_000 }, () => {
  it('refuses --channels naming a channel that is not enabled (exit 2)', async () => {
    const r = await runCrier(['worker', '--channels', 'email,carrier-pigeon', '--config', cfg.path], { cwd: dir.path });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--channels: not enabled in the configuration: carrier-pigeon (enabled: email, rss)');
  });

  it('delivers what the HTTP-only process accepted, and both stop with exit 0 on SIGTERM', async () => {
    const serve = new CrierProcess(['serve', '--config', cfg.path], { cwd: dir.path });
    const worker = new CrierProcess(['worker', '--config', cfg.path], { cwd: dir.path });
    await serve.waitForStdout(/^Running\./m, 60_000);
    await worker.waitForStdout(/^Running\./m, 60_000);
    expect(serve.stdout).toContain('HTTP server only');
    expect(worker.stdout).toContain('workers only');
    expect(worker.stdout).toMatch(/^ {2}workers +email, rss$/m);
    expect(worker.stdout).not.toMatch(/^ {2}http /m);
    const base = /^ {2}http +(http:\/\/\S+)$/m.exec(serve.stdout)![1];
    const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };

    const res = await fetch(`${base}/api/announcements`, { method: 'POST', headers, body: JSON.stringify(fixture('storm-closure')) });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await waitFor(async () => {
      const v = (await (await fetch(`${base}/api/announcements/${id}`, { headers })).json()) as { status: string };
      return v.status === 'done';
    }, { timeoutMs: 60_000, what: 'announcement done' });

    serve.signal('SIGTERM');
    worker.signal('SIGTERM');
    const [a, b] = await Promise.all([serve.exited, worker.exited]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
  });
});
