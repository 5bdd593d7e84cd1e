// The JSON API's write routes under hostile bodies, ids and query strings (see props-support.ts
// for the property). Registered by properties.test.ts.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, postFixture } from '../support/harness.js';
import { httpEnv, type HttpEnv } from '../http/helpers.js';
import { check, hostileString, ipArb, jsonBody, params, pct } from './props-support.js';

const VALID = {
  title: { en: 'Opening hours', zh: '开放时间' },
  body: { en: 'The library opens **at nine**.', zh: '图书馆九点开门。' },
  topics: ['hours'],
  channels: ['rss'],
};

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
const contentTypes = fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'multipart/form-data; boundary=x', '');
const headersFor = (ct: string): Record<string, string> => (ct ? { ...auth, 'content-type': ct } : { ...auth });

/** Printable header values only (light-my-request refuses others before any route sees them). */
const headerValue = hostileString.filter((s) => s.length < 300 && /^[\x20-\x7e]*$/.test(s));

export function apiProperties(): void {
  describe('JSON API write routes', () => {
    let env: HttpEnv;
    let editable: string;
    let retractable: string[];
    let scheduled: string[];

    beforeAll(async () => {
      env = await httpEnv();
      editable = (await postFixture(env.s, 'holiday-hours', { channels: ['rss'] })).id;
      retractable = [];
      scheduled = [];
      for (let i = 0; i < 3; i++) retractable.push((await postFixture(env.s, 'holiday-hours', { channels: ['rss'] })).id);
      // No workers run here: mark them sent, so edits and retractions take the path that revises
      // a sent announcement and starts a correction, not the replace-or-cancel of an unsent one.
      for (const id of [editable, ...retractable]) await env.s.announcements.setStatusIf(id, 'done', ['queued']);
      for (let i = 0; i < 3; i++) scheduled.push((await postFixture(env.s, 'holiday-hours', { channels: ['rss'], publishAt: '2099-01-01T09:00:00+08:00' })).id);
    });
    afterAll(async () => env?.dispose());

    it('POST /api/announcements', async () => {
      await fc.assert(fc.asyncProperty(jsonBody(VALID), contentTypes, fc.option(headerValue, { nil: undefined }), async (body, ct, key) => {
        const headers = headersFor(ct);
        if (key !== undefined) headers['idempotency-key'] = key;
        await check(env.s, env.app, { method: 'POST', url: '/api/announcements', payload: body, headers });
      }), params(120));
    });

    it('PUT /api/announcements/:id (edit)', async () => {
      const base = { ...VALID, notice: { en: 'Corrected time', zh: '更正时间' } };
      await fc.assert(fc.asyncProperty(jsonBody(base), contentTypes, fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: hostileString }), async (body, ct, badId) => {
        const url = `/api/announcements/${badId ? pct(badId) : editable}`;
        await check(env.s, env.app, { method: 'PUT', url, payload: body, headers: headersFor(ct) });
      }), params(90));
    });

    it('POST /api/announcements/:id/retract', async () => {
      await fc.assert(fc.asyncProperty(jsonBody({ notice: { en: 'Withdrawn', zh: '撤回' } }), fc.nat(2), fc.boolean(), async (body, i, useBad) => {
        const url = `/api/announcements/${useBad ? pct(body.slice(0, 80)) : retractable[i]}/retract`;
        await check(env.s, env.app, { method: 'POST', url, payload: body, headers: headersFor('application/json') });
      }), params(60));
    });

    it('POST /api/announcements/:id/cancel and /retry (ids, query strings, bodies)', async () => {
      const target = fc.oneof(fc.nat(2).map((i) => ({ id: scheduled[i] })), fc.constant({ id: '' }), hostileString.map((s) => ({ id: pct(s) })), fc.constantFrom({ id: 'index' }, { id: '..%2F..' }, { id: '%E0%A4%A' }));
      await fc.assert(fc.asyncProperty(target, fc.constantFrom('cancel', 'retry'), fc.option(hostileString, { nil: undefined }), jsonBody({}), async (t, op, channel, body) => {
        const id = t.id || editable;
        const q = channel === undefined ? '' : `?channel=${pct(channel)}`;
        await check(env.s, env.app, { method: 'POST', url: `/api/announcements/${id}/${op}${q}`, payload: body, headers: headersFor('application/json') });
      }), params(60));
    });

    it('POST /api/subscribers (public sign-up, JSON)', async () => {
      await fc.assert(fc.asyncProperty(jsonBody({ email: 'reader@example.edu', topics: ['hours'], language: 'en' }), contentTypes, ipArb, async (body, ct, ip) => {
        await check(env.s, env.app, { method: 'POST', url: '/api/subscribers', payload: body, headers: ct ? { 'content-type': ct } : {}, remoteAddress: ip });
      }), params(80));
    });

    it('POST /api/subscribers/import (JSON and CSV)', async () => {
      const row = { email: 'imported@example.edu', topics: ['hours'], language: 'zh' };
      const json = jsonBody(row).map((b) => (b.startsWith('{') ? `[${b}]` : b));
      const csvCell = hostileString.filter((s) => s.length < 200);
      const csv = fc.tuple(fc.constantFrom('email,topics,language', 'email', '"email","topics"', 'email,topics,language,extra', '\uFEFFemail,topics,language'), fc.array(fc.array(csvCell, { maxLength: 5 }), { maxLength: 6 }), fc.constantFrom('\n', '\r\n', '\r'))
        .map(([header, rows, nl]) => [header, ...rows.map((r) => r.join(','))].join(nl));
      await fc.assert(fc.asyncProperty(fc.oneof(json.map((b) => ['application/json', b] as const), csv.map((b) => ['text/csv', b] as const), csv.map((b) => ['', b] as const), json.map((b) => ['text/csv', b] as const)), async ([ct, body]) => {
        await check(env.s, env.app, { method: 'POST', url: '/api/subscribers/import', payload: body, headers: headersFor(ct) });
      }), params(80));
    });

    it('regression: a CSV line of 200,000 stray quotes is answered at once (was minutes: csv-parse O(n²) skips)', async () => {
      const n = 200_000;
      const started = Date.now();
      const res = await check(env.s, env.app, { method: 'POST', url: '/api/subscribers/import', payload: `[${'{"a":'.repeat(n)}1${'}'.repeat(n)}]`, headers: headersFor('text/csv') });
      expect(res.statusCode).toBe(400);
      expect(Date.now() - started).toBeLessThan(5_000);
    });
  });
}
