// Scheduling, cancelling and urgent ordering, through the real queues.
import { afterEach, describe, expect, it } from 'vitest';
import { validateAnnouncement } from '../../src/announcement/schema.js';
import type { Services } from '../../src/services.js';
import { startWorkers, type RunningWorkers } from '../../workers/index.js';
import { disposeServices, fixture, startSmtp, testConfig, testServices, waitFor, type TestSmtp } from '../support/harness.js';

let smtp: TestSmtp | undefined;
let s: Services;
const running: RunningWorkers[] = [];

async function setup() {
  smtp = await startSmtp();
  s = testServices(testConfig({ channels: { email: { enabled: true, smtpUrl: smtp.url, poolSize: 1 } }, delivery: { batchSize: 5 } }));
}

async function post(name: string, extra: Record<string, unknown> = {}) {
  const v = validateAnnouncement(s.producer.schema, { ...fixture(name), ...extra });
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return s.producer.create(v.value, { createdBy: 'test' });
}

afterEach(async () => {
  for (const w of running.splice(0)) await w.close();
  await disposeServices(s);
  await smtp?.close();
});

describe('scheduling', () => {
  it('holds a scheduled announcement until publishAt, then delivers it', async () => {
    await setup();
    await s.subscribers.upsert({ channel: 'email', address: 'a@example.edu', topics: ['*'], language: 'en', status: 'active' });
    running.push(await startWorkers(s));
    const publishAt = new Date(Date.now() + 2500).toISOString();
    const { id, status } = await post('english-only', { publishAt });
    expect(status).toBe('scheduled');
    expect(await s.queues.dispatch.getDelayedCount()).toBe(1);
    await new Promise((r) => setTimeout(r, 800));
    expect(smtp!.received).toHaveLength(0);
    expect((await s.producer.view(id))!.status).toBe('scheduled');
    await waitFor(async () => (await s.producer.view(id))?.status === 'done', { what: 'scheduled announcement done' });
    expect(smtp!.received).toHaveLength(1);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(publishAt));
  });

  it('cancels a scheduled announcement: no job left, nothing sent, and a second cancel is refused', async () => {
    await setup();
    await s.subscribers.upsert({ channel: 'email', address: 'a@example.edu', topics: ['*'], language: 'en', status: 'active' });
    const { id } = await post('english-only', { publishAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(await s.producer.cancel(id)).toEqual({ ok: true });
    expect(await s.queues.dispatch.getDelayedCount()).toBe(0);
    expect((await s.producer.view(id))!.status).toBe('cancelled');
    expect(await s.producer.cancel(id)).toEqual({ ok: false, reason: 'not_cancellable', status: 'cancelled' });
    // Even if its dispatch job ran now (a race with cancel), nothing goes out.
    running.push(await startWorkers(s));
    await s.producer.queueDispatch({ ...(await s.announcements.get(id))!, status: 'queued' });
    await waitFor(async () => (await s.queues.dispatch.getCompletedCount()) === 1);
    expect(smtp!.received).toHaveLength(0);
    expect((await s.producer.view(id))!.deliveries.email.total).toBe(0);
  });

  it('refuses to cancel once dispatching has begun', async () => {
    await setup();
    running.push(await startWorkers(s));
    const { id } = await post('english-only');
    await waitFor(async () => (await s.producer.view(id))?.status === 'done');
    expect(await s.producer.cancel(id)).toEqual({ ok: false, reason: 'not_cancellable', status: 'done' });
  });
});

describe('priority', () => {
  it('delivers an urgent announcement ahead of every normal delivery already waiting', async () => {
    await setup();
    for (let i = 0; i < 20; i++) {
      await s.subscribers.upsert({ channel: 'email', address: `u${i}@example.edu`, topics: ['*'], language: 'en', status: 'active' });
    }
    // Fan out only (no delivery worker yet): three normal announcements wait in the queue.
    const fanout = await startWorkers(s, { channels: [] });
    running.push(fanout);
    const normal = [await post('english-only'), await post('holiday-hours'), await post('database-trial')];
    const queue = s.queues.deliver('email');
    await waitFor(async () => (await queue.getJobCountByTypes('prioritized', 'waiting')) === 12, { what: '12 normal batches waiting' });
    const urgent = await post('storm-closure', { priority: 'urgent' });
    await waitFor(async () => (await queue.getJobCountByTypes('prioritized', 'waiting')) === 16, { what: 'urgent batches waiting' });

    running.push(await startWorkers(s, { dispatch: false, concurrency: 1 }));
    const ids = [urgent.id, ...normal.map((n) => n.id)];
    await waitFor(async () => {
      const views = await Promise.all(ids.map((id) => s.producer.view(id)));
      return views.every((v) => v?.status === 'done');
    }, { what: 'all done' });
    const order = smtp!.received.map((m) => m.parsed.headers.get('x-crier-announcement'));
    expect(order).toHaveLength(80);
    // The first 20 messages out are the urgent announcement's, although it was queued last.
    expect(new Set(order.slice(0, 20))).toEqual(new Set([urgent.id]));
  });
});

describe('recovery at start', () => {
  it('dispatches an announcement stored just before a crash that never queued its job', async () => {
    await setup();
    await s.subscribers.upsert({ channel: 'email', address: 'a@example.edu', topics: ['*'], language: 'en', status: 'active' });
    const now = new Date().toISOString();
    // What the producer writes first; the crash came before queue.add.
    await s.announcements.save({
      id: 'arecovery1', title: { en: 'Recovered' }, body: { en: 'Body' }, topics: ['hours'], priority: 'normal',
      channels: ['email'], status: 'queued', createdAt: now, createdBy: 'test', publishedAt: now,
    });
    expect(await s.queues.dispatch.getJobCounts()).toMatchObject({ waiting: 0, prioritized: 0 });
    running.push(await startWorkers(s));
    await waitFor(async () => (await s.producer.view('arecovery1'))?.status === 'done', { what: 'recovered announcement done' });
    expect(smtp!.received.map((m) => m.parsed.subject)).toEqual(['Recovered']);
  });
});
