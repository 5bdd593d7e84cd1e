// Keeps the Redis key map of docs/architecture.md true. A realistic workload runs on a real Redis
// under a private prefix: sign-ups by e-mail and by the Telegram bot, an announcement fanned out
// to e-mail, RSS and Telegram (one address retried), one that fails and raises an alert, a desk
// account with a failed and a good sign-in, a draft and a template. Every key seen under the
// prefix (during the workload and once it is quiet) must match exactly one documented pattern
// and have its documented type. Once quiet, a key must have a TTL exactly when its row gives one.
// Every row must be seen at least once unless it says "(not in test workload)".
// So a new key that nobody documented fails here.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountStore } from '../../src/accounts/store.js';
import { TELEGRAM_WEBHOOK_PATH } from '../../channels/telegram/bot/index.js';
import { buildApp } from '../../src/http/app.js';
import type { Services } from '../../src/services.js';
import { startWorkers, type RunningWorkers } from '../../workers/index.js';
import { ADMIN_TOKEN, disposeServices, finalView, fixture, startSmtp, testConfig, testServices, waitFor, type TestSmtp } from '../support/harness.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';
import { confirmationMail, confirmLink, subscribe } from '../subscriptions/helpers.js';
import { BILINGUAL, postForm, postLogin, signInAs } from '../desk/support.js';

const DOC = fileURLToPath(new URL('../../docs/architecture.md', import.meta.url));
const NOT_IN_WORKLOAD = '(not in test workload)';
const REDIS_TYPES = new Set(['string', 'hash', 'list', 'set', 'zset', 'stream']);

interface KeyRow {
  pattern: string;
  types: string[];
  expires: string;
  /** 'never': no TTL; 'varies': not checked; 'ttl': must have one. */
  ttl: 'never' | 'varies' | 'ttl';
  inWorkload: boolean;
  regex: RegExp;
}

