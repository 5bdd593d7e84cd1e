// Test harness: a configuration per test (own Redis key prefix), services over the real Redis
// of the global setup, a real SMTP server in-process, and helpers to wait for outcomes.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import { Redis } from 'ioredis';
import { validateAnnouncement } from '../../src/announcement/schema.js';
import { configSchema, type CrierConfig } from '../../src/config/schema.js';
import { createServices, type Services } from '../../src/services.js';
import { silentLogger } from '../../src/util/log.js';

export const TOPICS = [
  { id: 'hours', name: { en: 'Opening hours', zh: '开放时间' } },
  { id: 'events', name: { en: 'Events', zh: '活动' } },
  { id: 'databases', name: { en: 'Databases', zh: '数据库' } },
  { id: 'services', name: { en: 'Services', zh: '服务' } },
  { id: 'training', name: { en: 'Training', zh: '培训' } },
];

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const LIBRARIAN_TOKEN = 'test-librarian-token-0123456789';

export function redisUrl(): string {
  return inject('redisUrl');
}

export function uniquePrefix(name = 't'): string {
  return `${name}-${randomBytes(4).toString('hex')}`;
}

/** A valid configuration for tests; `raw` is deep-merged over the base before validation. */
export function testConfig(raw: Record<string, unknown> = {}): CrierConfig {
  const base: Record<string, unknown> = {
    library: { baseUrl: 'http://crier.test' },
    redis: { url: redisUrl(), prefix: uniquePrefix() },
    auth: {
      tokens: [
        { name: 'admin', role: 'admin', token: ADMIN_TOKEN },
        { name: 'desk', role: 'librarian', token: LIBRARIAN_TOKEN },
      ],
    },
    topics: TOPICS,
    delivery: { attempts: 3, backoffMs: 20, batchSize: 10, pageSize: 25 },
  };
  return configSchema.parse(deepMerge(base, raw));
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object' && !Array.isArray(prev)
        ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

export function testServices(config: CrierConfig): Services {
  return createServices(config, { log: silentLogger });
}

/** Deletes every key under the test's prefix, then closes the services. */
export async function disposeServices(s: Services): Promise<void> {
  await s.close();
  await deletePrefix(s.config.redis.url, s.config.redis.prefix);
}

export async function deletePrefix(url: string, prefix: string): Promise<void> {
  const r = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await r.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

/** Polls until `check` returns a truthy value (or throws after the timeout with the last value). */
export async function waitFor<T>(check: () => Promise<T> | T, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  let last: T | undefined;
  for (;;) {
    last = await check();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? 'condition'}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 25));
  }
}

export interface ReceivedMail {
  envelopeTo: string[];
  parsed: ParsedMail;
  raw: string;
}

/**
 * What the SMTP server answers to RCPT TO for an address: undefined accepts; a string is the
 * reply, e.g. "550 5.1.1 No such user" or "451 4.3.0 Try again later". A function can vary
 * the answer by attempt.
 */
export type SmtpReply = string | ((attempt: number) => string | undefined);

export type TestSmtp = ScriptedSmtp<ReceivedMail>;

/** The RCPT TO handler of the test SMTP servers: counts each address's attempts and answers its scripted reply. */
export function scriptedRcptTo(replies: Map<string, SmtpReply>, attempts: Map<string, number>) {
  return (address: SMTPServerAddress, _session: SMTPServerSession, cb: (err?: Error | null) => void): void => {
    const addr = address.address.toLowerCase();
    const n = (attempts.get(addr) ?? 0) + 1;
    attempts.set(addr, n);
    const rule = replies.get(addr);
    const reply = typeof rule === 'function' ? rule(n) : rule;
    if (!reply) return cb();
    const err = new Error(reply.slice(4)) as Error & { responseCode: number };
    err.responseCode = Number(reply.slice(0, 3));
    cb(err);
  };
}

/** A test SMTP server with scripted RCPT replies; `collect` turns each message into what `received` keeps. */
export interface ScriptedSmtp<M> {
  url: string;
  received: M[];
  replies: Map<string, SmtpReply>;
  attempts: Map<string, number>;
  close(): Promise<void>;
}

/**
 * Starts an SMTP server on a free loopback port. `delayMs`: how long it takes to accept each
 * message (to make a fan-out take time).
 */
export async function startScriptedSmtp<M>(
  collect: (stream: NodeJS.ReadableStream, session: SMTPServerSession) => Promise<M>,
  opts: { delayMs?: number } = {},
): Promise<ScriptedSmtp<M>> {
  const received: M[] = [];
  const replies = new Map<string, SmtpReply>();
  const attempts = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo: scriptedRcptTo(replies, attempts),
    onData(stream, session, cb) {
      void collect(stream, session).then(async (mail) => {
        if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
        received.push(mail);
        cb();
      }, (err: Error) => cb(err));
    },
  });
  // A client killed mid-session (the crash tests) resets its socket: expected, not a failure.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    replies,
    attempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The envelope's recipients, lower-cased. */
export const envelopeTo = (session: SMTPServerSession): string[] => session.envelope.rcptTo.map((r) => r.address.toLowerCase());

/** The SMTP server of most tests: every message kept whole and parsed. */
export async function startSmtp(opts: { delayMs?: number } = {}): Promise<TestSmtp> {
  return startScriptedSmtp(async (stream, session) => {
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    return { envelopeTo: envelopeTo(session), parsed: await simpleParser(raw), raw };
  }, opts);
}

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFixture(`announcements/${name}.json`)) as Record<string, unknown>;
}

export const SHARED = fileURLToPath(new URL('../../../shared/', import.meta.url));
export function readFixture(rel: string): string {
  return readFileSync(`${SHARED}fixtures/${rel}`, 'utf8');
}

/** Validates a fixture (plus overrides) with the services' own schema and queues it. */
export async function postFixture(s: Services, name: string, extra: Record<string, unknown> = {}): Promise<{ id: string; status: string }> {
  const v = validateAnnouncement(s.producer.schema, { ...fixture(name), ...extra });
  if (!v.ok) throw new Error(`fixture ${name} invalid: ${JSON.stringify(v.issues)}`);
  return s.producer.create(v.value, { createdBy: 'test' });
}

/** Waits until the announcement is done or done_with_failures and returns its view. */
export async function finalView(s: Services, id: string, timeoutMs = 20_000) {
  return waitFor(async () => {
    const v = await s.producer.view(id);
    return v && (v.status === 'done' || v.status === 'done_with_failures') ? v : null;
  }, { what: `announcement ${id} final`, timeoutMs });
}
