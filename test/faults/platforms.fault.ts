// Scenario 3: the platforms fail, all five at once, one fault after another: Slack, Telegram,
// Mastodon, a WeCom robot and the JSON webhook, each behind a fault proxy (fault-proxy.ts):
//   down      connection refused (the port closed, then listened on again)
//   error5xx  every request answered 503
//   hang      connections accepted, never answered; at recovery they are reset
//   slow      every request answered SLOW_MS late
// Each fault lasts FAULT_MS (30 s; 3 s with npm run test:faults:quick) (the faults of the five platforms overlap: one phase at a time for
// all, to stay within the suite's 150 s) and one announcement goes to every platform when it
// starts. Meanwhile a large e-mail announcement is sent at a fixed rate; its rate during the
// faults must stay at least 0.7 times the rate before them. Afterwards every platform has each
// announcement exactly once, every record is sent within the attempt limit, and BullMQ saw
// no stalled job (a send waiting on a hung or slow platform keeps its job's lock).
//
// The channels' HTTP timeouts are not configurable (15 s for the webhooks and Mastodon, 30 s for
// Slack and Telegram), so a hang shorter than them ends with the reset, not a timeout.
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverQueueName } from '../../src/queue/queues.js';
import { createRedis } from '../../src/redis/connection.js';
import type { Services } from '../../src/services.js';
import { startWorkers, type RunningWorkers } from '../../workers/index.js';
import { startJsonReceiver, type JsonReceiver } from '../channels/webhooks-json/receiver.js';
import { startFakeWecom, type FakeRobot } from '../support/fake-chatbots.js';
import { startFakeMastodon, type FakeMastodon } from '../support/fake-mastodon.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';
import { disposeServices, postFixture, testConfig, testServices, waitFor } from '../support/harness.js';
import { startFaultProxy, type FaultMode, type FaultProxy } from './support/fault-proxy.js';
import { addEmailSubscribers, deliveryLog, sleep, waitFinal } from './support/fault-kit.js';
import { report } from './support/results.js';
import { FULL, PLATFORM_FAULT_MS } from './support/durations.js';
import { startLeanSmtp, type LeanSmtp } from './support/lean-smtp.js';

const FAULT_MS = PLATFORM_FAULT_MS;
const SLOW_MS = 2000;
const BASELINE_MS = 4000;
// Well below what two busy cores can send, so the rate measures the pipeline, not the CPU.
const EMAIL_PER_SECOND = 20;
// Retries back off exponentially, so the first try after a fault of length F can come about F
// after the platform is back: recovery is waited for that long, plus a margin.
const RECOVERY_MS = FAULT_MS + 30_000;
// Enough mail to keep e-mail busy through the baseline, the four faults and their recoveries
// (each recovery taking about as long as its fault).
const EMAIL_RECIPIENTS = Math.max(800, Math.ceil(EMAIL_PER_SECOND * (BASELINE_MS + 4 * (2 * FAULT_MS + 3000)) / 1000 * 1.2));
// 30 s faults (the length) outlast ten tries at a 100 ms base backoff (about 51 s in all, jittered).
const ATTEMPTS = FULL ? 14 : 10;
const FAULTS: FaultMode[] = ['down', 'error5xx', 'hang', 'slow'];
const SLACK_CHANNELS = ['C0LIBRARY', 'C0STAFF'];
const PLATFORMS = ['slack', 'telegram', 'mastodon', 'webhook:robot', 'webhook:site'];

let slack: FakeSlack, telegram: FakeTelegram, mastodon: FakeMastodon, wecom: FakeRobot<unknown>, json: JsonReceiver;
let proxies: Record<string, FaultProxy>;
let smtp: LeanSmtp;
let s: Services;
let workers: RunningWorkers;
const events: QueueEvents[] = [];
let stalled = 0;

/** The same URL with the proxy's port. */
function via(proxy: FaultProxy, url: string): string {
  const u = new URL(url);
  u.port = String(proxy.port);
  return u.toString();
}

beforeAll(async () => {
  [slack, telegram, mastodon, wecom, json, smtp] = await Promise.all([
    startFakeSlack(), startFakeTelegram(), startFakeMastodon(), startFakeWecom(['k1']), startJsonReceiver(), startLeanSmtp({ delayMs: 1 }),
  ]);
  for (const c of SLACK_CHANNELS) slack.addChannel(c);
  const port = (url: string) => Number(new URL(url).port);
  proxies = Object.fromEntries(await Promise.all([
    ['slack', slack.apiUrl], ['telegram', telegram.url], ['mastodon', mastodon.url], ['webhook:robot', wecom.url('k1')], ['webhook:site', json.url],
  ].map(async ([name, url]) => [name, await startFaultProxy(port(url), { slowMs: SLOW_MS })] as const)));
  const topics = ['events'];
  s = testServices(testConfig({
    channels: {
      email: { enabled: true, smtpUrl: smtp.url, poolSize: 4, perSecond: EMAIL_PER_SECOND },
      slack: { enabled: true, token: slack.token, apiUrl: via(proxies.slack, slack.apiUrl), targets: SLACK_CHANNELS.map((channel) => ({ channel, topics })) },
      telegram: { enabled: true, token: telegram.token, apiUrl: via(proxies.telegram, telegram.url).replace(/\/$/, ''), targets: [{ chatId: '@example_library', topics }] },
      mastodon: { enabled: true, instanceUrl: via(proxies.mastodon, mastodon.url).replace(/\/$/, ''), accessToken: mastodon.token, topics },
      webhooks: [
        { name: 'robot', kind: 'wecom', url: via(proxies['webhook:robot'], wecom.url('k1')), topics },
        { name: 'site', kind: 'json', url: via(proxies['webhook:site'], json.url), topics },
      ],
    },
    // lockMs small: a job waiting on a slow or hung platform must renew its lock, or it stalls.
    delivery: { attempts: ATTEMPTS, backoffMs: 100, batchSize: 20, pageSize: 200, lockMs: 1000 },
  }));
  await addEmailSubscribers(s, EMAIL_RECIPIENTS, 'hours');
  for (const ch of ['email', ...PLATFORMS]) {
    const qe = new QueueEvents(deliverQueueName(ch), { connection: createRedis(s.config.redis, { blocking: true }), prefix: s.keys.bullPrefix });
    qe.on('stalled', () => stalled++);
    await qe.waitUntilReady();
    events.push(qe);
  }
  workers = await startWorkers(s);
}, 90_000);

