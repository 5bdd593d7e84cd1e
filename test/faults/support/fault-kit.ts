// What the fault scenarios share: subscribers in bulk, the real `crier` program on a config
// file, the delivery log read in full, and the figures every e-mail scenario asserts (lost,
// duplicates, unmarked duplicates, most attempts).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Services } from '../../../src/services.js';
import type { DeliveryRecord } from '../../../src/types.js';
import { freePort } from '../../../src/redis/server.js';
import { CrierProcess } from '../../cli/crier-process.js';
import { ADMIN_TOKEN, waitFor } from '../../support/harness.js';
import { type LeanSmtp } from './lean-smtp.js';

/** `count` active e-mail subscribers to `topic`, 100 upserts at a time. */
export async function addEmailSubscribers(s: Services, count: number, topic = 'hours', domain = 'example.edu'): Promise<string[]> {
  const addresses = Array.from({ length: count }, (_, i) => `student${i}@${domain}`);
  for (let i = 0; i < count; i += 100) {
    await Promise.all(
      addresses.slice(i, i + 100).map((address) => s.subscribers.upsert({ channel: 'email', address, topics: [topic], language: 'en', status: 'active' })),
    );
  }
  return addresses;
}

/** The services' configuration as a file the real CLI reads (JSON is YAML), plus `extra` on top. */
export function writeCrierConfig(s: Services, dir: string, extra: Record<string, unknown>): string {
  const c = s.config;
  const file = join(dir, 'crier.yaml');
  writeFileSync(file, JSON.stringify({ library: { baseUrl: 'http://crier.test' }, redis: { url: c.redis.url, prefix: c.redis.prefix }, topics: c.topics, auth: c.auth, ...extra }));
  return file;
}

/** `crier <role>` on that file, waiting for its "Running." line; `port` for the HTTP roles. */
export async function startCrier(role: 'start' | 'serve' | 'worker', configFile: string, dir: string, port?: number): Promise<CrierProcess> {
  const p = new CrierProcess([role, '--config', configFile], {
    cwd: dir,
    env: { CRIER_LOG_LEVEL: 'warn', CRIER_ADMIN_TOKEN: ADMIN_TOKEN, ...(port ? { PORT: String(port) } : {}) },
  });
  await p.waitForStdout(/^Running\./m, 30_000);
  return p;
}

export { freePort };

export async function kill9(p: CrierProcess): Promise<void> {
  p.signal('SIGKILL');
  await p.exited;
}

/** Every record of the announcement's delivery log on these channels. */
export async function deliveryLog(s: Services, id: string, channels: string[] = ['email']): Promise<DeliveryRecord[]> {
  const out: DeliveryRecord[] = [];
  let cursor: string | null = null;
  do {
    const page = await s.deliveries.list(id, channels, { cursor, limit: 1000 });
    out.push(...page.items);
    cursor = page.next;
  } while (cursor);
  return out;
}

export async function waitFinal(s: Services, id: string, timeoutMs: number) {
  return waitFor(async () => {
    const v = await s.producer.view(id);
    return v && (v.status === 'done' || v.status === 'done_with_failures') ? v : null;
  }, { what: `announcement ${id} final`, timeoutMs, intervalMs: 100 });
}

export interface MailFigures {
  lost: number;
  duplicates: number;
  unmarked: number;
  notSent: number;
  maxAttempts: number;
}

/**
 * What the log and the SMTP server say about one e-mail announcement to `addresses`:
 * lost = addresses that got no mail; duplicates = addresses that got more than one; unmarked =
 * duplicates whose record lacks possibleDuplicate; notSent = records not `sent` (or missing).
 */
export async function mailFigures(s: Services, id: string, smtp: LeanSmtp, addresses: string[]): Promise<MailFigures> {
  const perAddress = new Map<string, number>();
  for (const m of smtp.received) {
    for (const to of m.envelopeTo) perAddress.set(to, (perAddress.get(to) ?? 0) + 1);
  }
  const log = new Map((await deliveryLog(s, id)).map((r) => [r.address, r]));
  let lost = 0, duplicates = 0, unmarked = 0, notSent = 0, maxAttempts = 0;
  for (const a of addresses) {
    const n = perAddress.get(a) ?? 0;
    const r = log.get(a);
    if (n === 0) lost++;
    if (n > 1) {
      duplicates++;
      if (!r?.possibleDuplicate) unmarked++;
    }
    if (r?.status !== 'sent') notSent++;
    maxAttempts = Math.max(maxAttempts, r?.attempts ?? 0);
  }
  return { lost, duplicates, unmarked, notSent, maxAttempts };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Random integer in [lo, hi]. */
export function between(lo: number, hi: number): number {
  return lo + Math.floor(Math.random() * (hi - lo + 1));
}
