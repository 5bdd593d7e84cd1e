// Latency when idle: Crier's HTTP server and workers in this process, a local Slack Web API
// (test/support/fake-slack.ts); one single-recipient announcement at a time, timed from the
// POST /api/announcements request to chat.postMessage arriving at the fake server.
import { startHttpServer } from '../src/http/app.js';
import { startWorkers } from '../workers/index.js';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { benchServices, prefix, progress, waitDone } from './support.js';

// Not scaled by BENCH_N: 50 idle posts take a few seconds, and fewer make p99 meaningless.
const N = Number(process.env.BENCH_LATENCY_N ?? 50);
const TOKEN = 'bench-admin-token-0123456789';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export async function latency(): Promise<Record<string, unknown>> {
  const slack = await startFakeSlack();
  // Slack allows one post a second per channel (Crier's perTargetPerSecond): each post goes to
  // its own target channel, through its own topic, so no post waits on the previous one's limit.
  const ids = Array.from({ length: N + 1 }, (_, i) => `t${i}`);
  for (const id of ids) slack.addChannel(`C${id.toUpperCase()}`);
  // When each message arrives: the fake appends every accepted post to `posted`.
  const arrivals = new Map<string, () => void>();
  const push = slack.posted.push.bind(slack.posted);
  slack.posted.push = (...items) => {
    for (const m of items) arrivals.get(m.channel)?.();
    return push(...items);
  };
  const { s } = benchServices(prefix('latency'), {
    server: { host: '127.0.0.1', port: 0 },
    auth: { tokens: [{ name: 'bench', role: 'admin', token: TOKEN }] },
    topics: ids.map((id) => ({ id, name: { en: id, zh: id } })),
    channels: { slack: { enabled: true, token: slack.token, apiUrl: slack.apiUrl, targets: ids.map((id) => ({ channel: `C${id.toUpperCase()}`, topics: [id] })) } },
  });
  const workers = await startWorkers(s);
  const http = await startHttpServer(s);
  try {
    const times: number[] = [];
    // Post 0 warms up (connections, compiled code) and is not counted.
    for (const [i, topic] of ids.entries()) {
      const arrived = new Promise<number>((resolve) => arrivals.set(`C${topic.toUpperCase()}`, () => resolve(performance.now())));
      const start = performance.now();
      const res = await fetch(`${http.url}/api/announcements`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title: { en: `Latency ${i}` }, body: { en: 'The reading room opens at 08:00.' }, topics: [topic] }),
      });
      if (res.status !== 202) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
      const { id } = (await res.json()) as { id: string };
      const at = await arrived;
      if (i > 0) times.push(at - start);
      // Idle: the next post waits until this one is fully recorded.
      await waitDone(s, id, 'slack', 1);
    }
    const sorted = [...times].sort((a, b) => a - b);
    const r = (x: number) => Math.round(x * 10) / 10;
    progress(`latency: p50 ${r(percentile(sorted, 50))} ms, p99 ${r(percentile(sorted, 99))} ms over ${N} posts`);
    return { latency_ms_p50: r(percentile(sorted, 50)), latency_ms_p99: r(percentile(sorted, 99)), latency_ms_max: r(sorted.at(-1)!), latency_n: N };
  } finally {
    await http.close();
    await workers.close();
    await s.close();
    await slack.close();
  }
}
