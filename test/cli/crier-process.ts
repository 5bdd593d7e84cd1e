// Runs the real `crier` program (node bin/crier.js …) as a user does, for the CLI and
// end-to-end tests. Every process started here is tracked; killAll() ends the ones still running.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN_TOKEN, TOPICS, uniquePrefix } from '../support/harness.js';

export const CRIER_BIN = fileURLToPath(new URL('../../bin/crier.js', import.meta.url));

/** Variables that would change what the program does; each test sets what it means. */
const CLEARED = ['CRIER_CONFIG', 'REDIS_URL', 'PORT', 'CRIER_ADMIN_TOKEN', 'CRIER_REDIS_PREFIX', 'CRIER_LIBRARIAN_TOKEN'];

function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env };
  for (const k of CLEARED) delete out[k];
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
}

const running = new Set<ChildProcess>();

export class CrierProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<RunResult>;

  constructor(args: string[], opts: SpawnOptions = {}) {
    this.child = spawn(process.execPath, [CRIER_BIN, ...args], {
      cwd: opts.cwd ?? tmpdir(),
      env: childEnv(opts.env ?? {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(this.child);
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => (this.stdout += d));
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        running.delete(this.child);
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr });
      });
    });
  }

  /** Waits until stdout matches; fails with everything printed so far when it does not in time. */
  async waitForStdout(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.stdout.match(pattern);
      if (m) return m;
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`no ${pattern} in stdout (exit ${this.child.exitCode})\n--- stdout\n${this.stdout}\n--- stderr\n${this.stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  signal(sig: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(sig);
  }
}

/** Runs a command to its end. */
export async function runCrier(args: string[], opts: SpawnOptions = {}): Promise<RunResult> {
  return new CrierProcess(args, opts).exited;
}

/** Kills every process still running (afterEach / afterAll). */
export async function killAll(): Promise<void> {
  const waits = [...running].map(
    (child) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('close', () => resolve());
        child.kill('SIGKILL');
      }),
  );
  await Promise.all(waits);
}

export function tempDir(name = 'crier-cli-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), name));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A configuration file (JSON is YAML) for a test, with its own key prefix; returns its path and raw content. */
export function writeConfig(dir: string, redisUrl: string, raw: Record<string, unknown> = {}): { path: string; raw: Record<string, unknown>; prefix: string } {
  const prefix = (raw.redis as { prefix?: string } | undefined)?.prefix ?? uniquePrefix('cli');
  const full: Record<string, unknown> = {
    library: { baseUrl: 'http://crier.test' },
    auth: { tokens: [{ name: 'admin', role: 'admin', token: ADMIN_TOKEN }] },
    topics: TOPICS,
    delivery: { attempts: 3, backoffMs: 20, batchSize: 10, pageSize: 25 },
    ...raw,
    redis: { url: redisUrl, prefix },
  };
  const path = join(dir, 'crier.yaml');
  writeFileSync(path, JSON.stringify(full, null, 2));
  return { path, raw: full, prefix };
}

/** A TCP listener that only counts connections: proof that a command never reached "Redis". */
export async function connectionCounter(): Promise<{ url: string; connections(): number; close(): Promise<void> }> {
  let count = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((sock) => {
    count += 1;
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `redis://127.0.0.1:${port}`,
    connections: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
