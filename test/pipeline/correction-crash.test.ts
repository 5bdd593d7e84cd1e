// Issue 14: a worker killed with kill -9 in the middle of an edit of a 1,000-subscriber
// Telegram fan-out, then restarted. Every subscriber's message ends up edited, none missed,
// none sent again; an edit interrupted in flight is tried once more, which Telegram answers
// "message is not modified" (no second change), and the log marks it possibleDuplicate.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateAnnouncement } from '../../src/announcement/schema.js';
import type { Services } from '../../src/services.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';
import { disposeServices, fixture, testConfig, testServices, waitFor } from '../support/harness.js';

const CLI = fileURLToPath(new URL('../../bin/crier.js', import.meta.url));
const SUBSCRIBERS = 1000;
const FIRST_CHAT = 700_000_000;

let telegram: FakeTelegram;
let s: Services;
let dir: string;
let configFile: string;
const children: ChildProcess[] = [];

function startWorkerProcess(): ChildProcess {
  const child = spawn(process.execPath, [CLI, 'worker', '--config', configFile], {
    cwd: dir, env: { ...process.env, REDIS_URL: '', CRIER_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'],
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
  telegram = await startFakeTelegram();
  // A paid broadcast's rate, so the test does not wait 30 s per pass; the per-chat limit stays.
  const channels = { telegram: { enabled: true, token: telegram.token, apiUrl: telegram.url, perSecond: 2000 } };
  const delivery = { pageSize: 100, batchSize: 20, lockMs: 1000, attempts: 5, backoffMs: 20 };
  const config = testConfig({ channels, delivery });
  s = testServices(config);
  dir = mkdtempSync(join(tmpdir(), 'crier-correct-crash-'));
  configFile = join(dir, 'crier.yaml');
  writeFileSync(configFile, JSON.stringify({ redis: config.redis, topics: config.topics, auth: config.auth, channels, delivery }));
  for (let i = 0; i < SUBSCRIBERS; i++) {
    await s.subscribers.upsert({ channel: 'telegram', address: String(FIRST_CHAT + i), topics: ['hours'], language: 'en', status: 'active' });
  }
}, 120_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await disposeServices(s);
  await telegram.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a correction survives kill -9', () => {
  it('edits each of 1,000 subscribers\' messages exactly once across a crash and a restart', async () => {
    const v = validateAnnouncement(s.producer.schema, fixture('holiday-hours'));
    if (!v.ok) throw new Error('fixture invalid');
    const { id } = await s.producer.create(v.value, { createdBy: 'test' });
    const first = startWorkerProcess();
    await waitFor(async () => ((await s.producer.view(id))?.status === 'done' ? true : null), { timeoutMs: 90_000, what: 'sent to all' });
    expect(telegram.sent).toHaveLength(SUBSCRIBERS);

    const edited = validateAnnouncement(s.producer.schema, { ...fixture('holiday-hours'), body: { en: 'Open **09:00–16:00** every day of the holiday.', zh: '假期每天 **09:00–16:00** 开放。' } });
    if (!edited.ok) throw new Error('edit invalid');
    const r = await s.corrector.edit(id, edited.value, { by: 'test' });
    expect(r).toMatchObject({ ok: true, revision: 2 });
    const counters = s.keys.counters(id);
    const editsSoFar = async () => Number((await s.redis.hget(counters, 'r2:telegram|sent')) ?? 0);
    await waitFor(async () => ((await editsSoFar()) >= 300 ? true : null), { intervalMs: 2, timeoutMs: 60_000, what: '300 edits' });
    await kill9(first);
    const atKill = await editsSoFar();
    expect(atKill).toBeLessThan(SUBSCRIBERS);

    startWorkerProcess();
    const progress = await waitFor(async () => {
      const p = await s.corrections.progress(id, 2, ['telegram']);
      return p.finished ? p : null;
    }, { timeoutMs: 90_000, what: 'correction finished' });
    expect(progress.channels.telegram).toMatchObject({ total: SUBSCRIBERS, sent: SUBSCRIBERS, failed: 0, skipped: 0, queued: 0, sending: 0 });

    // None missed: every subscriber's one message now shows the new text; nobody got a second message.
    expect(telegram.sent).toHaveLength(SUBSCRIBERS);
    for (const m of telegram.sent) expect(telegram.message(m.chatId, m.messageId)!.text, m.chatId).toContain('09:00–16:00');
    // Exactly once: edit calls per message beyond the first are only the ones in flight at the kill.
    const calls = new Map<string, number>();
    for (const c of telegram.calls.filter((x) => x.method === 'editMessageText')) {
      const k = `${String(c.params.chat_id)}/${String(c.params.message_id)}`;
      calls.set(k, (calls.get(k) ?? 0) + 1);
    }
    expect(calls.size).toBe(SUBSCRIBERS);
    const repeated = [...calls].filter(([, n]) => n > 1).map(([k]) => k.split('/')[0]);
    const ch = s.channels.get('telegram')!;
    const inFlight = (ch.limits.concurrency ?? 1) * (ch.limits.inFlight ?? 1);
    expect(repeated.length).toBeLessThanOrEqual(inFlight);
    // Each repeat is marked in the correction log.
    for (const chat of repeated) {
      const sub = await s.subscribers.findByAddress('telegram', chat);
      const rec = await s.corrections.get(id, 2, 'telegram', sub!.id);
      expect(rec!.possibleDuplicate, chat).toBe(true);
    }
  }, 240_000);
});
