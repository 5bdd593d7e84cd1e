// Scenario 2: the Redis under a running `crier start` goes away.
//  - redis-outage: its own redis-server (AOF on, as `npm start` runs it) is shut down
//    (SIGTERM) for REDIS_OUTAGE_MS in the middle of an e-mail fan-out, then started again on the
//    same port and directory. Meanwhile the API answers 503 with its "database is not answering"
//    message; afterwards the process has reconnected by itself (same process, never exited)
//    and nobody is lost.
//  - redis-emptied: the same Redis restarted WITHOUT its data (a new empty directory, same
//    port). What Crier does is asserted below.
// The issue asks for 20 s (npm run test:faults, CI); test:faults:quick uses 6 s (the
// reconnect does not depend on the length: ioredis retries every 2 s at most).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServerHandle } from '../../src/redis/server.js';
import type { Services } from '../../src/services.js';
import { killAll, type CrierProcess } from '../cli/crier-process.js';
import { ADMIN_TOKEN, fixture, postFixture, testConfig, testServices, waitFor } from '../support/harness.js';
import { addEmailSubscribers, freePort, mailFigures, sleep, startCrier, waitFinal, writeCrierConfig } from './support/fault-kit.js';
import { report } from './support/results.js';
import { REDIS_OUTAGE_MS } from './support/durations.js';
import { startLeanSmtp, type LeanSmtp } from './support/lean-smtp.js';

const RECIPIENTS = 600;
const UNAVAILABLE = 'the database is not answering; try again shortly';

let dir: string;
let redisPort: number;
let redis: RedisServerHandle;
let smtp: LeanSmtp;
let s: Services;
let crier: CrierProcess;
let base: string;
let configFile: string;
let addresses: string[];

const startRedis = (dataDir: string) => startRedisServer({ port: redisPort, dir: dataDir, persistent: true });

async function post(topics = ['training']): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}/api/announcements`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...fixture('holiday-hours'), topics }),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crier-redis-outage-'));
  redisPort = await freePort();
  redis = await startRedis(join(dir, 'redis'));
  // perSecond: the fan-out lasts long enough for the outage to fall in its middle.
  smtp = await startLeanSmtp({ delayMs: 1 });
  const email = { enabled: true, smtpUrl: smtp.url, poolSize: 4, perSecond: 100 };
  const delivery = { pageSize: 100, batchSize: 20, lockMs: 2000, attempts: 8, backoffMs: 200 };
  s = testServices(testConfig({ redis: { url: redis.url }, channels: { email }, delivery }));
  configFile = writeCrierConfig(s, dir, { channels: { email }, delivery, server: { host: '127.0.0.1' } });
  addresses = await addEmailSubscribers(s, RECIPIENTS);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  crier = await startCrier('start', configFile, dir, port);
});
afterAll(async () => {
  await killAll();
  await s?.close();
  await redis?.stop();
  await smtp?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Redis outages under crier start', () => {
  it('answers 503 while Redis is down, reconnects by itself, and loses nobody', async () => {
    const { id } = await postFixture(s, 'holiday-hours');
    await waitFor(() => smtp.received.length >= 100, { timeoutMs: 30_000, what: '100 mails' });
    await redis.stop(); // SIGTERM: redis-server writes its AOF and exits
    const downAt = Date.now();
    const mailsAtStop = smtp.received.length;
    const answers = new Map<number, number>();
    const messages = new Set<string>();
    let health = 0;
    while (Date.now() - downAt < REDIS_OUTAGE_MS) {
      const r = await post().catch(() => ({ status: 0, body: {} as Record<string, unknown> }));
      answers.set(r.status, (answers.get(r.status) ?? 0) + 1);
      if (r.status === 503) messages.add(String(r.body.message));
      health = (await fetch(`${base}/health`).catch(() => null))?.status ?? 0;
      await sleep(250);
    }
    const mailsDuringOutage = smtp.received.length - mailsAtStop;
    redis = await startRedis(join(dir, 'redis'));
    const upAt = Date.now();
    await waitFor(async () => (await post()).status === 202, { timeoutMs: 20_000, intervalMs: 200, what: 'the API to take posts again' });
    const reconnectMs = Date.now() - upAt;
    const view = await waitFinal(s, id, 60_000);
    const f = await mailFigures(s, id, smtp, addresses);
    const first503 = answers.get(503) ?? 0;
    report('redis-outage', {
      recipients: RECIPIENTS, outageMs: REDIS_OUTAGE_MS, mailsAtStop, mailsDuringOutage, posts503: first503,
      postsOther: [...answers].filter(([c]) => c !== 503).map(([c, n]) => `${c}x${n}`).join(',') || 'none',
      healthDuring: health, reconnectMs, lost: f.lost, duplicates: f.duplicates, unmarked: f.unmarked, maxAttempts: `${f.maxAttempts}/8`,
      processUp: crier.child.exitCode === null,
    });
    expect(crier.child.exitCode, crier.stderr).toBeNull();
    // Log lines, not a raw stack trace per reconnect try (BullMQ's queues print them unless
    // something listens for their errors).
    expect(crier.stderr).not.toMatch(/^\s+at |^Error: connect/m);
    // The watch notices the loss at once; the odd post on the way may time out (0) or 503.
    expect(first503).toBeGreaterThan(REDIS_OUTAGE_MS / 250 / 2);
    expect(answers.get(202) ?? 0).toBe(0);
    expect([...messages]).toEqual([UNAVAILABLE]);
    expect(health).toBe(503);
    expect(mailsAtStop).toBeLessThan(RECIPIENTS);
    expect(view.status).toBe('done');
    expect(f).toMatchObject({ lost: 0, notSent: 0, unmarked: 0 });
    expect(f.maxAttempts).toBeLessThanOrEqual(8);
  });

  it('Redis back without its data: one clear log line, no crash loop, and it keeps working', async () => {
    const pid = crier.child.pid;
    await redis.stop();
    redis = await startRedis(join(dir, 'redis-empty'));
    const LOST = 'Redis lost its data';
    await waitFor(() => crier.stderr.includes(LOST), { timeoutMs: 20_000, intervalMs: 100, what: 'the lost-data log line' });
    const r = await waitFor(async () => {
      const p = await post().catch(() => null);
      return p?.status === 202 ? p : null;
    }, { timeoutMs: 20_000, intervalMs: 200, what: 'a post answered 202' });
    const view = await waitFinal(s, String(r.body.id), 20_000);
    await sleep(3000); // a loop would log again within this
    const lines = crier.stderr.split('\n').filter((l) => l.includes(LOST));
    const nogroupWarnings = crier.stderr.split('\n').filter((l) => /reading the event stream failed.*NOGROUP/.test(l)).length;
    const health = (await fetch(`${base}/health`)).status;
    report('redis-emptied', { processUp: crier.child.exitCode === null, samePid: crier.child.pid === pid, lostDataLines: lines.length, nogroupWarnings, post: r.status, newAnnouncement: view.status, health });
    expect(crier.child.exitCode).toBeNull();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/error/);
    expect(nogroupWarnings).toBe(0);
    expect(view.status).toBe('done');
    expect(health).toBe(200);
  });
});
