// Scaling out: the same N e-mails delivered by one `crier worker` process, then by two, each
// a real child process started as an operator would (node bin/crier.js worker --config …).
// The channel is CPU-bound in the worker: a long Markdown body is rendered to HTML and plain
// text and built into MIME for every recipient, then handed to the SMTP sink (own process).
// The ratio is t(1 worker) / t(2 workers).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../src/config/schema.js';
import { createServices } from '../src/services.js';
import { silentLogger } from '../src/util/log.js';
import { emailChannel } from './email.js';
import { BODY, child, envInt, post, prefix, progress, rate, ratio, rawConfig, seed, startSink, waitDone, type Child } from './support.js';

const N = envInt('BENCH_SCALE_N', 2_000);

export async function scale(): Promise<Record<string, unknown>> {
  const sink = await startSink('smtp');
  const dir = mkdtempSync(join(tmpdir(), 'crier-bench-scale-'));
  const raw = rawConfig(prefix('scale'), { channels: emailChannel(sink.port) });
  // JSON is YAML: the file crier reads, with the same prefix this process posts under.
  const configPath = join(dir, 'crier.yaml');
  writeFileSync(configPath, JSON.stringify(raw));
  const s = createServices(configSchema.parse(raw), { log: silentLogger });
  const running: Child[] = [];
  try {
    progress(`scale: seeding ${N} subscribers (not measured)`);
    await seed(s, 'email', N, (i) => `s${i}@example.edu`);
    const times: Record<number, number> = {};
    for (const k of [1, 2]) {
      for (let i = 0; i < k; i++) running.push(child(['bin/crier.js', 'worker', '--config', configPath, '--channels', 'email']));
      // Timing starts once every worker is up: process start-up is not delivery work.
      await Promise.all(running.map((c) => c.waitFor(/Running\./)));
      const start = performance.now();
      const id = await post(s, BODY);
      await waitDone(s, id, 'email', N);
      times[k] = performance.now() - start;
      progress(`scale: ${k} worker process(es): ${rate(N, times[k])} msg/s`);
      await Promise.all(running.splice(0).map((c) => c.stop()));
    }
    return {
      scale_2_workers: ratio(times[1], times[2]),
      scale_n: N,
      scale_msgs_per_s_1_worker: rate(N, times[1]),
      scale_msgs_per_s_2_workers: rate(N, times[2]),
    };
  } finally {
    await Promise.all(running.map((c) => c.stop()));
    await s.close();
    await sink.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
