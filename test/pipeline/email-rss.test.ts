// The whole path on real Redis and a real SMTP server: producer → dispatch → delivery workers
// → delivery log, for e-mail subscribers and the RSS feed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateAnnouncement } from '../../src/announcement/schema.js';
import type { Services } from '../../src/services.js';
import { startWorkers, type RunningWorkers } from '../../workers/index.js';
import { disposeServices, fixture, startSmtp, testConfig, testServices, waitFor, type TestSmtp } from '../support/harness.js';

let smtp: TestSmtp;
let s: Services;
let workers: RunningWorkers;

async function post(name: string, extra: Record<string, unknown> = {}) {
  const v = validateAnnouncement(s.producer.schema, { ...fixture(name), ...extra });
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return s.producer.create(v.value, { createdBy: 'test' });
}

async function subscribe(address: string, topics: string[], language: 'en' | 'zh' | 'both' = 'both') {
  return s.subscribers.upsert({ channel: 'email', address, topics, language, status: 'active' });
}

beforeEach(async () => {
  smtp = await startSmtp();
  s = testServices(testConfig({ channels: { email: { enabled: true, smtpUrl: smtp.url }, rss: { enabled: true } } }));
  workers = await startWorkers(s);
});

afterEach(async () => {
  await workers.close();
  await disposeServices(s);
  await smtp.close();
});

describe('e-mail and RSS fan-out', () => {
  it('sends each matching subscriber one e-mail in their language and records every delivery', async () => {
    await subscribe('zh@example.edu', ['hours'], 'zh');
    await subscribe('en@example.edu', ['hours'], 'en');
    await subscribe('both@example.edu', ['*'], 'both');
    await subscribe('other@example.edu', ['training'], 'both');
    const { id, status } = await post('holiday-hours');
    expect(status).toBe('queued');

    const view = await waitFor(async () => {
      const v = await s.producer.view(id);
      return v?.status === 'done' ? v : null;
    }, { what: 'announcement done' });
    expect(view.deliveries.email).toMatchObject({ total: 3, sent: 3, failed: 0, queued: 0, sending: 0 });
    expect(view.deliveries.rss).toMatchObject({ total: 1, sent: 1 });

    const byAddress = new Map(smtp.received.map((m) => [m.envelopeTo[0], m.parsed]));
    expect([...byAddress.keys()].sort()).toEqual(['both@example.edu', 'en@example.edu', 'zh@example.edu']);
    expect(byAddress.get('zh@example.edu')!.subject).toBe('国庆假期图书馆开放时间调整');
    expect(byAddress.get('en@example.edu')!.subject).toBe('Opening hours during the National Day holiday');
    const both = byAddress.get('both@example.edu')!;
    expect(both.subject).toContain('国庆假期图书馆开放时间调整');
    expect(both.text!.indexOf('总馆')).toBeLessThan(both.text!.indexOf('Central Library'));
    expect(both.html).toContain('<strong>09:00–17:00</strong>');

    const log = await s.deliveries.list(id, ['email'], { status: 'sent' });
    expect(log.items).toHaveLength(3);
    expect(log.items.every((d) => d.attempts === 1 && d.externalId)).toBe(true);
    expect(await s.redis.zscore(s.keys.rssItems, id)).not.toBeNull();
  });

  it('retries a 4xx SMTP reply and fails a 5xx at once, marking the address bounced', async () => {
    const flaky = await subscribe('flaky@example.edu', ['hours']);
    const gone = await subscribe('gone@example.edu', ['hours']);
    smtp.replies.set('flaky@example.edu', (n) => (n < 3 ? '451 4.3.0 Mailbox busy, try later' : undefined));
    smtp.replies.set('gone@example.edu', '550 5.1.1 No such user here');
    const { id } = await post('holiday-hours');

    const view = await waitFor(async () => {
      const v = await s.producer.view(id);
      return v && ['done', 'done_with_failures'].includes(v.status) ? v : null;
    }, { what: 'announcement final' });
    expect(view.status).toBe('done_with_failures');
    expect(view.deliveries.email).toMatchObject({ total: 2, sent: 1, failed: 1 });

    const flakyRec = await s.deliveries.get(id, 'email', flaky.subscriber.id);
    expect(flakyRec).toMatchObject({ status: 'sent', attempts: 3 });
    const goneRec = await s.deliveries.get(id, 'email', gone.subscriber.id);
    expect(goneRec).toMatchObject({ status: 'failed', attempts: 1 });
    expect(goneRec!.error).toContain('550 5.1.1 No such user here');
    expect(smtp.attempts.get('gone@example.edu')).toBe(1);
    expect((await s.subscribers.get(gone.subscriber.id))!.status).toBe('bounced');

    // A later announcement skips the bounced address entirely.
    const second = await post('storm-closure', { topics: ['hours'] });
    await waitFor(async () => (await s.producer.view(second.id))?.status === 'done');
    expect(smtp.attempts.get('gone@example.edu')).toBe(1);
  });

  it('fails a delivery whose 4xx never clears after the configured attempts, with the reason', async () => {
    const sub = await subscribe('busy@example.edu', ['hours']);
    smtp.replies.set('busy@example.edu', '452 4.2.2 Mailbox full');
    const { id } = await post('holiday-hours');
    await waitFor(async () => (await s.producer.view(id))?.status === 'done_with_failures');
    const rec = await s.deliveries.get(id, 'email', sub.subscriber.id);
    expect(rec).toMatchObject({ status: 'failed', attempts: 3 });
    expect(rec!.error).toMatch(/452 4\.2\.2 Mailbox full.*gave up after 3 attempts/);

    // An admin retry puts it back; this time the server accepts.
    smtp.replies.delete('busy@example.edu');
    expect(await s.producer.retryFailed(id)).toEqual({ requeued: 1 });
    await waitFor(async () => (await s.producer.view(id))?.status === 'done');
    expect(await s.deliveries.get(id, 'email', sub.subscriber.id)).toMatchObject({ status: 'sent', attempts: 4 });
  });
});