afterAll(async () => {
  await workers?.close();
  await Promise.all(events.map((e) => e.close()));
  await disposeServices(s);
  await Promise.all([...Object.values(proxies ?? {}), slack, telegram, mastodon, wecom, json, smtp].map((x) => x?.close()));
});

const delivered = (): Record<string, number> => ({
  slack: slack.posted.length,
  telegram: telegram.sent.length,
  mastodon: mastodon.statuses.length,
  'webhook:robot': wecom.messages.length,
  'webhook:site': json.accepted().length,
});
const perAnnouncement: Record<string, number> = { slack: SLACK_CHANNELS.length, telegram: 1, mastodon: 1, 'webhook:robot': 1, 'webhook:site': 1 };

describe('platform faults', () => {
  it('down, 5xx, hanging, slow: all delivered once after recovery, e-mail keeps its rate, no stalled job', async () => {
    const { id: mailId } = await postFixture(s, 'holiday-hours');
    await waitFor(() => smtp.received.length >= EMAIL_PER_SECOND, { timeoutMs: 30_000, what: 'e-mail under way' });
    const m0 = smtp.received.length;
    await sleep(BASELINE_MS);
    const baseline = (smtp.received.length - m0) / (BASELINE_MS / 1000);

    const ids: string[] = [];
    const phases: Record<string, { rate: number; recoverMs: number }> = {};
    for (const fault of FAULTS) {
      await Promise.all(Object.values(proxies).map((p) => p.set(fault)));
      const t = Date.now();
      const mails = smtp.received.length;
      const { id } = await postFixture(s, 'holiday-hours', { topics: ['events'] });
      ids.push(id);
      await sleep(FAULT_MS);
      await Promise.all(Object.values(proxies).map((p) => p.set('pass')));
      const r0 = Date.now();
      const view = await waitFinal(s, id, RECOVERY_MS);
      // The e-mail rate over the fault and the recovery after it (a longer window: less noise).
      const rate = (smtp.received.length - mails) / ((Date.now() - t) / 1000);
      phases[fault] = { rate, recoverMs: Date.now() - r0 };
      expect(view.status, `${fault}: ${JSON.stringify(view.deliveries)}`).toBe('done');
    }
    // What is left of the mail, at its rate, if every recovery was quick.
    const mailView = await waitFinal(s, mailId, Math.max(60_000, (EMAIL_RECIPIENTS / EMAIL_PER_SECOND) * 1000));

    let maxAttempts = 0;
    let notSent = 0;
    for (const id of ids) {
      for (const r of await deliveryLog(s, id, PLATFORMS)) {
        maxAttempts = Math.max(maxAttempts, r.attempts);
        if (r.status !== 'sent') notSent++;
      }
    }
    const got = delivered();
    const faulted = Object.fromEntries(Object.entries(proxies).map(([n, p]) => [n, p.stats.faulted]));
    for (const fault of FAULTS) {
      report(`platform-${fault}`, {
        platforms: PLATFORMS.length, faultMs: FAULT_MS, mailsPerSecondBefore: baseline.toFixed(1), mailsPerSecondDuring: phases[fault].rate.toFixed(1),
        ratio: (phases[fault].rate / baseline).toFixed(2), recoverMs: phases[fault].recoverMs,
      });
    }
    report('platform-faults', {
      announcements: ids.length, delivered: JSON.stringify(got), faulted: JSON.stringify(faulted), notSent, maxAttempts: `${maxAttempts}/${ATTEMPTS}`, stalled, email: mailView.status,
    });

    for (const name of PLATFORMS) {
      expect(got[name], name).toBe(ids.length * perAnnouncement[name]);
      expect(proxies[name].stats.faulted, `${name} met the faults`).toBeGreaterThan(0);
    }
    expect(notSent).toBe(0);
    expect(maxAttempts).toBeLessThanOrEqual(ATTEMPTS);
    expect(stalled).toBe(0);
    for (const fault of FAULTS) expect(phases[fault].rate, fault).toBeGreaterThanOrEqual(0.7 * baseline);
    expect(mailView.status).toBe('done');
  });
});
