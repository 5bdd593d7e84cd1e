// Starts a private redis-server: for `npm start` on a laptop without Redis, and for the tests.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { redisAnswers } from './connection.js';

export interface RedisServerHandle {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export function redisServerOnPath(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startRedisServer(opts: {
  port: number;
  dir: string;
  /** AOF on (everysec): a private server for real use keeps its data. */
  persistent: boolean;
  /** Keep running after this process exits (npm start: a crash of Crier must not lose Redis). */
  detached?: boolean;
}): Promise<RedisServerHandle> {
  mkdirSync(opts.dir, { recursive: true });
  const args = ['--port', String(opts.port), '--bind', '127.0.0.1', '--dir', opts.dir, '--save', ''];
  args.push(...(opts.persistent ? ['--appendonly', 'yes', '--appendfsync', 'everysec'] : ['--appendonly', 'no']));
  args.push('--maxmemory-policy', 'noeviction');
  const child = spawn('redis-server', args, {
    stdio: 'ignore',
    detached: opts.detached ?? false,
  });
  if (opts.detached) child.unref();
  const url = `redis://127.0.0.1:${opts.port}`;
  const deadline = Date.now() + 10_000;
  while (!(await redisAnswers(url, 300))) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode} (port ${opts.port} taken?)`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('redis-server did not answer within 10 s');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