describe('the attempt limit across a crash', () => {
  it('redoes an attempt that a crash interrupted as the same attempt: never more than the limit', async () => {
    const sub = await subscribe('busy@example.edu', ['hours'], 'en');
    smtp.replies.set('busy@example.edu', '452 4.2.2 Mailbox full');
    // Scheduled far ahead, so only the deliveries made here run.
    const { id } = await post('holiday-hours', { channels: ['email'], publishAt: '2031-01-01T09:00:00+08:00' });
    const r = { id: sub.subscriber.id, address: 'busy@example.edu', language: 'en' as const, subscriberId: sub.subscriber.id };
    await s.deliveries.enqueueMany(id, 'email', [r]);
    // Attempts 1 and 2 failed; attempt 3 (the last of 3) was sending when the worker was killed.
    for (let i = 0; i < 2; i++) {
      await s.deliveries.transition(id, 'email', r.id, 'sending', ['queued'], {}, { countAttempt: true });
      await s.deliveries.transition(id, 'email', r.id, 'queued', ['sending'], { error: 'SMTP temporary failure: 452 4.2.2 Mailbox full' });
    }
    await s.deliveries.transition(id, 'email', r.id, 'sending', ['queued'], {}, { countAttempt: true });
    // The job runs again after the crash; BullMQ did not count the interrupted run.
    await s.queues.deliver('email').add('deliver', { announcementId: id, channel: 'email', recipients: [r] }, s.queues.deliverJobOptions(`${id}-after-crash`, 'normal'));

    const rec = await waitFor(async () => {
      const d = await s.deliveries.get(id, 'email', r.id);
      return d?.status === 'failed' ? d : null;
    }, { what: 'the delivery to fail' });
    expect(rec.attempts).toBe(3);
    expect(rec.error).toMatch(/452 4\.2\.2 Mailbox full \(gave up after 3 attempts\)$/);
    expect(rec.possibleDuplicate).toBe(true);
    expect(smtp.attempts.get('busy@example.edu')).toBe(1);
  });
});

describe('subscriber paging', () => {
  it('pages every one of 1,200 subscribers exactly once (ids like "seq" included)', async () => {
    await Promise.all(
      Array.from({ length: 1200 }, (_, i) =>
        s.subscribers.upsert({ channel: 'email', address: `p${i}@example.edu`, topics: ['hours'], language: 'en', status: 'active' }),
      ),
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await s.subscribers.page('email', ['hours'], cursor, 250);
      seen.push(...page.subscribers.map((x) => x.address));
      cursor = page.next;
    } while (cursor !== null);
    expect(seen).toHaveLength(1200);
    expect(new Set(seen).size).toBe(1200);
  });
});
