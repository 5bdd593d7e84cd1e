// Failure alerts end to end: a fan-out whose SMTP server refuses some recipients ends
// done_with_failures; the author and alerts.to get one mail with the reasons and counts and
// the retry link; a second failing announcement within the hour sends none for that channel;
// the dashboard shows the banner.
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_QUEUE } from '../../src/alerts/worker.js';
import { waitFor } from '../support/harness.js';
import { injectSignIn } from '../admin/support.js';
import { ADMIN_TOKEN } from '../support/harness.js';
import { subEnv, waitDone, type SubEnv } from '../subscriptions/helpers.js';

let env: SubEnv;
let queue: Queue;

beforeAll(async () => {
  env = await subEnv({ workers: true, config: { alerts: { to: ['Systems@Library.edu'] } } });
  queue = new Queue(ALERT_QUEUE, { connection: env.s.redis, prefix: env.s.keys.bullPrefix });
  for (const a of ['ok1', 'ok2', 'ok3', 'gone1', 'gone2', 'spam']) {
    await env.s.subscribers.upsert({ channel: 'email', address: `${a}@example.edu`, topics: ['*'], language: 'en', status: 'active' });
  }
  env.smtp.replies.set('gone1@example.edu', '550 5.1.1 No such user');
  env.smtp.replies.set('gone2@example.edu', '550 5.1.1 No such user');
  env.smtp.replies.set('spam@example.edu', '554 5.7.1 Message rejected as spam');
});
afterAll(async () => {
  await queue.close();
  await env.dispose();
});

const alertMails = () => env.smtp.received.filter((m) => m.parsed.headers.get('x-crier-alert'));

async function failing(title: string): Promise<string> {
  const { id } = await env.s.producer.create(
    { title: { en: title }, body: { en: 'Body.' }, topics: ['hours'], priority: 'normal', channels: ['email'] },
    { createdBy: 'desk', createdByEmail: 'Author@Library.edu' },
  );
  expect((await waitDone(env.s, id)).status).toBe('done_with_failures');
  return id;
}

describe('failure alerts', () => {
  let first: string;

  it('mails the author and alerts.to once, with what failed, why (counted) and the retry link', async () => {
    first = await failing('Reading room closed');
    const [mail] = await waitFor(() => (alertMails().length ? alertMails() : null), { what: 'the alert mail' });
    expect(mail.envelopeTo.sort()).toEqual(['author@library.edu', 'systems@library.edu']);
    expect(mail.parsed.subject).toBe('[Crier] 3 deliveries failed: Reading room closed');
    const text = mail.parsed.text ?? '';
    expect(text).toContain('email: 3 of 6 failed');
    expect(text).toMatch(/ {2}2 × [^\n]*550 5\.1\.1 No such user\n {2}1 × [^\n]*554 5\.7\.1 Message rejected as spam/);
    expect(text).toContain(`See the failures and retry them: http://crier.test/admin/announcements/${first}?status=failed#log`);
    expect(mail.parsed.html).toContain(`href="http://crier.test/admin/announcements/${first}?status=failed#log"`);
    // Nothing but the alert went to the staff addresses.
    expect(env.smtp.received.filter((m) => m.envelopeTo.includes('author@library.edu'))).toHaveLength(1);
  });

  it('sends no second alert for the same channel within the hour', async () => {
    // The first fan-out deactivated the bounced addresses; these fail again.
    for (const a of ['gone1', 'spam']) {
      await env.s.subscribers.upsert({ channel: 'email', address: `${a}@example.edu`, topics: ['*'], language: 'en', status: 'active' });
    }
    await failing('Printer out of order');
    const jobs = await waitFor(async () => {
      const done = await queue.getCompleted();
      return done.length >= 2 ? done : null;
    }, { what: 'the second alert job' });
    expect(jobs.map((j) => j.returnvalue)).toContain('no alert: every failing channel was alerted in the last 60 minutes');
    expect(alertMails()).toHaveLength(1);
  });

  it('shows the alert as a banner on the dashboard', async () => {
    const sess = await injectSignIn(env.app, ADMIN_TOKEN);
    const res = await env.app.inject({ method: 'GET', url: '/admin', headers: { cookie: sess.cookie, accept: 'text/html' } });
    expect(res.body).toContain('Delivery failures in the last 24 hours');
    expect(res.body).toContain(`<a href="/admin/announcements/${first}?status=failed#log">Reading room closed</a>: email 3 of 6 failed`);
  });
});
