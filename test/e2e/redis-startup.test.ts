// `npm start` without a Redis: a private redis-server when one is installed, else one clear
// paragraph on how to get Redis. Never anything but loopback addresses.
import { existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { redisAnswers } from '../../src/redis/connection.js';
import { freePort } from '../../src/redis/server.js';
import { waitFor } from '../support/harness.js';
import { ADMIN_TOKEN } from '../support/harness.js';
import { CrierProcess, killAll, runCrier, tempDir } from '../cli/crier-process.js';

let dir: ReturnType<typeof tempDir>;
let privateRedisUrl: string | undefined;

beforeEach(() => {
  dir = tempDir('crier-start-');
});

afterEach(async () => {
  await killAll();
  if (privateRedisUrl && (await redisAnswers(privateRedisUrl))) {
    const r = new Redis(privateRedisUrl, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    r.on('error', () => {});
    await r.connect();
    await r.call('SHUTDOWN', 'NOSAVE').catch(() => {}); // the connection closes as it answers
    r.disconnect();
    const url = privateRedisUrl;
    await waitFor(async () => !(await redisAnswers(url, 200)), { what: 'the private redis to stop' });
  }
  privateRedisUrl = undefined;
  dir.remove();
});

describe('npm start and Redis', { timeout: 90_000 }, () => {
  it('without Redis and without redis-server on the PATH, exits 1 with one paragraph on how to get Redis', async () => {
    const bin = join(dir.path, 'bin');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    const port = await freePort();
    const r = await runCrier(['start'], {
      cwd: dir.path,
      env: { PATH: bin, REDIS_URL: `redis://127.0.0.1:${port}`, PORT: String(await freePort()) },
    });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain(`nothing answers at redis://127.0.0.1:${port}`);
    expect(r.stderr).toContain('docker compose up -d redis');
    expect(r.stderr).toContain('sudo apt-get install redis-server');
    expect(r.stderr).toContain('brew install redis');
    expect(r.stderr).toContain('REDIS_URL=');
    expect(r.stdout).not.toContain('Running.');
    expect(existsSync(join(dir.path, 'data', 'redis'))).toBe(false);
  });

  it('with redis-server on the PATH, starts a private persistent Redis that outlives Crier, and says so', async () => {
    const port = await freePort();
    privateRedisUrl = `redis://127.0.0.1:${port}`;
    const crier = new CrierProcess(['start'], {
      cwd: dir.path,
      env: { REDIS_URL: privateRedisUrl, PORT: String(await freePort()), CRIER_ADMIN_TOKEN: ADMIN_TOKEN },
    });
    await crier.waitForStdout(/^Running\./m, 60_000);
    expect(crier.stdout).toContain(`No Redis answered, so Crier started a private one on 127.0.0.1:${port}.`);
    expect(crier.stdout).toContain(`Its data lives in ${join(dir.path, 'data', 'redis')}`);
    expect(crier.stdout).toContain(`stop it with: redis-cli -p ${port} shutdown`);
    // The token came from the environment: it is not printed.
    expect(crier.stdout).not.toContain('admin token');
    expect(crier.stdout + crier.stderr).not.toContain(ADMIN_TOKEN);
    expect(await redisAnswers(privateRedisUrl)).toBe(true);
    expect(existsSync(join(dir.path, 'data', 'redis'))).toBe(true);

    crier.signal('SIGTERM');
    const exit = await crier.exited;
    expect(exit.code, exit.stderr).toBe(0);
    expect(await redisAnswers(privateRedisUrl)).toBe(true);
  });
});
