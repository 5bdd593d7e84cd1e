// kill -9 of the whole worker process, twice: once in the middle of the fan-out, once in the
// middle of sending. After restarts every one of 1,500 subscribers has the announcement, the
// log says sent for each, and the few possible duplicates are bounded and marked.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateAnnouncement } from '../../src/announcement/schema.js';
import type { Services } from '../../src/services.js';
import { disposeServices, fixture, startSmtp, testConfig, testServices, waitFor, type TestSmtp } from '../support/harness.js';

const CLI = fileURLToPath(new URL('../../bin/crier.js', import.meta.url));
const SUBSCRIBERS = 1500;
const CONCURRENCY = 4;

let smtp: TestSmtp;
let s: Services;
let dir: string;
let configFile: string;
const children: ChildProcess[] = [];

function startWorkerProcess(): ChildProcess {
  const child = spawn(process.execPath, [CLI, 'worker', '--config', configFile], {
    cwd: dir,
    env: { ...process.env, REDIS_URL: '', CRIER_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', () => {});
  children.push(child);
  return child;
}

async function kill9(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  smtp = await startSmtp({ delayMs: 2 });
  const config = testConfig({
    channels: { email: { enabled: true, smtpUrl: smtp.url, poolSize: CONCURRENCY, perSecond: 1000 } },
    delivery: { pageSize: 10, batchSize: 20, lockMs: 1000, attempts: 5 },
  });
  s = testServices(config);
  dir = mkdtempSync(join(tmpdir(), 'crier-crash-'));
  configFile = join(dir, 'crier.yaml');
  // The same configuration, as a file the real CLI reads (JSON is valid YAML).
  writeFileSync(configFile, JSON.stringify({
    redis: config.redis, topics: config.topics, auth: config.auth,
    channels: { email: { enabled: true, smtpUrl: smtp.url, poolSize: CONCURRENCY, perSecond: 1000 } },
    delivery: { pageSize: 10, batchSize: 20, lockMs: 1000, attempts: 5, backoffMs: 20 },
  }));
  for (let i = 0; i < SUBSCRIBERS; i++) {
    await s.subscribers.upsert({ channel: 'email', address: `student${i}@example.edu`, topics: ['hours'], language: 'en', status: 'active' });
  }
}, 120_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await disposeServices(s);
  await smtp.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('crash safety', () => {
  it('loses no recipient across kill -9 mid fan-out and mid send, and marks possible duplicates', async () => {
    const v = validateAnnouncement(s.producer.schema, fixture('holiday-hours'));
    if (!v.ok) throw new Error('fixture invalid');
    const { id } = await s.producer.create(v.value, { createdBy: 'test' });
    const counters = s.keys.counters(id);

    // 1. Kill while the fan-out is writing pages.
    let child = startWorkerProcess();
    const atFirstKill = await waitFor(async () => {
      const total = Number((await s.redis.hget(counters, 'email|total')) ?? 0);
      return total >= 200 ? total : 0;
    }, { intervalMs: 2, timeoutMs: 90_000, what: 'fan-out under way' });
    await kill9(child);
    const fanoutFinishedBeforeKill = (await s.redis.hget(s.keys.fanout(id), 'email')) === 'done';

    // 2. Restart; kill again once a good part has been sent.
    child = startWorkerProcess();
    await waitFor(() => smtp.received.length >= 700, { timeoutMs: 120_000, what: '700 messages' });
    await kill9(child);
    const sentAtSecondKill = smtp.received.length;

    // 3. Restart and let it finish.
    startWorkerProcess();
    const view = await waitFor(async () => {
      const v2 = await s.producer.view(id);
      return v2 && ['done', 'done_with_failures'].includes(v2.status) ? v2 : null;
    }, { timeoutMs: 150_000, what: 'announcement final' });

    expect(atFirstKill).toBeLessThan(SUBSCRIBERS);
    expect(fanoutFinishedBeforeKill).toBe(false);
    expect(sentAtSecondKill).toBeLessThan(SUBSCRIBERS);
    expect(view.status).toBe('done');
    expect(view.deliveries.email).toMatchObject({ total: SUBSCRIBERS, sent: SUBSCRIBERS, failed: 0, queued: 0, sending: 0 });

    const perAddress = new Map<string, number>();
    for (const m of smtp.received) perAddress.set(m.envelopeTo[0], (perAddress.get(m.envelopeTo[0]) ?? 0) + 1);
    expect(perAddress.size).toBe(SUBSCRIBERS);
    const duplicated = [...perAddress].filter(([, n]) => n > 1).map(([a]) => a);
    // At most one message per in-flight send can be repeated per kill: jobs (the pool size)
    // times the sends each job has in flight.
    const inFlight = CONCURRENCY * (s.channels.get('email')!.limits.inFlight ?? 1);
    expect(duplicated.length).toBeLessThanOrEqual(2 * inFlight);
    const log = new Map<string, { possibleDuplicate?: boolean }>();
    let cursor: string | null = null;
    do {
      const page = await s.deliveries.list(id, ['email'], { cursor, limit: 500 });
      for (const r of page.items) log.set(r.address, r);
      cursor = page.next;
    } while (cursor);
    for (const address of duplicated) expect(log.get(address)?.possibleDuplicate, address).toBe(true);
  }, 400_000);
});
