// Shared by the property tests of test/security: hostile inputs (fast-check arbitraries), the
// one property every write route must keep, and the tally printed at the end.
//
// The property: a request never answers 5xx; and when it is refused (4xx), nothing under the
// test's Redis prefix changed — every key, its type, whether it expires, and its whole value
// are compared before and after (storedSnapshot in test/http/helpers.ts), except these keys,
// which change on a refused request by design:
import { appendFileSync } from 'node:fs';
import fc from 'fast-check';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Services } from '../../src/services.js';
import { snapshotDiff, storedSnapshot } from '../http/helpers.js';

export const IGNORED_KEYS: { re: RegExp; why: string }[] = [
  { re: /^stats$/, why: 'the /metrics counters (src/metrics/stats.ts) may count any request' },
  { re: /^subrate:/, why: 'the per-IP subscribe rate limit counts every POST /api/subscribers and /subscribe, refused or not, before the body is read' },
  { re: /^admlogin:/, why: 'failed dashboard sign-ins per address: a refused sign-in must be counted, that is the throttle' },
  { re: /^acctfail:/, why: 'failed sign-ins per e-mail address: the same throttle, per account' },
  { re: /^rate:/, why: 'limiter state (GCRA arrival times) of channels, moved by the workers, not by requests' },
];
const IGNORE = IGNORED_KEYS.map((k) => k.re);

/** Seed and run counts: fixed, so a failure found once is found again. */
export const SEED = 20261206;
export const tally = { inputs: 0, fiveXx: 0, statuses: {} as Record<string, number> };

