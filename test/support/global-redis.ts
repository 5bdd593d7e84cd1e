// Vitest global setup: a real Redis for every test. REDIS_URL when given, else a private
// redis-server on a free port (nothing persisted), stopped after the run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { freePort, startRedisServer, type RedisServerHandle } from '../../src/redis/server.js';

let server: RedisServerHandle | undefined;
let dir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  let url = process.env.REDIS_URL;
  if (!url) {
    dir = mkdtempSync(join(tmpdir(), 'crier-test-redis-'));
    server = await startRedisServer({ port: await freePort(), dir, persistent: false });
    url = server.url;
  }
  project.provide('redisUrl', url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}
