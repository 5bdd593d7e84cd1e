// Signed, URL-safe tokens for the links in subscription e-mails.
//
//   token = base64url(JSON payload) "." base64url(HMAC-SHA256(secret, "crier-subscription-token." + payload part))
//
// The payload names the subscriber id, the purpose ("confirm" or "unsubscribe") and, for
// confirm tokens, an expiry (exp, Unix seconds) and the choices (topics, language) the click
// applies. A token of one purpose is never accepted for the other, and every token dies with
// its subscriber (an admin delete, then a new subscription of the address, gets a new id).
// Unsubscribe tokens do not expire: an unsubscribe link in an old e-mail must keep working.
// Verification recomputes the MAC and compares it in constant time before reading the payload.
//
// The secret: `subscriptions.secret` from the config (usually "${CRIER_SUBSCRIPTION_SECRET}")
// when set. Otherwise a random 256-bit secret is generated once and stored in Redis under
// `<prefix>:subsecret` with SET NX: the first process to start writes it, every other process
// (HTTP servers, workers on other machines) reads the same value, and it survives restarts as
// long as Redis keeps its data. Changing or losing it invalidates every link already sent. The
// secret is never logged and never leaves the process except to and from Redis.
//
// Signing must be synchronous (the e-mail channel's render() is), so the secret is resolved
// once, asynchronously, by `ready()`, and cached on the one SubscriptionSecret that the composition
// root (createServices) builds per Services and hands to everything that signs: the subscription
// service and the e-mail channel's links. Two Services in one process (tests) never share one.
// Workers and the HTTP routes await ready() before they sign; `current()` answers synchronously
// afterwards.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { LangPref } from '../types.js';

/** 'form': the signed start time of a sign-up form (the minimum fill time against bots). */
export type TokenPurpose = 'confirm' | 'unsubscribe' | 'form';

export interface TokenPayload {
  /** Subscriber id. */
  sub: string;
  purpose: TokenPurpose;
  /** Expiry, Unix seconds; absent = never. */
  exp?: number;
  /** Issued at, Unix seconds (confirm tokens: an unsubscribe after it wins over the link). */
  iat?: number;
  /** Confirm tokens: the choices the click applies. */
  topics?: string[];
  language?: LangPref;
}

export type VerifyResult =
  | { ok: true; payload: TokenPayload }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'wrong_purpose' | 'expired' };

const CONTEXT = 'crier-subscription-token.';
const LANGS: readonly string[] = ['en', 'zh', 'both'];

const b64url = (b: Buffer): string => b.toString('base64url');

export class TokenSigner {
  private readonly key: Buffer;

  constructor(secret: string) {
    if (secret.length < 16) throw new Error('the subscription token secret must be at least 16 characters');
    this.key = Buffer.from(secret, 'utf8');
  }

  private mac(payloadPart: string): Buffer {
    return createHmac('sha256', this.key).update(CONTEXT + payloadPart, 'utf8').digest();
  }

  sign(payload: TokenPayload): string {
    const body: Record<string, unknown> = { sub: payload.sub, purpose: payload.purpose };
    if (payload.exp !== undefined) body.exp = Math.floor(payload.exp);
    if (payload.iat !== undefined) body.iat = Math.floor(payload.iat);
    if (payload.topics) body.topics = payload.topics;
    if (payload.language) body.language = payload.language;
    const part = b64url(Buffer.from(JSON.stringify(body), 'utf8'));
    return `${part}.${b64url(this.mac(part))}`;
  }

  /** Checks the MAC (constant time), then the purpose and the expiry. */
  verify(token: string | undefined, purpose: TokenPurpose, nowMs = Date.now()): VerifyResult {
    if (typeof token !== 'string' || token.length > 2048) return { ok: false, reason: 'malformed' };
    const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(token.trim());
    if (!m) return { ok: false, reason: 'malformed' };
    // Compared as canonical base64url text: the last character of a 32-byte MAC carries unused
    // bits, and decoding first would accept several spellings of one signature.
    const given = Buffer.from(m[2], 'ascii');
    const expected = Buffer.from(b64url(this.mac(m[1])), 'ascii');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
    let payload: TokenPayload;
    try {
      payload = parsePayload(JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8')));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (payload.purpose !== purpose) return { ok: false, reason: 'wrong_purpose' };
    if (payload.exp !== undefined && payload.exp * 1000 <= nowMs) return { ok: false, reason: 'expired' };
    return { ok: true, payload };
  }
}

function parsePayload(v: unknown): TokenPayload {
  const o = v as Record<string, unknown>;
  if (!o || typeof o !== 'object' || typeof o.sub !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(o.sub)) throw new Error('bad payload');
  if (o.purpose !== 'confirm' && o.purpose !== 'unsubscribe' && o.purpose !== 'form') throw new Error('bad payload');
  const p: TokenPayload = { sub: o.sub, purpose: o.purpose };
  if (o.exp !== undefined) {
    if (typeof o.exp !== 'number' || !Number.isFinite(o.exp)) throw new Error('bad payload');
    p.exp = o.exp;
  }
  if (o.iat !== undefined) {
    if (typeof o.iat !== 'number' || !Number.isFinite(o.iat)) throw new Error('bad payload');
    p.iat = o.iat;
  }
  if (o.topics !== undefined) {
    if (!Array.isArray(o.topics) || !o.topics.every((t) => typeof t === 'string')) throw new Error('bad payload');
    p.topics = o.topics as string[];
  }
  if (o.language !== undefined) {
    if (typeof o.language !== 'string' || !LANGS.includes(o.language)) throw new Error('bad payload');
    p.language = o.language as LangPref;
  }
  return p;
}

/** The token secret of one Redis database and key prefix, resolved once and cached. */
export class SubscriptionSecret {
  private signer: TokenSigner | undefined;
  private loading: Promise<TokenSigner> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    configured: string | undefined,
  ) {
    if (configured) this.signer = new TokenSigner(configured);
  }

  /** The signer once ready() has resolved (or at once with a configured secret). */
  current(): TokenSigner | undefined {
    return this.signer;
  }

  /** Resolves the secret: the configured one, or the shared one in Redis (generated if absent). */
  ready(): Promise<TokenSigner> {
    if (this.signer) return Promise.resolve(this.signer);
    this.loading ??= (async () => {
      await this.redis.set(this.key, randomBytes(32).toString('base64url'), 'NX');
      const stored = await this.redis.get(this.key);
      if (!stored) throw new Error('the subscription token secret could not be stored in Redis');
      this.signer = new TokenSigner(stored);
      return this.signer;
    })().finally(() => {
      // A failed load (Redis down) is tried again by the next caller.
      this.loading = undefined;
    });
    return this.loading;
  }
}
