// Fan-out: N recipients through the whole Crier path (dispatch pages, batched delivery jobs,
// per-recipient delivery log) to a channel with no I/O, against bare BullMQ with one job per
// message at its best of concurrency 8, 50 and 200, same process, same Redis. Also what the
// run leaves in Redis per delivery and the process's peak RSS while it runs.
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createRedis } from '../src/redis/connection.js';
import type { Channel } from '../src/types.js';
import { startWorkers } from '../workers/index.js';
import { benchServices, envInt, post, prefix, progress, rate, ratio, REDIS_URL, seed, waitDone, withPeakRss } from './support.js';

const N = envInt('BENCH_FANOUT_N', 100_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const BARE_CONCURRENCY = [8, 50, 200];

async function bareBullmq(p: string, concurrency: number): Promise<number> {
  const connection = createRedis(REDIS_URL, { blocking: true });
  const queue = new Queue('bare', { connection, prefix: p });
  let done = 0;
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  const worker = new Worker('bare', async (job) => `${job.data.ann}:${job.data.to}`, {
    connection: createRedis(REDIS_URL, { blocking: true }), prefix: p, concurrency,
  });
  worker.on('completed', () => {
    if (++done === N) finish();
  });
  await worker.waitUntilReady();
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

/** Bytes Redis uses for every key under the prefix (MEMORY USAGE, all samples). */
async function prefixBytes(p: string): Promise<number> {
  const r = new Redis(REDIS_URL);
  let total = 0;
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${p}:*`, 'COUNT', 1000);
    const pipe = r.pipeline();
    for (const k of keys) pipe.memory('USAGE', k, 'SAMPLES', 0);
    for (const [, v] of (await pipe.exec()) ?? []) total += Number(v ?? 0);
    cursor = next;
  } while (cursor !== '0');
  r.disconnect();
  return total;
}

/** A channel with no I/O whose recipients come from the subscriber store, as e-mail's do. */
function nullChannel(s: ReturnType<typeof benchServices>['s']): Channel<string> {
  return {
    name: 'email',
    limits: { batchSize: 50, concurrency: CONCURRENCY },
    recipientPage: async (ann, cursor) => {
      const page = await s.subscribers.page('email', ann.topics, cursor, s.config.delivery.pageSize);
      return { recipients: page.subscribers.map((x) => ({ id: x.id, address: x.address, language: x.language })), next: page.next };
    },
    render: (ann, r) => `${ann.id}:${r.id}`,
    preview: (m) => m,
    send: async (m) => ({ externalId: m }),
  };
}

async function crierPath(): Promise<{ ms: number; bytesPerDelivery: number; peakRssMb: number }> {
  const p = prefix('fanout');
  // outbox is never written: the null channel replaces the e-mail channel before any send.
  const { s } = benchServices(p, { channels: { email: { enabled: true, outbox: '/nonexistent-not-used' } } });
  s.channels.set('email', nullChannel(s));
  progress(`fanout: seeding ${N} subscribers (not measured)`);
  await seed(s, 'email', N, (i) => `s${i}@example.edu`);
  const before = await prefixBytes(p);
  (globalThis as { gc?: () => void }).gc?.();
  const workers = await startWorkers(s, { concurrency: CONCURRENCY });
  const { result: ms, peakRssMb } = await withPeakRss(async () => {
    const start = performance.now();
    const id = await post(s);
    await waitDone(s, id, 'email', N);
    return performance.now() - start;
  });
  await workers.close();
  // What stays after the fan-out (delivery log, jobs kept for retention), subscribers excluded.
  const bytesPerDelivery = Math.round((await prefixBytes(p)) - before) / N;
  await s.close();
  return { ms, bytesPerDelivery: Math.round(bytesPerDelivery), peakRssMb: Math.round(peakRssMb) };
}

export async function fanout(): Promise<Record<string, unknown>> {
  const c = await crierPath();
  progress(`fanout: Crier ${rate(N, c.ms)} msg/s, ${c.bytesPerDelivery} B/delivery, peak RSS ${c.peakRssMb} MB`);
  const bare: Record<number, number> = {};
  for (const conc of BARE_CONCURRENCY) {
    bare[conc] = await bareBullmq(prefix(`bare${conc}`), conc);
    progress(`fanout: bare BullMQ concurrency ${conc}: ${rate(N, bare[conc])} msg/s`);
  }
  const best = BARE_CONCURRENCY.reduce((a, b) => (bare[b] < bare[a] ? b : a));
  return {
    fanout_vs_bullmq: ratio(bare[best], c.ms),
    fanout_n: N,
    fanout_msgs_per_s: rate(N, c.ms),
    bullmq_msgs_per_s: rate(N, bare[best]),
    bullmq_best_concurrency: best,
    bullmq_msgs_per_s_by_concurrency: Object.fromEntries(BARE_CONCURRENCY.map((k) => [k, rate(N, bare[k])])),
    redis_bytes_per_delivery: c.bytesPerDelivery,
    [N === 100_000 ? 'process_rss_mb_100k' : 'process_rss_mb']: c.peakRssMb,
    ...(N !== 100_000 ? { process_rss_mb_100k: null, process_rss_mb_100k_note: `ran with ${N} recipients, not 100,000` } : {}),
  };
}
