// The desk's forms under /admin with a signed-in session and its CSRF token (and without, now
// and then), under hostile input (see props-support.ts for the property). Registered by
// properties.test.ts.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DraftStore } from '../../src/desk/drafts.js';
import type { InjectedSession } from '../admin/support.js';
import { deskEnv, makeAccount, signInAs, type DeskEnv } from '../desk/support.js';
import { check, formBody, hostileString, ipArb, jsonBody, params, pct } from './props-support.js';

const COMPOSE_ACTIONS = ['save', 'submit', 'post', 'test', 'template'];
/**
 * A refused compose with one of the form's own buttons still saves the draft (and a template's
 * name check comes after the save): "whatever happens next, what was typed is kept"
 * (src/admin/pages/compose.ts). Only these keys may change then.
 */
const draftKeys = (key: string) => /^draft:|^drafts$/.test(key);

export function deskProperties(): void {
  describe('desk forms (/admin)', () => {
    let env: DeskEnv;
    let sess: InjectedSession;
    let submitted: string[];
    let otherAccount: string;

    const headers = (sessionOn: boolean, ct = 'application/x-www-form-urlencoded', extra: Record<string, string> = {}) => ({
      'content-type': ct, accept: 'text/html', ...(sessionOn ? { cookie: sess.cookie } : {}), ...extra,
    });

    beforeAll(async () => {
      env = await deskEnv();
      await makeAccount(env, 'Ada Admin', 'ada@example.edu', 'admin');
      otherAccount = (await makeAccount(env, 'Lin Librarian', 'lin@example.edu', 'librarian')).id;
      sess = await signInAs(env.app, 'ada@example.edu');
      const drafts = new DraftStore(env.s.redis, env.s.keys);
      submitted = [];
      for (let i = 0; i < 4; i++) {
        const d = await drafts.create({ id: 'author', name: 'Author', email: 'author@example.edu' }, { 'title.en': `Draft ${i}`, 'body.en': 'Text', topics: ['hours'], channels: ['rss'] });
        d.state = 'submitted';
        submitted.push((await drafts.save(d)).id);
      }
    });
    afterAll(async () => env?.dispose());

    it('POST /admin/compose', async () => {
      const base = { 'title.en': 'Title', 'body.en': 'Body', topics: ['hours'], channels: ['rss'], templateName: 'T' };
      const action = fc.oneof(fc.constantFrom(...COMPOSE_ACTIONS), hostileString);
      await fc.assert(fc.asyncProperty(fc.oneof(
        { weight: 5, arbitrary: fc.tuple(formBody(withCsrfLater(base)), action).map(([b, a]) => ({ ct: 'application/x-www-form-urlencoded', body: `action=${pct(a)}&${b}`, a })) },
        { weight: 1, arbitrary: jsonBody({ ...base }).map((b) => ({ ct: 'application/json', body: b, a: 'submit' })) },
      ), async ({ ct, body, a }) => {
        const payload = body.replace('_csrf=CSRF', `_csrf=${sess.csrf}`);
        await check(env.s, env.app, { method: 'POST', url: '/admin/compose', payload, headers: headers(true, ct, ct === 'application/json' ? { 'x-csrf-token': sess.csrf } : {}) }, {
          allowedOnRefusal: (_status, key) => COMPOSE_ACTIONS.includes(a) && draftKeys(key),
        });
      }), params(80));
    });

    it('regression: an action no button sends is refused and saves nothing (was: a 400 that had created a draft)', async () => {
      const res = await check(env.s, env.app, { method: 'POST', url: '/admin/compose', payload: `_csrf=${sess.csrf}&action=x&title.en=T&body.en=B`, headers: headers(true) });
      expect(res.statusCode).toBe(400);
    });

    it('POST /admin/drafts/:id/approve and /return', async () => {
      const target = fc.oneof({ weight: 4, arbitrary: fc.nat(3).map((i) => submitted[i]) }, { weight: 1, arbitrary: hostileString.map(pct) });
      await fc.assert(fc.asyncProperty(target, fc.constantFrom('approve', 'return'), formBody(withCsrfLater({ rev: '1', comment: 'Please fix the time' })), async (id, op, body) => {
        await check(env.s, env.app, { method: 'POST', url: `/admin/drafts/${id || 'x'}/${op}`, payload: body.replace('_csrf=CSRF', `_csrf=${sess.csrf}`), headers: headers(true) });
      }), params(60));
    });

    it('POST /admin/accounts/invite and /admin/accounts/:id/role|disable|enable', async () => {
      const op = fc.constantFrom('invite', 'role', 'disable', 'enable');
      const id = fc.oneof(fc.constant(otherAccount), hostileString.map(pct));
      await fc.assert(fc.asyncProperty(op, id, formBody(withCsrfLater({ name: 'New Person', email: 'new.person@example.edu', role: 'contributor' })), async (o, target, body) => {
        const url = o === 'invite' ? '/admin/accounts/invite' : `/admin/accounts/${target || 'x'}/${o}`;
        await check(env.s, env.app, { method: 'POST', url, payload: body.replace('_csrf=CSRF', `_csrf=${sess.csrf}`), headers: headers(true) });
      }), params(60));
    });

    it('POST /admin/announcements/:id/edit and /retract (corrections)', async () => {
      // A second retraction, or an edit after one, is a 409 that must change nothing.
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const { id } = await env.s.producer.create({ title: { en: `Closure ${i}` }, body: { en: 'Closed on Monday.' }, topics: ['hours'], channels: ['rss'], priority: 'normal' }, { createdBy: 'test' });
        ids.push(id);
      }
      // The first two marked sent (no workers run here), so their edits and retractions take the
      // path that revises a sent announcement; the third stays unsent (replaced or cancelled).
      for (const id of ids.slice(0, 2)) await env.s.announcements.setStatusIf(id, 'done', ['queued']);
      const target = fc.oneof({ weight: 4, arbitrary: fc.nat(2).map((i) => ids[i]) }, { weight: 1, arbitrary: hostileString.map(pct) });
      const fields = { 'title.en': 'Closure', 'body.en': 'Closed on Tuesday.', topics: ['hours'], channels: ['rss'], 'notice.en': 'We meant Tuesday.', 'notice.zh': '' };
      await fc.assert(fc.asyncProperty(target, fc.constantFrom('edit', 'retract'), formBody(withCsrfLater(fields)), async (id, op, body) => {
        await check(env.s, env.app, { method: 'POST', url: `/admin/announcements/${id || 'x'}/${op}`, payload: body.replace('_csrf=CSRF', `_csrf=${sess.csrf}`), headers: headers(true) });
      }), params(60));
    });

    it('POST /admin/login (nonce and cookie matching, or not)', async () => {
      await fc.assert(fc.asyncProperty(formBody({ _login: 'nonce-0123456789', email: 'ada@example.edu', password: 'wrong', token: '', next: '/admin' }), ipArb, fc.boolean(), async (body, ip, cookieOn) => {
        await check(env.s, env.app, {
          method: 'POST', url: '/admin/login', payload: body, remoteAddress: ip,
          headers: headers(false, 'application/x-www-form-urlencoded', cookieOn ? { cookie: 'crier_login=nonce-0123456789' } : {}),
        });
      }), params(60));
    });

    it('POST /admin/set-password (a live link, a used one, none)', async () => {
      await env.accounts.setDisabled(otherAccount, false); // the accounts property may have left it disabled
      let link = await env.accounts.issueLink(otherAccount);
      const pw = fc.oneof(hostileString, fc.constantFrom('a long enough pass phrase', 'short'));
      await fc.assert(fc.asyncProperty(pw, fc.boolean(), fc.nat(4), fc.array(fc.tuple(hostileString, hostileString), { maxLength: 3 }), async (password, same, tokenKind, extra) => {
        const token = tokenKind === 0 ? '' : tokenKind === 1 ? 'x'.repeat(43) : link;
        const body = [['token', token], ['password', password], ['repeat', same ? password : `${password}!`], ...extra].map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&');
        const res = await check(env.s, env.app, { method: 'POST', url: '/admin/set-password', payload: body, headers: headers(false) });
        if (res.statusCode === 303) link = await env.accounts.issueLink(otherAccount); // used up: a fresh one for the next input
      }), params(60));
    });
  });
}

/** The base form with a placeholder CSRF field, swapped for the session's token at send time. */
function withCsrfLater<T extends Record<string, string | string[]>>(f: T): Record<string, string | string[]> {
  return { _csrf: 'CSRF', ...f };
}
