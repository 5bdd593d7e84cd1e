// A throwaway Redis Cluster for tests: N masters (no replicas) from redis-server processes on
// free ports, joined with `redis-cli --cluster create`, data in a temporary folder that goes
// with them. Takes about a second or two; nothing is persisted.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { redisAnswers } from '../../src/redis/connection.js';
import { freePort } from '../../src/redis/server.js';

export interface TestRedisCluster {
  nodes: { host: string; port: number }[];
  /** Kills the servers and removes their folder. */
  stop(): Promise<void>;
}

export function redisClusterToolsOnPath(): boolean {
  return ['redis-server', 'redis-cli'].every((cmd) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0);
}

async function untilTrue(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`test Redis Cluster: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function clusterInfo(port: number): Promise<string> {
  const r = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => {});
  try {
    await r.connect();
    return String(await r.call('CLUSTER', 'INFO'));
  } catch {
    return '';
  } finally {
    r.disconnect();
  }
}

export async function startRedisCluster(masters = 3): Promise<TestRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'crier-test-cluster-'));
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGKILL');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ports: number[] = [];
    for (let i = 0; i < masters; i++) {
      // The cluster bus gets its own free port (cluster-port, Redis 7): port + 10000 may be taken.
      const [port, busPort] = [await freePort(), await freePort()];
      ports.push(port);
      const child = spawn('redis-server', [
        '--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1',
        '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '5000',
        '--dir', dir, '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction',
      ], { stdio: 'ignore' });
      children.push(child);
    }
    await Promise.all(ports.map((p, i) => untilTrue(`redis-server on ${p}`, async () => {
      if (children[i].exitCode !== null) throw new Error(`redis-server on ${p} exited with code ${children[i].exitCode}`);
      return redisAnswers(`redis://127.0.0.1:${p}`, 300);
    })));
    const create = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const args = ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'];
      const c = spawn('redis-cli', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      c.stdout.on('data', (d: Buffer) => (out += d.toString()));
      c.stderr.on('data', (d: Buffer) => (out += d.toString()));
      c.on('exit', (code) => resolve({ code, out }));
    });
    if (create.code !== 0) throw new Error(`redis-cli --cluster create failed (${create.code}):\n${create.out}`);
    // Every node must know every slot before a client connects, or it gets MOVED/CLUSTERDOWN.
    await Promise.all(ports.map((p) => untilTrue(`cluster_state:ok on ${p}`, async () => /cluster_state:ok/.test(await clusterInfo(p)))));
    return { nodes: ports.map((port) => ({ host: '127.0.0.1', port })), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
