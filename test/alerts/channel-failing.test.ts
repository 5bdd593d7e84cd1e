// A channel that fails every attempt for alerts.failingMinutes (here 0.6 s instead of 15 min)
// brings one alert mail while its announcement is still being retried; the streak ends with
// the first successful send.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/harness.js';
import { subEnv, waitDone, type SubEnv } from '../subscriptions/helpers.js';

let env: SubEnv;

beforeAll(async () => {
  env = await subEnv({ workers: true, config: { alerts: { to: ['oncall@library.edu'], failingMinutes: 0.01 }, delivery: { attempts: 8, backoffMs: 300 } } });
  for (const a of ['r1', 'r2', 'r3']) {
    await env.s.subscribers.upsert({ channel: 'email', address: `${a}@example.edu`, topics: ['*'], language: 'en', status: 'active' });
    env.smtp.replies.set(`${a}@example.edu`, '451 4.3.0 Temporary server error');
  }
});
afterAll(() => env.dispose());

const channelAlerts = () => env.smtp.received.filter((m) => m.parsed.headers.get('x-crier-alert') === 'channel:email');

describe('a channel that keeps failing', () => {
  it('sends one alert while the announcement is still retrying, with the latest reason', async () => {
    const { id } = await env.s.producer.create(
      { title: { en: 'Exam week hours' }, body: { en: 'x' }, topics: ['hours'], priority: 'normal', channels: ['email'] },
      { createdBy: 'desk', createdByEmail: 'author@library.edu' },
    );
    const [mail] = await waitFor(() => (channelAlerts().length ? channelAlerts() : null), { what: 'the channel alert', timeoutMs: 20_000 });
    expect(await env.s.announcements.status(id)).toBe('dispatching');
    expect(mail.envelopeTo.sort()).toEqual(['author@library.edu', 'oncall@library.edu']);
    expect(mail.parsed.subject).toMatch(/^\[Crier\] email has failed every delivery attempt for \d+ minutes?$/);
    expect(mail.parsed.text).toContain('Latest reason: ');
    expect(mail.parsed.text).toContain('451 4.3.0 Temporary server error');
    expect(mail.parsed.text).toContain(`http://crier.test/admin/announcements/${id}?status=failed#log`);

    env.smtp.replies.clear(); // the server recovers
    expect((await waitDone(env.s, id)).status).toBe('done');
    expect(await env.s.redis.exists(env.s.keys.alertStreak('email'))).toBe(0);
    expect(channelAlerts()).toHaveLength(1);
  }, 30_000);
});
