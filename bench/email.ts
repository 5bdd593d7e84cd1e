// E-mail: N subscribers through Crier's e-mail channel to a fast SMTP sink (its own process,
// accepting and discarding), against bare nodemailer with the same pool size handed every
// message at once, with the same rendered message. Best of BENCH_ROUNDS, alternating.
import nodemailer from 'nodemailer';
import type { EmailMessage } from '../src/render/email.js';
import { startWorkers } from '../workers/index.js';
import { benchServices, envInt, post, prefix, progress, rate, ratio, seed, startSink, waitDone } from './support.js';

const N = envInt('BENCH_EMAIL_N', 4_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const POOL = 5;

/** Crier's e-mail settings for the bench: the sink, no rate limit in the way, a pool of POOL. */
export function emailChannel(port: number): Record<string, unknown> {
  return { email: { enabled: true, smtpUrl: `smtp://127.0.0.1:${port}`, perSecond: 100_000, poolSize: POOL } };
}

/** Bare nodemailer at its best: pooled, same connections, every message queued at once. */
async function bareNodemailer(port: number, msg: EmailMessage): Promise<number> {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: POOL, maxMessages: Infinity });
  const start = performance.now();
  await Promise.all(Array.from({ length: N }, (_, i) => t.sendMail({ ...msg, to: `s${i}@example.edu`, messageId: `<b${i}@bench>` })));
  const ms = performance.now() - start;
  t.close();
  return ms;
}

export async function email(): Promise<Record<string, unknown>> {
  const sink = await startSink('smtp');
  const { s } = benchServices(prefix('email'), { channels: emailChannel(sink.port) });
  try {
    progress(`email: seeding ${N} subscribers (not measured)`);
    await seed(s, 'email', N, (i) => `s${i}@example.edu`);
    const workers = await startWorkers(s);
    const crier: number[] = [];
    const bare: number[] = [];
    let msg: EmailMessage | undefined;
    for (let round = 0; round < ROUNDS; round++) {
      const start = performance.now();
      const id = await post(s);
      await waitDone(s, id, 'email', N);
      crier.push(performance.now() - start);
      // The baseline sends exactly what Crier rendered for one subscriber.
      msg ??= s.channels.get('email')!.render((await s.announcements.get(id))!, { id: 'x', address: 's0@example.edu', language: 'en', subscriberId: 'x' }) as EmailMessage;
      bare.push(await bareNodemailer(sink.port, msg));
      progress(`email: round ${round + 1}: Crier ${rate(N, crier[round])} msg/s, nodemailer ${rate(N, bare[round])} msg/s`);
    }
    await workers.close();
    const c = Math.min(...crier);
    const b = Math.min(...bare);
    const size = Buffer.byteLength(msg!.html) + Buffer.byteLength(msg!.text);
    return { email_vs_nodemailer: ratio(b, c), email_n: N, email_msgs_per_s: rate(N, c), nodemailer_msgs_per_s: rate(N, b), email_pool_size: POOL, email_body_bytes: size };
  } finally {
    await s.close();
    await sink.stop();
  }
}
