// Telegram: N private-chat subscribers through Crier to a local Bot API server that allows 30
// sendMessage a second (sliding window) and answers more with 429. What share of that limit
// Crier uses (sent per second over 30, post to done), and how many 429s it drew.
import { startWorkers } from '../workers/index.js';
import { benchServices, envInt, post, prefix, progress, seed, waitDone } from './support.js';
import { startLimitedTelegram } from './telegram-server.js';

const N = envInt('BENCH_TELEGRAM_N', 3_000);
const LIMIT = 30;

export async function telegram(): Promise<Record<string, unknown>> {
  const server = await startLimitedTelegram(LIMIT);
  const { s } = benchServices(prefix('telegram'), {
    channels: { telegram: { enabled: true, token: server.token, apiUrl: server.url } },
  });
  try {
    progress(`telegram: seeding ${N} subscribers (not measured); at ${LIMIT}/s this takes at least ${Math.ceil(N / LIMIT)} s`);
    await seed(s, 'telegram', N, (i) => String(100_000 + i));
    const workers = await startWorkers(s);
    const start = performance.now();
    const id = await post(s);
    const tick = setInterval(() => progress(`telegram: ${server.sent.length}/${N} sent, ${server.tooMany} 429s`), 10_000);
    try {
      await waitDone(s, id, 'telegram', N);
    } finally {
      clearInterval(tick);
    }
    const ms = performance.now() - start;
    await workers.close();
    const perSecond = (N / ms) * 1000;
    return {
      telegram_limit_use: Math.round((perSecond / LIMIT) * 100) / 100,
      telegram_429s: server.tooMany,
      telegram_n: N,
      telegram_msgs_per_s: Math.round(perSecond * 10) / 10,
    };
  } finally {
    await s.close();
    await server.close();
  }
}
