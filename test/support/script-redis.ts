// For the screenshot scripts (run outside vitest): REDIS_URL when set, else a private
// redis-server on a free port with its data in a temporary folder, removed by stop().
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startRedisServer } from '../../src/redis/server.js';

export async function redisForScript(): Promise<{ url: string; stop(): Promise<void> }> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, stop: async () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'crier-shot-redis-'));
  const srv = await startRedisServer({ port: await freePort(), dir, persistent: false });
  return {
    url: srv.url,
    async stop() {
      await srv.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