/** Strings that break naive code: control characters, lone surrogates, markup, formulas, huge ones. */
const NASTY = [
  '', ' ', '\u0000', '\r\n', '\u2028\u2029', '\uD800', '\uDFFF', 'a\uD83Dz', '\uFEFF', '\u202Eevil',
  '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', 'javascript:alert(1)', '=HYPERLINK("http://x")',
  '__proto__', 'constructor', 'prototype', 'toString', '%00', '%E0%A4%A', '{{7*7}}', '${7*7}', '../../etc/passwd',
  '<!channel>', '@all', '*', 'NaN', '-1', '1e400', 'null', 'true', '[]', '{}', 'SELECT * FROM x;--',
  'x'.repeat(300), '长'.repeat(5000),
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('\u0000', '\u0007', '\b', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\uD800', '\uDC00', 'a'), maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constantFrom(20_000, 300_000).map((n) => 'A'.repeat(n)) },
);

const KEYS = ['__proto__', 'constructor', 'prototype', 'title', 'body', 'summary', 'topics', 'channels', 'priority', 'publishAt', 'expiresAt', 'link', 'notice', 'email', 'language', 'zh', 'en', 'toString', 'hasOwnProperty', 'valueOf', 'length'];

/** Any JSON-ish value with hostile keys and strings, nested up to a few levels. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -0, Number.MAX_SAFE_INTEGER + 2, 1e308, -1e308)),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 5 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), hostileString.filter((s) => s.length < 50)), tie('v'), { maxKeys: 5 }),
  ),
})).v;

/** JSON text; the __proto__ keys survive because the text is written by hand where needed. */
const deepNest = fc.tuple(fc.integer({ min: 1_000, max: 200_000 }), fc.constantFrom('[', '{"a":')).map(([n, open]) =>
  open === '[' ? `${'['.repeat(n)}${']'.repeat(n)}` : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`);

/** A JSON body: the request text for routes that read JSON. `base` is a valid body to mutate. */
export function jsonBody(base: Record<string, unknown>): fc.Arbitrary<string> {
  const mutated = fc.tuple(fc.constantFrom(...Object.keys(base), ...KEYS), hostileValue).map(([k, v]) => {
    const o: Record<string, unknown> = { ...base };
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
    return JSON.stringify(o);
  });
  const nestedField = fc.tuple(fc.constantFrom(...Object.keys(base), 'title'), fc.constantFrom('zh', 'en', '__proto__', '0'), hostileValue).map(([k, sub, v]) => {
    const inner: Record<string, unknown> = {};
    Object.defineProperty(inner, sub, { value: v, enumerable: true, writable: true, configurable: true });
    return JSON.stringify({ ...base, [k]: inner });
  });
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(JSON.stringify(base)) },
    { weight: 4, arbitrary: mutated },
    { weight: 2, arbitrary: nestedField },
    { weight: 2, arbitrary: hostileValue.map((v) => JSON.stringify(v) ?? 'undefined') },
    { weight: 1, arbitrary: fc.anything().map((v) => { try { return JSON.stringify(v) ?? ''; } catch { return '{}'; } }) },
    { weight: 1, arbitrary: fc.json() },
    { weight: 1, arbitrary: hostileString },
    { weight: 1, arbitrary: fc.constantFrom(
      `{"__proto__":{"admin":true},"title":{"en":"x"}}`, `{"constructor":{"prototype":{"polluted":1}}}`,
      `${JSON.stringify(base).slice(0, -1)},"__proto__":{"toString":1}}`, '{"a":1,"a":2}', '[1,2,', '\uFEFF{}', 'null', '0', '"x"',
    ) },
    { weight: 1, arbitrary: deepNest },
  );
}

/** Percent-encodes the UTF-8 of a string (lone surrogates included, which encodeURIComponent refuses). */
export function pct(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

/** A form body: base fields mutated, repeated, dropped, or hostile key/value pairs added. */
export function formBody(base: Record<string, string | string[]>): fc.Arbitrary<string> {
  const pairs = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...Object.keys(base), ...KEYS, 'a[b]', 'a[__proto__]', '__proto__[x]'), hostileString.filter((s) => s.length < 60)), hostileString), { maxLength: 6 });
  const encode = (entries: [string, string][]) => entries.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&');
  const baseEntries = (): [string, string][] => Object.entries(base).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => [k, x] as [string, string]));
  return fc.oneof(
    { weight: 5, arbitrary: fc.tuple(pairs, fc.boolean()).map(([extra, replace]) => {
      const keep = baseEntries().filter(([k]) => !(replace && extra.some(([e]) => e === k)));
      return encode([...keep, ...extra]);
    }) },
    { weight: 1, arbitrary: hostileString },
    { weight: 1, arbitrary: fc.constantFrom('%', '%%', 'a=%E0%A4%A', '&&&==&', 'a'.repeat(2_000_000)) },
  );
}

export interface Attempt {
  method: InjectOptions['method'];
  url: string;
  payload?: string;
  headers?: Record<string, string>;
  remoteAddress?: string;
}

/**
 * Sends one request and checks the property. `allowed` may name keys a refused request of this
 * route may still change (with the reason at the call site). Returns the response.
 */
export async function check(
  s: Services, app: FastifyInstance, a: Attempt, opts: { allowedOnRefusal?: (statusCode: number, key: string) => boolean } = {},
): Promise<LightMyRequestResponse> {
  const before = await storedSnapshot(s, IGNORE);
  if (process.env.PROPERTIES_TRACE) appendFileSync(process.env.PROPERTIES_TRACE, `${JSON.stringify({ ...a, payload: a.payload?.slice(0, 3000) })}\n`);
  const res = await app.inject({ method: a.method, url: a.url, payload: a.payload, headers: a.headers, remoteAddress: a.remoteAddress });
  tally.inputs += 1;
  const bucket = `${a.url.split('?')[0].replace(/\/api\/announcements\/[^/]+/, '/api/announcements/:id').replace(/\/drafts\/[^/]+/, '/drafts/:id').replace(/\/accounts\/[^/]+\//, '/accounts/:id/').slice(0, 60)} ${res.statusCode}`;
  tally.statuses[bucket] = (tally.statuses[bucket] ?? 0) + 1;
  if (res.statusCode >= 500) {
    tally.fiveXx += 1;
    expect.fail(`${a.method} ${a.url.slice(0, 200)} answered ${res.statusCode}: ${res.body.slice(0, 300)}\nbody: ${JSON.stringify((a.payload ?? '').slice(0, 500))}`);
  }
  if (res.statusCode >= 400) {
    const after = await storedSnapshot(s, IGNORE);
    const diff = snapshotDiff(before, after).filter((d) => !opts.allowedOnRefusal?.(res.statusCode, d.slice(2).slice(s.config.redis.prefix.length + 1)));
    if (diff.length) expect.fail(`${a.method} ${a.url.slice(0, 200)} was refused (${res.statusCode}) yet wrote: ${diff.join(', ')}\nbody: ${JSON.stringify((a.payload ?? '').slice(0, 500))}`);
  }
  return res;
}

/** fast-check's options for one property: the fixed seed and a number of runs. */
export const params = (numRuns: number) => ({ seed: SEED, numRuns, endOnFailure: true });

/** A random client address per request, so that per-IP limits do not end the exploration early. */
export const ipArb = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `10.${a}.${b}.${c}`);
