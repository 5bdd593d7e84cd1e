// npm run bench — throughput and memory of the whole Crier path (dispatch fan-out, batched
// delivery jobs, per-recipient delivery log) against bare BullMQ with one job per message,
// both in this process against the same Redis, sending to a channel that does no I/O.
// Results are ratios against that baseline; absolute numbers depend on the machine.
import { Queue, Worker } from 'bullmq';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../src/config/schema.js';
import { createRedis, redisAnswers } from '../src/redis/connection.js';
import { freePort, startRedisServer, type RedisServerHandle } from '../src/redis/server.js';
import { createServices } from '../src/services.js';
import type { Channel } from '../src/types.js';
import { silentLogger } from '../src/util/log.js';
import { startWorkers } from '../workers/index.js';
import { deletePrefix } from '../test/support/harness.js';

const N = Number(process.env.BENCH_N ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);

async function redisForBench(): Promise<{ url: string; server?: RedisServerHandle; dir?: string }> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL };
  const dir = mkdtempSync(join(tmpdir(), 'crier-bench-'));
  const server = await startRedisServer({ port: await freePort(), dir, persistent: false });
  return { url: server.url, server, dir };
}

/** A channel with no I/O: what is measured is Crier's own work per message. */
function nullChannel(): Channel<string> {
  return {
    name: 'email',
    limits: { batchSize: 50, concurrency: CONCURRENCY },
    recipientPage: async () => ({ recipients: [], next: null }),
    render: (ann, r) => `${ann.id}:${r.id}`,
    preview: (m) => m,
    send: async (m) => ({ externalId: m }),
  };
}

async function bareBullmq(url: string, prefix: string): Promise<number> {
  const connection = createRedis(url, { blocking: true });
  const queue = new Queue('bare', { connection, prefix });
  let done = 0;
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  const worker = new Worker('bare', async (job) => `${job.data.ann}:${job.data.to}`, {
    connection: createRedis(url, { blocking: true }), prefix, concurrency: CONCURRENCY,
  });
  worker.on('completed', () => {
    if (++done === N) finish();
  });
  const start = performance.now();
  for (let i = 0; i < N; i += 1000) {
    const jobs = [];
    for (let j = i; j < Math.min(N, i + 1000); j++) jobs.push({ name: 'send', data: { ann: 'a1', to: `s${j}@example.edu` }, opts: { attempts: 3 } });
    await queue.addBulk(jobs);
  }
  await finished;
  const ms = performance.now() - start;
  await worker.close();
  await queue.close();
  connection.disconnect();
  return ms;
}

/** Seeds N subscribers (not measured), then returns the measured run. */
async function crierPath(url: string, prefix: string): Promise<() => Promise<number>> {
  const config = configSchema.parse({
    redis: { url, prefix },
    topics: [{ id: 'hours', name: { en: 'Hours', zh: '开放时间' } }],
    channels: { email: { enabled: true, outbox: '/nonexistent-not-used' } },
    delivery: { batchSize: 50, pageSize: 1000 },
  });
  const s = createServices(config, { log: silentLogger });
  s.channels.set('email', nullChannel());
  for (let i = 0; i < N; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, N - i) }, (_, k) =>
        s.subscribers.upsert({ channel: 'email', address: `s${i + k}@example.edu`, topics: ['hours'], language: 'en', status: 'active' }),
      ),
    );
  }
  // Subscribers come from the store; the null channel only stands in for the network.
  const real = s.channels.get('email')!;
  real.recipientPage = async (ann, cursor) => {
    const page = await s.subscribers.page('email', ann.topics, cursor, config.delivery.pageSize);
    return { recipients: page.subscribers.map((x) => ({ id: x.id, address: x.address, language: x.language })), next: page.next };
  };
  return async () => {
    const workers = await startWorkers(s, { concurrency: CONCURRENCY });
    const start = performance.now();
    const { id } = await s.producer.create(
      { title: { en: 'Bench' }, body: { en: 'Body' }, topics: ['hours'], priority: 'normal' },
      { createdBy: 'bench' },
    );
    for (;;) {
      const st = await s.announcements.status(id);
      if (st === 'done' || st === 'done_with_failures') break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const ms = performance.now() - start;
    const sent = (await s.deliveries.counts(id, ['email'])).email.sent;
    if (sent !== N) throw new Error(`crier path sent ${sent} of ${N}`);
    await workers.close();
    await s.close();
    return ms;
  };
}

/** Runs one phase with the heap collected first, sampling the peak heap above that floor. */
async function measured(run: () => Promise<number>): Promise<{ ms: number; peakHeapMb: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const floor = process.memoryUsage().heapUsed;
  let peak = floor;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 20);
  try {
    const ms = await run();
    return { ms, peakHeapMb: (Math.max(peak, process.memoryUsage().heapUsed) - floor) / 1e6 };
  } finally {
    clearInterval(timer);
  }
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

async function main(): Promise<void> {
  const redis = await redisForBench();
  if (!(await redisAnswers(redis.url))) throw new Error(`no Redis at ${redis.url}`);
  const tag = `bench-${Date.now().toString(36)}`;
  const prefixes: string[] = [];
  try {
    console.log(`messages: ${N}, worker concurrency: ${CONCURRENCY}, best of ${ROUNDS} rounds (alternating)`);
    const bare: { ms: number; peakHeapMb: number }[] = [];
    const crier: { ms: number; peakHeapMb: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const pb = `${tag}-bare-${round}`;
      const pc = `${tag}-crier-${round}`;
      prefixes.push(pb, pc);
      bare.push(await measured(() => bareBullmq(redis.url, pb)));
      crier.push(await measured(await crierPath(redis.url, pc)));
    }
    const best = (xs: { ms: number; peakHeapMb: number }[]) => xs.reduce((a, b) => (b.ms < a.ms ? b : a));
    const b = best(bare);
    const c = best(crier);
    const rate = (ms: number) => Math.round((N / ms) * 1000);
    console.log(`bare BullMQ, one job per message: ${rate(b.ms)} msg/s, peak heap +${b.peakHeapMb.toFixed(1)} MB (baseline 1.00)`);
    console.log(
      `Crier path (fan-out + batches + delivery log): ${rate(c.ms)} msg/s (${(b.ms / c.ms).toFixed(2)}x the baseline), ` +
        `peak heap +${c.peakHeapMb.toFixed(1)} MB (${(c.peakHeapMb / b.peakHeapMb).toFixed(2)}x)`,
    );
  } finally {
    for (const p of prefixes) await deletePrefix(redis.url, p);
    await redis.server?.stop();
    if (redis.dir) rmSync(redis.dir, { recursive: true, force: true });
  }
}

await main();
// Everything is closed, but tsx's esbuild service keeps the event loop alive.
process.exit(0);
