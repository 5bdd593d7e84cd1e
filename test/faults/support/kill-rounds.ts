// kill -9 at random points of a 2,000-recipient e-mail fan-out, KILLS times, then a last run
// to the end: the loop both kill9 scenarios share. A kill comes at a random point of real work
// (a random number of fan-out rows or of mails after the restart), so every one hits the
// fan-out or the sending, never an idle process; the kills are spaced as tightly as a
// restart allows (the program takes 1-3 s to start on two busy cores).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Services } from '../../../src/services.js';
import type { CrierProcess } from '../../cli/crier-process.js';
import { postFixture, testConfig, testServices, disposeServices, waitFor } from '../../support/harness.js';
import { addEmailSubscribers, between, kill9, mailFigures, waitFinal, writeCrierConfig } from './fault-kit.js';
import { report } from './results.js';
import { startLeanSmtp, type LeanSmtp } from './lean-smtp.js';

export const RECIPIENTS = 2000;
export const KILLS = 10;
export const POOL = 4;
export const ATTEMPTS = 8;

export interface KillEnv {
  s: Services;
  smtp: LeanSmtp;
  dir: string;
  configFile: string;
  addresses: string[];
  close(): Promise<void>;
}

export async function killEnv(name: string): Promise<KillEnv> {
  const smtp = await startLeanSmtp({ delayMs: 2 });
  const email = { enabled: true, smtpUrl: smtp.url, poolSize: POOL, perSecond: 1000 };
  // lockMs at its minimum-ish: a killed worker's jobs are taken over after a second.
  const delivery = { pageSize: 50, batchSize: 20, lockMs: 1000, attempts: ATTEMPTS, backoffMs: 20 };
  const s = testServices(testConfig({ channels: { email }, delivery }));
  const dir = mkdtempSync(join(tmpdir(), `crier-${name}-`));
  const configFile = writeCrierConfig(s, dir, { channels: { email }, delivery, server: { host: '127.0.0.1' } });
  const addresses = await addEmailSubscribers(s, RECIPIENTS);
  return {
    s, smtp, dir, configFile, addresses,
    close: async () => {
      await disposeServices(s);
      await smtp.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Posts one announcement, then KILLS times: start a delivering process (`start()`), let it do a
 * random amount of work, kill -9 it, and count what was in flight (records left `sending`).
 * Then one last process finishes; asserts and reports the figures.
 */
export async function killRounds(env: KillEnv, scenario: string, start: () => Promise<CrierProcess>, during?: () => void): Promise<void> {
  const { s, smtp, addresses } = env;
  const t0 = Date.now();
  const { id } = await postFixture(s, 'holiday-hours');
  const counters = s.keys.counters(id);
  let inFlightAtKills = 0;
  let killsBeforeFanoutDone = 0;
  for (let k = 0; k < KILLS; k++) {
    const p = await start();
    during?.();
    const fanned = Number((await s.redis.hget(counters, 'email|total')) ?? 0);
    const mails = smtp.received.length;
    if (fanned < RECIPIENTS) {
      const target = Math.min(RECIPIENTS - 1, fanned + between(40, 300));
      await waitFor(async () => Number((await s.redis.hget(counters, 'email|total')) ?? 0) >= target, { intervalMs: 2, timeoutMs: 30_000, what: 'fan-out rows' });
      killsBeforeFanoutDone++;
    } else {
      const target = mails + between(10, 80);
      await waitFor(() => smtp.received.length >= target, { intervalMs: 2, timeoutMs: 30_000, what: `${target} mails` });
    }
    await kill9(p);
    const view = await s.producer.view(id);
    inFlightAtKills += view?.deliveries.email?.sending ?? 0;
  }
  const sentBeforeLast = smtp.received.length;
  const killsSeconds = (Date.now() - t0) / 1000;
  const last = await start();
  const view = await waitFinal(s, id, 60_000);
  const totalSeconds = (Date.now() - t0) / 1000;
  last.signal('SIGTERM');
  await last.exited;
  const f = await mailFigures(s, id, smtp, addresses);
  report(scenario, {
    recipients: RECIPIENTS, kills: KILLS, killsBeforeFanoutDone, sentBeforeLast, lost: f.lost, duplicates: f.duplicates,
    inFlightAtKills, marked: f.duplicates - f.unmarked, maxAttempts: `${f.maxAttempts}/${ATTEMPTS}`,
    killsSeconds, totalSeconds,
  });
  // Every kill came before the end of the work.
  expect(sentBeforeLast).toBeLessThan(RECIPIENTS);
  expect(view.status).toBe('done');
  expect(view.deliveries.email).toMatchObject({ total: RECIPIENTS, sent: RECIPIENTS, failed: 0, queued: 0, sending: 0 });
  expect(f.lost).toBe(0);
  expect(f.notSent).toBe(0);
  // A repeat is a send that was in flight when its process died, and its record says so: at
  // most the records left `sending` by the kills, and at most jobs (POOL) times the sends each
  // job has in flight, per kill.
  const perKill = POOL * (s.channels.get('email')!.limits.inFlight ?? 1);
  expect(f.duplicates).toBeLessThanOrEqual(Math.min(inFlightAtKills, KILLS * perKill));
  expect(f.unmarked).toBe(0);
  expect(f.maxAttempts).toBeLessThanOrEqual(ATTEMPTS);
}
