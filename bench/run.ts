// npm run bench — every measurement of issue 13 in one run: progress lines on stderr, then
// exactly one JSON line on stdout with every key. BENCH_ONLY=fanout,email picks measurements;
// BENCH_N scales the default sizes down (BENCH_N=10000 is a tenth) for development; each
// module also reads its own BENCH_<NAME>_N. A measurement that cannot run is null with a
// <key>_note saying why. Timings live here only, never in pass/fail tests.
import { cpus, loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { cleanup, progress, REDIS_URL } from './support.js';

type Measurement = () => Promise<Record<string, unknown>>;

// Each module's keys, so a measurement that throws still reports every key as null.
const MODULES: Record<string, { keys: string[]; load: () => Promise<Measurement> }> = {
  fanout: {
    keys: ['fanout_vs_bullmq', 'redis_bytes_per_delivery', 'process_rss_mb_100k'],
    load: async () => (await import('./fanout.js')).fanout,
  },
  email: { keys: ['email_vs_nodemailer'], load: async () => (await import('./email.js')).email },
  telegram: { keys: ['telegram_limit_use', 'telegram_429s'], load: async () => (await import('./telegram.js')).telegram },
  latency: { keys: ['latency_ms_p50', 'latency_ms_p99'], load: async () => (await import('./latency.js')).latency },
  scale: { keys: ['scale_2_workers'], load: async () => (await import('./scale.js')).scale },
  apprise: { keys: ['email_vs_apprise', 'webhook_vs_apprise'], load: async () => (await import('./apprise.js')).apprise },
};

async function machine(): Promise<Record<string, unknown>> {
  const r = new Redis(REDIS_URL);
  const info = await r.info('server');
  r.disconnect();
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
    // The machine may be shared: a high load at the start makes every absolute rate lower.
    load_avg_1m: Math.round(loadavg()[0] * 100) / 100,
  };
}

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY?.split(',').map((x) => x.trim()).filter(Boolean);
  const unknown = (only ?? []).filter((m) => !MODULES[m]);
  if (unknown.length) throw new Error(`BENCH_ONLY: unknown ${unknown.join(', ')} (known: ${Object.keys(MODULES).join(', ')})`);
  const started = performance.now();
  const out: Record<string, unknown> = { machine: await machine() };
  for (const [name, m] of Object.entries(MODULES)) {
    if (only && !only.includes(name)) {
      for (const k of m.keys) Object.assign(out, { [k]: null, [`${k}_note`]: 'not selected (BENCH_ONLY)' });
      continue;
    }
    const t0 = performance.now();
    progress(`${name}: start`);
    try {
      Object.assign(out, await (await m.load())());
    } catch (e) {
      const why = `failed: ${(e as Error).message}`;
      progress(`${name}: ${why}`);
      for (const k of m.keys) Object.assign(out, { [k]: null, [`${k}_note`]: why });
    } finally {
      await cleanup();
    }
    progress(`${name}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  out.bench_seconds = Math.round((performance.now() - started) / 1000);
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

await main();
// Everything is closed, but tsx's esbuild service keeps the event loop alive.
process.exit(0);
