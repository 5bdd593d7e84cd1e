// Scenario 5: SIGTERM to `crier start` in the middle of a fan-out. The sends in flight finish
// and are recorded (no record is left `sending` after the exit), the process exits 0, and a
// restart finishes the rest: nobody lost, nobody mailed twice.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src/services.js';
import { killAll } from '../cli/crier-process.js';
import { disposeServices, postFixture, testConfig, testServices, waitFor } from '../support/harness.js';
import { addEmailSubscribers, deliveryLog, freePort, mailFigures, startCrier, waitFinal, writeCrierConfig } from './support/fault-kit.js';
import { report } from './support/results.js';
import { startLeanSmtp, type LeanSmtp } from './support/lean-smtp.js';

const RECIPIENTS = 300;
/** Each mail takes the SMTP server this long, so sends are in flight when the signal comes. */
const SMTP_DELAY_MS = 25;

let smtp: LeanSmtp;
let s: Services;
let dir: string;
let configFile: string;
let addresses: string[];
beforeAll(async () => {
  smtp = await startLeanSmtp({ delayMs: SMTP_DELAY_MS });
  const email = { enabled: true, smtpUrl: smtp.url, poolSize: 4, perSecond: 1000 };
  const delivery = { pageSize: 100, batchSize: 20, lockMs: 5000, attempts: 5, backoffMs: 50 };
  s = testServices(testConfig({ channels: { email }, delivery }));
  dir = mkdtempSync(join(tmpdir(), 'crier-sigterm-'));
  configFile = writeCrierConfig(s, dir, { channels: { email }, delivery, server: { host: '127.0.0.1' } });
  addresses = await addEmailSubscribers(s, RECIPIENTS);
});
afterAll(async () => {
  await killAll();
  await disposeServices(s);
  await smtp.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SIGTERM during a fan-out', () => {
  it('finishes the sends in flight, leaves nothing half-recorded, and a restart loses nobody', async () => {
    const { id } = await postFixture(s, 'holiday-hours');
    let p = await startCrier('start', configFile, dir, await freePort());
    await waitFor(() => smtp.received.length >= 60, { intervalMs: 5, timeoutMs: 30_000, what: '60 mails' });
    const sendingAtTerm = (await s.producer.view(id))?.deliveries.email?.sending ?? 0;
    const t = Date.now();
    p.signal('SIGTERM');
    const exit = await p.exited;
    const stopMs = Date.now() - t;
    const log = await deliveryLog(s, id);
    const leftSending = log.filter((r) => r.status === 'sending').length;
    const sentAtExit = log.filter((r) => r.status === 'sent').length;
    const mailsAtExit = smtp.received.length;

    p = await startCrier('start', configFile, dir, await freePort());
    const view = await waitFinal(s, id, 60_000);
    p.signal('SIGTERM');
    await p.exited;
    const f = await mailFigures(s, id, smtp, addresses);
    report('sigterm', { recipients: RECIPIENTS, sendingAtTerm, stopMs, exitCode: exit.code ?? exit.signal ?? '?', leftSending, sentAtExit, mailsAtExit, lost: f.lost, duplicates: f.duplicates });

    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stdout).toContain('Stopped.');
    expect(leftSending).toBe(0);
    // What the server took before the exit is exactly what the log says was sent.
    expect(sentAtExit).toBe(mailsAtExit);
    expect(mailsAtExit).toBeLessThan(RECIPIENTS);
    expect(view.status).toBe('done');
    expect(f).toMatchObject({ lost: 0, duplicates: 0, notSent: 0 });
  });
});
