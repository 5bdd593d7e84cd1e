// Shared pieces of the benchmarks: the Redis they use (the shared one, under prefixes that are
// deleted afterwards), a Crier configuration per measurement, seeding subscribers (never
// timed), waiting for an announcement to finish, peak-RSS sampling and child processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { configSchema, type CrierConfig } from '../src/config/schema.js';
import { createServices, type Services } from '../src/services.js';
import { silentLogger } from '../src/util/log.js';
import { deletePrefix } from '../test/support/harness.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** An integer from the environment; BENCH_N scales every default size (development runs). */
export function envInt(name: string, dflt: number): number {
  const v = process.env[name];
  if (v) return Number(v);
  const scale = process.env.BENCH_N ? Number(process.env.BENCH_N) / 100_000 : 1;
  return Math.max(1, Math.round(dflt * scale));
}

export const progress = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);

const prefixes = new Set<string>();
/** A fresh key prefix, remembered so cleanup() deletes it even when a measurement throws. */
export function prefix(name: string): string {
  const p = `bench-${name}-${randomBytes(3).toString('hex')}`;
  prefixes.add(p);
  return p;
}
export async function cleanup(): Promise<void> {
  for (const p of prefixes) await deletePrefix(REDIS_URL, p);
  prefixes.clear();
}

export const TOPICS = [{ id: 'hours', name: { en: 'Hours', zh: '开放时间' } }];

/** The raw configuration a measurement starts from (also written as YAML for child workers). */
export function rawConfig(p: string, raw: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    redis: { url: REDIS_URL, prefix: p },
    library: { baseUrl: 'http://crier.bench' },
    topics: TOPICS,
    // Alerts would e-mail authors; the bench measures deliveries only.
    alerts: { enabled: false },
    subscriptions: { secret: 'bench-secret-0123456789abcdef' },
    delivery: { batchSize: 50, pageSize: 1000, attempts: 8, backoffMs: 200 },
    ...raw,
  };
}

export function benchServices(p: string, raw: Record<string, unknown> = {}): { config: CrierConfig; s: Services } {
  const config = configSchema.parse(rawConfig(p, raw));
  return { config, s: createServices(config, { log: silentLogger }) };
}

/** N active subscribers of `channel` on topic "hours" (not measured). */
export async function seed(s: Services, channel: string, n: number, address: (i: number) => string): Promise<void> {
  for (let i = 0; i < n; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, n - i) }, (_, k) =>
        s.subscribers.upsert({ channel, address: address(i + k), topics: ['hours'], language: 'en', status: 'active' }),
      ),
    );
  }
}

/** A body long enough that rendering it is real work (markdown, HTML, plain text per message). */
export const BODY = Array.from({ length: 12 }, (_, i) =>
  `## Part ${i + 1}\n\nThe **reading room** opens at 08:00 and closes at 22:00 on weekdays; see [the hours page](https://library.example.edu/hours/${i}). ` +
  'During exam weeks the *quiet floors* stay open until midnight, and the group rooms can be booked online.\n\n- Level 2: silent study\n- Level 3: group work',
).join('\n\n');

export async function post(s: Services, body = 'The reading room opens at 08:00.'): Promise<string> {
  const { id } = await s.producer.create(
    { title: { en: 'Bench announcement' }, body: { en: body }, topics: ['hours'], priority: 'normal' },
    { createdBy: 'bench' },
  );
  return id;
}

/** Polls until the announcement is final; throws when not every delivery went out. */
export async function waitDone(s: Services, id: string, channel: string | string[], expected: number, timeoutMs = 600_000): Promise<void> {
  const channels = Array.isArray(channel) ? channel : [channel];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const st = await s.announcements.status(id);
    if (st === 'done' || st === 'done_with_failures') break;
    if (Date.now() > deadline) throw new Error(`announcement ${id} not final after ${timeoutMs} ms (${st})`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const counts = await s.deliveries.counts(id, channels);
  const sent = channels.reduce((n, c) => n + counts[c].sent, 0);
  if (sent !== expected) throw new Error(`${channels.length > 1 ? `${channels.length} channels` : channels[0]}: sent ${sent} of ${expected}`);
}

/** Samples this process's RSS every 20 ms while `run` runs; returns its result and the peak (MB). */
export async function withPeakRss<T>(run: () => Promise<T>): Promise<{ result: T; peakRssMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    const result = await run();
    return { result, peakRssMb: Math.max(peak, process.memoryUsage().rss) / 1e6 };
  } finally {
    clearInterval(timer);
  }
}

export interface Child {
  proc: ChildProcess;
  out: string;
  /** Resolves with the first match of `re` in stdout. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

/** Starts `node <args>` with stdout collected; stop() sends SIGTERM and waits for the exit. */
export function child(args: string[], env: Record<string, string> = {}): Child {
  const proc = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  const c: Child = {
    proc,
    out: '',
    async waitFor(re, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = c.out.match(re);
        if (m) return m;
        if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`no ${re} from ${args.join(' ')}: ${c.out}\n${err}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (c.out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  return c;
}

/** A sink child (bench/sink.ts): "smtp" or "http"; returns its port and a stop. */
export async function startSink(kind: 'smtp' | 'http'): Promise<{ port: number; stop(): Promise<void> }> {
  const c = child(['bin/run-ts.js', 'bench/sink.ts', kind]);
  const port = Number((await c.waitFor(/PORT (\d+)/))[1]);
  return { port, stop: () => c.stop() };
}

export const ratio = (x: number, y: number): number => Math.round((x / y) * 100) / 100;
export const rate = (n: number, ms: number): number => Math.round((n / ms) * 1000);
