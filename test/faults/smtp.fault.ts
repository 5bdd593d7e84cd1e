// Scenario 4: the SMTP server in trouble, with the delivery workers in this process.
//  - smtp-4xx: every RCPT TO is answered 421 or 451 (half each) for SMTP_FAULT_MS, then 250.
//  - smtp-drop: for SMTP_FAULT_MS the connection is cut in the middle of DATA (through
//    fault-proxy.ts), then the server behaves.
// Afterwards every recipient has its mail, its record says sent, attempts stay within
// delivery.attempts (the backoff, 200 ms doubling, outlasts the fault in about five tries).
import { afterEach, describe, expect, it } from 'vitest';
import type { Services } from '../../src/services.js';
import { startWorkers } from '../../workers/index.js';
import { disposeServices, postFixture, testConfig, testServices } from '../support/harness.js';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy.js';
import { addEmailSubscribers, mailFigures, sleep, waitFinal } from './support/fault-kit.js';
import { report } from './support/results.js';
import { startLeanSmtp, type LeanSmtp } from './support/lean-smtp.js';

const RECIPIENTS = 300;
const SMTP_FAULT_MS = 3000;
const ATTEMPTS = 8;

let s: Services | undefined;
let smtp: LeanSmtp | undefined;
let proxy: FaultProxy | undefined;
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  if (s) await disposeServices(s);
  await proxy?.close();
  await smtp?.close();
  s = smtp = proxy = close = undefined;
});

async function setup(smtpUrl: string) {
  s = testServices(testConfig({
    channels: { email: { enabled: true, smtpUrl, poolSize: 4, perSecond: 1000 } },
    delivery: { attempts: ATTEMPTS, backoffMs: 200, batchSize: 20, pageSize: 100, lockMs: 5000 },
  }));
  const addresses = await addEmailSubscribers(s, RECIPIENTS);
  const workers = await startWorkers(s);
  close = () => workers.close();
  return { s, addresses };
}

describe('SMTP faults', () => {
  it('421/451 for a while, then 250: everyone gets the mail within the attempt limit', async () => {
    smtp = await startLeanSmtp({ delayMs: 1 });
    const { s, addresses } = await setup(smtp.url);
    const until = Date.now() + SMTP_FAULT_MS;
    let refused = 0;
    addresses.forEach((a, i) => smtp!.replies.set(a, () => {
      if (Date.now() >= until) return undefined;
      refused++;
      return i % 2 ? '421 4.7.0 Try again later, closing connection' : '451 4.3.0 Temporary local problem';
    }));
    const t0 = Date.now();
    const { id } = await postFixture(s, 'holiday-hours');
    const view = await waitFinal(s, id, 60_000);
    const f = await mailFigures(s, id, smtp, addresses);
    report('smtp-4xx', { recipients: RECIPIENTS, faultMs: SMTP_FAULT_MS, refused, lost: f.lost, duplicates: f.duplicates, maxAttempts: `${f.maxAttempts}/${ATTEMPTS}`, seconds: (Date.now() - t0) / 1000 });
    expect(refused).toBeGreaterThan(0);
    expect(view.status).toBe('done');
    expect(f).toMatchObject({ lost: 0, notSent: 0, duplicates: 0 });
    expect(f.maxAttempts).toBeLessThanOrEqual(ATTEMPTS);
    expect(f.maxAttempts).toBeGreaterThan(1);
  });

  it('connection cut mid DATA for a while: everyone gets the mail within the attempt limit', async () => {
    smtp = await startLeanSmtp({ delayMs: 1 });
    proxy = await startFaultProxy(Number(new URL(smtp.url).port));
    const { s, addresses } = await setup(proxy.url('smtp'));
    await proxy.set('dropData');
    const t0 = Date.now();
    const { id } = await postFixture(s, 'holiday-hours');
    await sleep(SMTP_FAULT_MS);
    const dropped = proxy.stats.faulted;
    await proxy.set('pass');
    const view = await waitFinal(s, id, 60_000);
    const f = await mailFigures(s, id, smtp, addresses);
    report('smtp-drop-data', { recipients: RECIPIENTS, faultMs: SMTP_FAULT_MS, dropped, lost: f.lost, duplicates: f.duplicates, maxAttempts: `${f.maxAttempts}/${ATTEMPTS}`, seconds: (Date.now() - t0) / 1000 });
    expect(dropped).toBeGreaterThan(0);
    expect(view.status).toBe('done');
    expect(f).toMatchObject({ lost: 0, notSent: 0, unmarked: 0 });
    expect(f.maxAttempts).toBeLessThanOrEqual(ATTEMPTS);
  });
});
