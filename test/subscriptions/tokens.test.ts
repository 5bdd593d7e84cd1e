// Subscription tokens: signing and constant-time verification, purposes, expiry, the secret
// (configured, or generated once in Redis and shared by every process), and the e-mail
// channel's unsubscribe link, which waits for the secret rather than going out without it.
import { ctxFor } from '../support/channel-context.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmailChannel } from '../../channels/email/channel.js';
import { createServices, type Services } from '../../src/services.js';
import { subscriptionEmailExtras } from '../../src/subscriptions/email-extras.js';
import { subscriptionsFor } from '../../src/subscriptions/service.js';
import { TokenSigner } from '../../src/subscriptions/tokens.js';
import { startConfirmationWorker } from '../../src/subscriptions/worker.js';
import { ChannelError, type Announcement } from '../../src/types.js';
import { createLogger } from '../../src/util/log.js';
import { deletePrefix, fixture, startSmtp, testConfig, testServices, uniquePrefix, waitFor } from '../support/harness.js';
import { confirmationMail, confirmLink, subscribe } from './helpers.js';
import { buildApp } from '../../src/http/app.js';

const SECRET = 'a-test-secret-of-enough-length';
const now = Date.UTC(2030, 0, 1);

describe('TokenSigner', () => {
  const signer = new TokenSigner(SECRET);

  it('round-trips a confirm token with its choices and a URL-safe form', () => {
    const t = signer.sign({ sub: 's1', purpose: 'confirm', exp: now / 1000 + 3600, iat: now / 1000, topics: ['hours', '*'], language: 'zh' });
    expect(t).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(encodeURIComponent(t)).toBe(t);
    expect(signer.verify(t, 'confirm', now)).toEqual({
      ok: true,
      payload: { sub: 's1', purpose: 'confirm', exp: now / 1000 + 3600, iat: now / 1000, topics: ['hours', '*'], language: 'zh' },
    });
  });

  it('rejects the wrong purpose, an expired token, another secret, and every altered character', () => {
    const confirm = signer.sign({ sub: 's1', purpose: 'confirm', exp: now / 1000 + 60 });
    const unsub = signer.sign({ sub: 's1', purpose: 'unsubscribe' });
    expect(signer.verify(confirm, 'unsubscribe', now)).toEqual({ ok: false, reason: 'wrong_purpose' });
    expect(signer.verify(unsub, 'confirm', now)).toEqual({ ok: false, reason: 'wrong_purpose' });
    expect(signer.verify(confirm, 'confirm', now + 60_000)).toEqual({ ok: false, reason: 'expired' });
    expect(signer.verify(confirm, 'confirm', now + 59_000).ok).toBe(true);
    expect(new TokenSigner('another-secret-of-enough-length').verify(confirm, 'confirm', now)).toEqual({ ok: false, reason: 'bad_signature' });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 0; i < unsub.length; i++) {
      if (unsub[i] === '.') continue;
      for (const c of [alphabet[(alphabet.indexOf(unsub[i]) + 1) % 64], alphabet[(alphabet.indexOf(unsub[i]) + 17) % 64]]) {
        const altered = `${unsub.slice(0, i)}${c}${unsub.slice(i + 1)}`;
        expect(signer.verify(altered, 'unsubscribe', now).ok, `position ${i} → ${c}`).toBe(false);
      }
    }
    for (const bad of [undefined, '', 'abc', `${unsub}.x`, unsub.replace('.', ''), 'x'.repeat(5000)]) {
      expect(signer.verify(bad, 'unsubscribe', now).ok).toBe(false);
    }
  });

  it('unsubscribe tokens never expire and are bound to the subscriber id', () => {
    const t = signer.sign({ sub: 's42', purpose: 'unsubscribe' });
    const v = signer.verify(t, 'unsubscribe', Date.UTC(2100, 0, 1));
    expect(v).toEqual({ ok: true, payload: { sub: 's42', purpose: 'unsubscribe' } });
    expect(signer.sign({ sub: 's43', purpose: 'unsubscribe' })).not.toBe(t);
  });

  it('refuses a short secret', () => {
    expect(() => new TokenSigner('short')).toThrow(/at least 16/);
  });
});