/** The rows of the table under "## Redis key map". */
function parseKeyMap(markdown: string): KeyRow[] {
  const section = markdown.split(/^## Redis key map\s*$/m)[1];
  if (!section) throw new Error('docs/architecture.md has no "## Redis key map" section');
  const body = section.split(/^## /m)[0];
  const lines = body.split('\n').filter((l) => l.trim().startsWith('|'));
  const cells = (l: string) => l.trim().replace(/^\||\|$/g, '').split(/(?<!\\)\|/).map((c) => c.trim());
  const header = cells(lines[0]);
  if (header.join(' / ') !== 'Key / Type / Written by / Expires / What it holds') throw new Error(`key map columns: ${header.join(' / ')}`);
  if (!/^\|[-| :]+\|$/.test(lines[1].trim())) throw new Error('key map: no separator line under the header');
  return lines.slice(2).map((l) => {
    const [key, type, , expires, what] = cells(l);
    const pattern = key.replace(/^`|`$/g, '');
    const types = type.split(/\s*,\s*/);
    for (const t of types) if (!REDIS_TYPES.has(t)) throw new Error(`row ${pattern}: unknown type "${t}"`);
    const ttl = /^never\b/i.test(expires) ? 'never' : /^varies\b/i.test(expires) ? 'varies' : 'ttl';
    return { pattern, types, expires, ttl, inWorkload: !what.includes(NOT_IN_WORKLOAD), regex: patternRegex(pattern) };
  });
}

/** `dlv:<id>:<channel>` → ^dlv:.+:.+$ ; `bull:*` → ^bull:.*$ */
function patternRegex(pattern: string): RegExp {
  const src = pattern
    .split(/(<[^>]+>|\*)/)
    .map((part) => (part === '*' ? '.*' : part.startsWith('<') ? '.+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${src}$`);
}

interface Seen {
  key: string;
  type: string;
  ttl: number;
}

async function scanPrefix(r: Redis, prefix: string): Promise<Seen[]> {
  const names: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    names.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  const p = r.pipeline();
  for (const k of names) p.type(k).pttl(k);
  const res = (await p.exec()) ?? [];
  const out: Seen[] = [];
  names.forEach((k, i) => {
    const type = res[2 * i]?.[1] as string;
    const ttl = res[2 * i + 1]?.[1] as number;
    // Gone between SCAN and TYPE (a lock, a rate-limit key): nothing to check.
    if (type !== 'none') out.push({ key: k.slice(prefix.length + 1), type, ttl });
  });
  return out;
}

/** What is wrong with the keys against the rows; with `quiet`, TTLs too. */
function keyMapProblems(rows: KeyRow[], seen: Seen[], quiet: boolean): string[] {
  const problems: string[] = [];
  for (const k of seen) {
    const hits = rows.filter((r) => r.regex.test(k.key));
    if (hits.length !== 1) {
      problems.push(`${k.key} (${k.type}) matches ${hits.length === 0 ? 'no documented pattern' : hits.map((h) => h.pattern).join(' and ')}`);
      continue;
    }
    const row = hits[0];
    if (!row.types.includes(k.type)) problems.push(`${k.key} is a ${k.type}, documented as ${row.types.join(', ')} (${row.pattern})`);
    if (!quiet) continue;
    if (row.ttl === 'ttl' && !(k.ttl > 0)) problems.push(`${k.key} has no TTL, but ${row.pattern} expires "${row.expires}"`);
    if (row.ttl === 'never' && k.ttl !== -1) problems.push(`${k.key} has a TTL (${k.ttl} ms), but ${row.pattern} is documented as never expiring`);
  }
  return problems;
}

const rows = parseKeyMap(readFileSync(DOC, 'utf8'));

let smtp: TestSmtp;
let tg: FakeTelegram;
let s: Services;
let app: FastifyInstance;
let workers: RunningWorkers | undefined;
let probe: Redis;
const WEBHOOK_SECRET = 'key-map-webhook-secret-0123';

beforeAll(async () => {
  [smtp, tg] = await Promise.all([startSmtp(), startFakeTelegram()]);
  s = testServices(testConfig({
    channels: {
      email: { enabled: true, smtpUrl: smtp.url },
      rss: { enabled: true },
      telegram: { enabled: true, token: tg.token, apiUrl: tg.url, bot: { enabled: true, mode: 'webhook', webhookSecret: WEBHOOK_SECRET } },
    },
    alerts: { to: ['ops@example.edu'] },
  }));
  app = await buildApp(s);
  workers = await startWorkers(s);
  probe = new Redis(s.config.redis.url);
});

afterAll(async () => {
  await workers?.close();
  await app?.close();
  probe?.disconnect();
  if (s) await disposeServices(s);
  await Promise.all([smtp?.close(), tg?.close()]);
});

describe('the Redis key map in docs/architecture.md', () => {
  it('parses: every row has a pattern, known types and an expiry rule; patterns are unique', () => {
    expect(rows.length).toBeGreaterThan(20);
    expect(new Set(rows.map((r) => r.pattern)).size).toBe(rows.length);
    for (const r of rows) expect(r.expires, r.pattern).not.toBe('');
    // The marker is for the odd key a test cannot reach, not a way out of documenting.
    expect(rows.filter((r) => !r.inWorkload).length).toBeLessThanOrEqual(3);
  });

  it('documents every key a realistic workload writes, with its type and TTL', async () => {
    const seen = new Map<string, Seen>();
    const problems = new Set<string>();
    const snapshot = async (quiet = false) => {
      const keys = await scanPrefix(probe, s.config.redis.prefix);
      for (const k of keys) seen.set(k.key, k);
      for (const p of keyMapProblems(rows, keys, quiet)) problems.add(p);
    };
    // Short-lived keys (rate limits, locks) are caught by scans while the work runs.
    let running = true;
    const sampler = (async () => {
      while (running) {
        await snapshot();
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    try {
      // Sign-ups: one by the Telegram bot (webhook), one by e-mail with double opt-in.
      const update = { update_id: 7001, message: { message_id: 1, date: 0, chat: { id: 4242, type: 'private' }, from: { id: 4242, is_bot: false, first_name: 'Li' }, text: '/start hours' } };
      const hook = await app.inject({ method: 'POST', url: TELEGRAM_WEBHOOK_PATH, payload: update, headers: { 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET } });
      expect(hook.statusCode).toBe(200);
      await waitFor(async () => (await s.subscribers.findByAddress('telegram', '4242'))?.status === 'active', { what: 'telegram subscriber' });

      expect((await subscribe(app, { email: 'reader@example.edu', topics: ['hours'], language: 'en' })).statusCode).toBe(202);
      const confirm = await app.inject({ method: 'GET', url: confirmLink(await confirmationMail(smtp, 'reader@example.edu')).path });
      expect(confirm.statusCode).toBe(200);
      expect((await s.subscribers.findByAddress('email', 'reader@example.edu'))?.status).toBe('active');
      // Imported-style subscribers: one whose server is busy twice, one who is gone.
      await s.subscribers.upsert({ channel: 'email', address: 'flaky@example.edu', topics: ['hours'], language: 'both', status: 'active' });
      await s.subscribers.upsert({ channel: 'email', address: 'broken@example.edu', topics: ['training'], language: 'both', status: 'active' });
      smtp.replies.set('flaky@example.edu', (n) => (n < 3 ? '451 4.3.0 Mailbox busy, try later' : undefined));
      smtp.replies.set('broken@example.edu', '550 5.1.1 No such user here');

      // One announcement to e-mail, RSS and Telegram through the API; the flaky address is retried,
      // and the long text goes to Telegram in several parts.
      const post = (body: unknown, key: string) => app.inject({
        method: 'POST', url: '/api/announcements', payload: JSON.stringify(body),
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', 'idempotency-key': key },
      });
      const a = await post({ ...fixture('long-notice'), topics: ['hours'], channels: ['email', 'rss', 'telegram'] }, 'key-map-a');
      expect(a.statusCode).toBe(202);
      const viewA = await finalView(s, a.json<{ id: string }>().id);
      expect(viewA.status).toBe('done');
      expect(viewA.deliveries.email).toMatchObject({ sent: 2, failed: 0 });
      expect(viewA.deliveries.telegram).toMatchObject({ sent: 1 });
      expect(tg.sent.filter((m) => m.chatId === '4242').length).toBeGreaterThan(2); // the welcome and at least two parts
      expect((await s.deliveries.get(viewA.id, 'email', (await s.subscribers.findByAddress('email', 'flaky@example.edu'))!.id))!.attempts).toBe(3);

      // A correction of it, with a notice: Telegram edits in place, e-mail gets the notice, the feed changes.
      const edit = await app.inject({
        method: 'PUT', url: `/api/announcements/${viewA.id}`,
        payload: JSON.stringify({ ...fixture('long-notice'), topics: ['hours'], channels: ['email', 'rss', 'telegram'], notice: { en: 'Corrected: new hours.', zh: '更正：新的开放时间。' } }),
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      });
      expect(edit.statusCode, edit.body).toBe(202);
      await waitFor(async () => ((await s.corrections.progress(viewA.id, 2, ['email', 'rss', 'telegram'])).finished ? true : null), { what: 'the correction finished' });

      // One that fails: the channel's streak starts, the announcement ends with failures, an alert goes out.
      const b = await post({ ...fixture('holiday-hours'), topics: ['training'], channels: ['email'] }, 'key-map-b');
      const viewB = await finalView(s, b.json<{ id: string }>().id);
      expect(viewB.status).toBe('done_with_failures');
      await waitFor(async () => (await s.redis.llen(s.keys.alertLog)) > 0, { what: 'the alert recorded' });

      // The desk: an account with a set-password link, a failed and a good sign-in, a draft saved as a template.
      const accounts = new AccountStore(s.redis, s.keys);
      const acct = await accounts.create({ name: 'Wang Fang', email: 'wang@example.edu', role: 'librarian', createdBy: 'test' });
      await accounts.setPassword(acct.id, 'correct horse battery staple');
      await accounts.issueLink(acct.id);
      expect((await postLogin(app, { email: 'nobody@example.edu', password: 'wrong' })).statusCode).toBe(401);
      const sess = await signInAs(app, 'wang@example.edu');
      const saved = await postForm(app, '/admin/compose', sess, { ...BILINGUAL, action: 'template', templateName: 'Weekend hours' });
      expect(saved.statusCode).toBe(200);
      expect(await s.redis.zcard(s.keys.draftIndex)).toBe(1);
      expect(await s.redis.zcard(s.keys.templateIndex)).toBe(1);
    } finally {
      running = false;
      await sampler;
    }

    // Quiet now: wait for BullMQ's finished jobs to settle, then the full check, TTLs included.
    const running_ = workers;
    workers = undefined;
    await running_?.close();
    await snapshot(true);

    expect([...problems].sort()).toEqual([]);
    const unseen = rows.filter((r) => r.inWorkload && ![...seen.keys()].some((k) => r.regex.test(k))).map((r) => r.pattern);
    expect(unseen, 'documented patterns this workload never wrote (mark them "(not in test workload)" or cover them)').toEqual([]);
  });
});
