// Scenario 1b: `crier serve` keeps taking posts while a separate `crier worker` is killed with
// SIGKILL ten times in a 2,000-recipient fan-out. Every POST /api/announcements made during
// the kills answers 202 (those posts go to a topic nobody follows, so they add no mails); the
// fan-out loses nobody and repeats only sends in flight, marked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, type CrierProcess } from '../cli/crier-process.js';
import { ADMIN_TOKEN, fixture } from '../support/harness.js';
import { freePort, sleep, startCrier } from './support/fault-kit.js';
import { killEnv, killRounds, type KillEnv } from './support/kill-rounds.js';
import { report } from './support/results.js';

// Often enough to hit every kill, rarely enough that the posts (each one a fan-out job) do not
// slow the worker down: the suite has 150 s on two cores.
const POST_EVERY_MS = 700;

let env: KillEnv;
let serve: CrierProcess;
let base: string;
beforeAll(async () => {
  env = await killEnv('kill9-split');
  const port = await freePort();
  serve = await startCrier('serve', env.configFile, env.dir, port);
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await killAll();
  await env?.close();
});

describe('kill -9 of crier worker beside crier serve', () => {
  it('keeps answering 202 to posts and loses no recipient across ten worker kills', async () => {
    const statuses = new Map<number, number>();
    let posting = false;
    let poster: Promise<void> = Promise.resolve();
    const startPosting = () => {
      if (posting) return;
      posting = true;
      poster = (async () => {
        while (posting) {
          const body = { ...fixture('holiday-hours'), topics: ['training'] };
          const res = await fetch(`${base}/api/announcements`, {
            method: 'POST',
            headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          }).catch(() => null);
          const code = res?.status ?? 0;
          await res?.arrayBuffer();
          statuses.set(code, (statuses.get(code) ?? 0) + 1);
          await sleep(POST_EVERY_MS);
        }
      })();
    };
    try {
      await killRounds(env, 'kill9-worker', () => startCrier('worker', env.configFile, env.dir), startPosting);
    } finally {
      posting = false;
      await poster;
    }
    const accepted = statuses.get(202) ?? 0;
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    report('kill9-worker-posts', { posts: total, accepted, other: total - accepted, serveUp: serve.child.exitCode === null });
    expect(total).toBeGreaterThanOrEqual(10);
    expect(Object.fromEntries(statuses)).toEqual({ 202: total });
    expect(serve.child.exitCode).toBeNull();
  });
});