describe('the secret', () => {
  const opened: Services[] = [];
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });

  it('without subscriptions.secret: generated once in Redis and shared by every process of the prefix', async () => {
    const prefix = uniquePrefix('sec');
    const cfg = testConfig({ redis: { prefix }, channels: { email: { enabled: true, outbox: '/tmp/unused-outbox' } } });
    const a = testServices(cfg);
    const b = testServices(cfg);
    opened.push(a, b);
    try {
      const [sa, sb] = await Promise.all([subscriptionsFor(a).ready(), subscriptionsFor(b).ready()]);
      const stored = await a.redis.get(a.keys.subscriptionSecret);
      expect(stored).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const t = sa.sign({ sub: 's1', purpose: 'unsubscribe' });
      expect(sb.verify(t, 'unsubscribe').ok).toBe(true);
      expect(new TokenSigner(stored!).verify(t, 'unsubscribe').ok).toBe(true);
    } finally {
      await deletePrefix(a.config.redis.url, prefix);
    }
  });

  it('with subscriptions.secret: that one, and nothing stored in Redis', async () => {
    const cfg = testConfig({ subscriptions: { secret: SECRET }, channels: { email: { enabled: true, outbox: '/tmp/unused-outbox' } } });
    const s = testServices(cfg);
    opened.push(s);
    const signer = await subscriptionsFor(s).ready();
    expect(new TokenSigner(SECRET).verify(signer.sign({ sub: 's1', purpose: 'unsubscribe' }), 'unsubscribe').ok).toBe(true);
    expect(await s.redis.exists(s.keys.subscriptionSecret)).toBe(0);
  });

  it('two Services in one process, with different secrets, each sign with their own', async () => {
    const other = 'another-test-secret-of-enough-length';
    const email = { email: { enabled: true, outbox: '/tmp/unused-outbox' } };
    const a = testServices(testConfig({ subscriptions: { secret: SECRET }, channels: email }));
    const b = testServices(testConfig({ subscriptions: { secret: other }, channels: email }));
    opened.push(a, b);
    expect(a.subscriptions).not.toBe(b.subscriptions);
    expect(a.subscriptions.secret).not.toBe(b.subscriptions.secret);
    const [sa, sb] = await Promise.all([subscriptionsFor(a).ready(), subscriptionsFor(b).ready()]);
    const t = sb.sign({ sub: 's1', purpose: 'unsubscribe' });
    expect(new TokenSigner(other).verify(t, 'unsubscribe').ok).toBe(true);
    expect(sa.verify(t, 'unsubscribe')).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it("the e-mail channel's render waits for the secret (a retryable error) instead of sending without unsubscribe headers", async () => {
    const cfg = testConfig({ channels: { email: { enabled: true, outbox: '/tmp/unused-outbox' } } });
    const s = testServices(cfg);
    opened.push(s);
    try {
      const deps = { redis: s.redis, keys: s.keys, subscribers: s.subscribers, log: s.log };
      const channel = createEmailChannel(ctxFor(cfg, 'email', { ...deps, emailExtras: subscriptionEmailExtras(cfg, s.subscriptions.secret) }));
      const ann = { ...fixture('holiday-hours'), id: 'a1', channels: ['email'], status: 'queued', createdAt: '', createdBy: 't', publishedAt: '' } as unknown as Announcement;
      const r = { id: 's1', address: 'x@example.edu', language: 'en' as const, subscriberId: 's1' };
      let thrown: unknown;
      try {
        channel.render(ann, r);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(ChannelError);
      expect((thrown as ChannelError).kind).toBe('retryable');
      // The failed render started loading it; a retry moments later succeeds.
      const msg = await waitFor(() => {
        try {
          return channel.render(ann, r);
        } catch {
          return null;
        }
      });
      expect(msg.headers['List-Unsubscribe']).toMatch(/^<http:\/\/crier\.test\/subscriptions\/unsubscribe\?token=[A-Za-z0-9._-]+>$/);
      expect(msg.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
      // `crier preview`'s sample recipient is no subscriber: no link, no error.
      expect(channel.render(ann, { id: 'sample', address: 'reader@example.edu', language: 'en' }).headers['List-Unsubscribe']).toBeUndefined();
    } finally {
      await deletePrefix(cfg.redis.url, cfg.redis.prefix);
    }
  });

  it('is never written to the log, through a whole subscribe → confirm round', async () => {
    const smtp = await startSmtp();
    const lines: string[] = [];
    const cfg = testConfig({ channels: { email: { enabled: true, smtpUrl: smtp.url } } });
    const s = createServices(cfg, { log: createLogger('test', 'debug', (l) => lines.push(l)) });
    const app = await buildApp(s);
    const worker = await startConfirmationWorker(s);
    try {
      smtp.replies.set('log@example.edu', (n) => (n < 2 ? '451 4.3.0 later' : undefined)); // a retry logs a warning
      await subscribe(app, { email: 'log@example.edu', topics: ['hours'], language: 'en' });
      const mail = await confirmationMail(smtp, 'log@example.edu');
      expect((await app.inject({ method: 'GET', url: confirmLink(mail).path })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/subscriptions/confirm?token=zzz' })).statusCode).toBe(400);
      const secret = (await s.redis.get(s.keys.subscriptionSecret))!;
      expect(lines.some((l) => l.includes('retried'))).toBe(true);
      expect(lines.join('\n')).not.toContain(secret);
    } finally {
      await worker.close();
      await app.close();
      await s.close();
      await deletePrefix(cfg.redis.url, cfg.redis.prefix);
      await smtp.close();
    }
  });
});
