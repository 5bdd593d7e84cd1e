// Shared pieces of the e-mail subscription tests: services with e-mail over a real SMTP server
// (from the harness), the HTTP app, optionally the workers, and helpers to read what arrived.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { ParsedMail } from 'mailparser';
import { expect } from 'vitest';
import { validateAnnouncement } from '../../src/announcement/schema.js';
import { buildApp } from '../../src/http/app.js';
import type { Services } from '../../src/services.js';
import { startWorkers, type RunningWorkers } from '../../workers/index.js';
import { disposeServices, fixture, startSmtp, testConfig, testServices, waitFor, type ReceivedMail, type TestSmtp } from '../support/harness.js';

export interface SubEnv {
  s: Services;
  app: FastifyInstance;
  smtp: TestSmtp;
  workers?: RunningWorkers;
  dispose(): Promise<void>;
}

export async function subEnv(opts: { workers?: boolean; config?: Record<string, unknown> } = {}): Promise<SubEnv> {
  const smtp = await startSmtp();
  const s = testServices(testConfig({ channels: { email: { enabled: true, smtpUrl: smtp.url } }, ...opts.config }));
  const app = await buildApp(s);
  const workers = opts.workers ? await startWorkers(s) : undefined;
  return {
    s, app, smtp, workers,
    async dispose() {
      await workers?.close();
      await app.close();
      await disposeServices(s);
      await smtp.close();
    },
  };
}

let ipCounter = 0;
/** A fresh client address per call, so tests that are not about the rate limit never hit it. */
export function freshIp(): string {
  ipCounter += 1;
  return `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

export function subscribe(app: FastifyInstance, body: unknown, ip = freshIp()): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: '/api/subscribers',
    remoteAddress: ip,
    headers: { 'content-type': 'application/json' },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export function mailsTo(smtp: TestSmtp, address: string): ReceivedMail[] {
  return smtp.received.filter((m) => m.envelopeTo.includes(address.toLowerCase()));
}

export const isConfirmation = (m: ReceivedMail): boolean => m.parsed.headers.get('x-crier-confirmation') === 'yes';

/** Waits for the n-th confirmation mail to an address and returns it. */
export async function confirmationMail(smtp: TestSmtp, address: string, n = 1): Promise<ParsedMail> {
  const mails = await waitFor(() => {
    const list = mailsTo(smtp, address).filter(isConfirmation);
    return list.length >= n ? list : null;
  }, { what: `confirmation mail #${n} to ${address}` });
  return mails[n - 1].parsed;
}

/** The confirm link of a confirmation mail (text part), as a path + query for app.inject. */
export function confirmLink(mail: ParsedMail): { url: string; path: string } {
  const m = /https?:\/\/\S+\/subscriptions\/confirm\?token=[A-Za-z0-9._%-]+/.exec(mail.text ?? '');
  expect(m, 'confirm link in the text part').not.toBeNull();
  const url = new URL(m![0]);
  // The HTML part carries the same link.
  expect(mail.html).toContain(`href="${m![0]}"`);
  return { url: m![0], path: `${url.pathname}${url.search}` };
}

/** The List-Unsubscribe URL of a parsed message (mailparser folds List-* into "list"). */
export function listUnsubscribe(mail: ParsedMail): { url?: string; post?: string } {
  const list = mail.headers.get('list') as { unsubscribe?: { url?: string }; 'unsubscribe-post'?: { name?: string } } | undefined;
  return { url: list?.unsubscribe?.url, post: list?.['unsubscribe-post']?.name };
}

export async function postAnnouncement(s: Services, name: string, extra: Record<string, unknown> = {}) {
  const v = validateAnnouncement(s.producer.schema, { ...fixture(name), ...extra });
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return s.producer.create(v.value, { createdBy: 'test' });
}

export async function waitDone(s: Services, id: string) {
  return waitFor(async () => {
    const v = await s.producer.view(id);
    return v && ['done', 'done_with_failures'].includes(v.status) ? v : null;
  }, { what: `announcement ${id} final` });
}

export function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}
