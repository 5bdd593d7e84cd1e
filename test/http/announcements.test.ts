// POST/GET /api/announcements over app.inject: validation (every invalid fixture), body limit,
// auth, Idempotency-Key, scheduling and cancel, listing.
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, LIBRARIAN_TOKEN, SHARED, deletePrefix, fixture, readFixture } from '../support/harness.js';
import { call, dispatchJobCount, httpEnv, storedKeys, type HttpEnv } from './helpers.js';

let env: HttpEnv;
beforeAll(async () => {
  env = await httpEnv();
});
afterAll(() => env.dispose());
// Each test starts from an empty prefix, so "nothing stored" means exactly that.
beforeEach(async () => {
  await deletePrefix(env.s.config.redis.url, env.s.config.redis.prefix);
});

const EXPECTED_PATHS: Record<string, string[]> = {
  'bad-date.json': ['publishAt'],
  'bad-priority.json': ['priority'],
  'control-characters.json': ['title.en'],
  'empty-languages.json': ['title', 'body'],
  'expires-before-publish.json': ['expiresAt'],
  'javascript-link.json': ['link'],
  'no-title.json': ['title'],
  'not-json.txt': ['(root)'],
  'title-body-language-mismatch.json': ['body'],
  'title-too-long.json': ['title.en'],
  'unknown-channel.json': ['channels.0'],
  'unknown-topic.json': ['topics.0'],
  'wrong-types.json': ['title', 'body', 'topics'],
};

async function nothingStored() {
  expect(await storedKeys(env.s)).toEqual([]);
  expect(await env.s.redis.zcard(env.s.keys.announcementIndex)).toBe(0);
  expect(await dispatchJobCount(env.s)).toBe(0);
}

describe('POST /api/announcements: bad input', () => {
  const invalid = readdirSync(`${SHARED}fixtures/invalid`).sort();

  it('has an expectation for every invalid fixture', () => {
    expect(invalid).toEqual(Object.keys(EXPECTED_PATHS).sort());
  });

  it.each(invalid)('%s → 400 naming the field, nothing stored', async (name) => {
    const res = await call(env.app, 'POST', '/api/announcements', {
      body: readFixture(`invalid/${name}`),
      headers: { 'content-type': 'application/json', 'idempotency-key': `bad-${name}` },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error).toBe('invalid_announcement');
    const paths = (body.issues as { path: string; message: string }[]).map((i) => i.path);
    for (const p of EXPECTED_PATHS[name]) expect(paths).toContain(p);
    expect(body.issues.every((i: { message: string }) => typeof i.message === 'string' && i.message.length > 0)).toBe(true);
    await nothingStored();
  });

  it('a body over 1 MiB → 413 JSON, nothing stored', async () => {
    const big = { ...fixture('english-only'), body: { en: 'x'.repeat(1024 * 1024 + 10) } };
    const res = await call(env.app, 'POST', '/api/announcements', { body: big });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ error: 'payload_too_large' });
    await nothingStored();
  });

  it('an empty body and a JSON array are invalid_announcement at (root)', async () => {
    for (const body of ['', '[1,2]', 'null']) {
      const res = await call(env.app, 'POST', '/api/announcements', { body, headers: { 'content-type': 'application/json' } });
      expect(res.statusCode).toBe(400);
      expect(res.json().issues[0].path).toBe('(root)');
    }
    await nothingStored();
  });
});

describe('POST /api/announcements: good input', () => {
  const good = readdirSync(`${SHARED}fixtures/announcements`).filter((f) => f.endsWith('.json')).sort();

  it.each(good)('%s → 202 with id, status and Location', async (name) => {
    const res = await call(env.app, 'POST', '/api/announcements', { body: readFixture(`announcements/${name}`), token: LIBRARIAN_TOKEN, headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(202);
    const { id, status } = res.json();
    expect(status).toBe('queued');
    expect(res.headers.location).toBe(`/api/announcements/${id}`);
    const view = await call(env.app, 'GET', `/api/announcements/${id}`, { token: LIBRARIAN_TOKEN });
    expect(view.statusCode).toBe(200);
    expect(view.json()).toMatchObject({ id, createdBy: 'desk', channels: ['email', 'rss'], deliveries: { email: { total: 0 }, rss: { total: 0 } } });
  });

  it('reads a body without Content-Type, or with a form Content-Type (curl -d), as JSON', async () => {
    const raw = readFixture('announcements/english-only.json');
    const variants: Record<string, string>[] = [{}, { 'content-type': 'application/x-www-form-urlencoded' }, { 'content-type': 'text/plain' }];
    for (const headers of variants) {
      const res = await call(env.app, 'POST', '/api/announcements', { body: raw, headers });
      expect(res.statusCode).toBe(202);
    }
    expect(await env.s.redis.zcard(env.s.keys.announcementIndex)).toBe(3);
  });
});

describe('authentication and roles', () => {
  const ann = fixture('english-only');

  it('401 without a token or with a wrong one, with WWW-Authenticate and no token echoed', async () => {
    for (const token of [null, 'wrong-token-wrong-token', `${ADMIN_TOKEN}x`, ADMIN_TOKEN.slice(0, -1)]) {
      const res = await call(env.app, 'POST', '/api/announcements', { body: ann, token });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.json()).toMatchObject({ error: 'unauthorized' });
      expect(res.body).not.toContain(ADMIN_TOKEN.slice(0, 10));
    }
    const basic = await env.app.inject({ method: 'GET', url: '/api/announcements', headers: { authorization: `Basic ${ADMIN_TOKEN}` } });
    expect(basic.statusCode).toBe(401);
    await nothingStored();
  });

  it('checks the token before reading the body', async () => {
    const res = await call(env.app, 'POST', '/api/announcements', { body: 'x'.repeat(2 * 1024 * 1024), token: null });
    expect(res.statusCode).toBe(401);
  });

  it('403 for a librarian on retry and import; admin passes', async () => {
    const created = await call(env.app, 'POST', '/api/announcements', { body: ann, token: LIBRARIAN_TOKEN });
    const { id } = created.json();
    const retry = await call(env.app, 'POST', `/api/announcements/${id}/retry`, { token: LIBRARIAN_TOKEN });
    expect(retry.statusCode).toBe(403);
    expect(retry.json()).toMatchObject({ error: 'forbidden' });
    const imp = await call(env.app, 'POST', '/api/subscribers/import', { token: LIBRARIAN_TOKEN, body: [{ email: 'a@example.edu', topics: ['hours'] }] });
    expect(imp.statusCode).toBe(403);
    expect(await env.s.subscribers.countActive('email')).toBe(0);
    const adminRetry = await call(env.app, 'POST', `/api/announcements/${id}/retry`);
    expect(adminRetry.statusCode).toBe(200);
    expect(adminRetry.json()).toEqual({ requeued: 0 });
  });
});

describe('Idempotency-Key', () => {
  it('same key and body → same id, stored once; another body → 422', async () => {
    const headers = { 'idempotency-key': 'import-2030-01-01' };
    const a = await call(env.app, 'POST', '/api/announcements', { body: fixture('holiday-hours'), headers });
    const b = await call(env.app, 'POST', '/api/announcements', { body: fixture('holiday-hours'), headers, token: LIBRARIAN_TOKEN });
    expect(a.statusCode).toBe(202);
    expect(b.statusCode).toBe(202);
    expect(b.json().id).toBe(a.json().id);
    expect(await env.s.redis.zcard(env.s.keys.announcementIndex)).toBe(1);
    expect(await dispatchJobCount(env.s)).toBe(1);

    const c = await call(env.app, 'POST', '/api/announcements', { body: fixture('storm-closure'), headers });
    expect(c.statusCode).toBe(422);
    expect(c.json()).toMatchObject({ error: 'idempotency_key_reused' });
    expect(await env.s.redis.zcard(env.s.keys.announcementIndex)).toBe(1);
  });

  it('rejects a malformed key', async () => {
    const res = await call(env.app, 'POST', '/api/announcements', { body: fixture('holiday-hours'), headers: { 'idempotency-key': 'x'.repeat(300) } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_idempotency_key');
    await nothingStored();
  });
});

describe('control characters and broken text', () => {
  const post = (body: unknown) => call(env.app, 'POST', '/api/announcements', { body, token: LIBRARIAN_TOKEN });
  const base = { body: { en: 'b' }, topics: ['hours'] };

  it('refuses a line break or tab in a title, and a lone surrogate anywhere, naming the field', async () => {
    for (const [title, body, path, message] of [
      ['two\r\nlines', 'b', 'title.en', 'must be one line without control characters (no line break or tab)'],
      ['tab\there', 'b', 'title.en', 'must be one line without control characters (no line break or tab)'],
      ['\ud800 lone', 'b', 'title.en', 'contains a broken character (a lone UTF-16 surrogate)'],
      ['fine', 'half \udc00 pair', 'body.en', 'contains a broken character (a lone UTF-16 surrogate)'],
      ['fine', 'delete\u007f', 'body.en', 'must not contain control characters (other than newline and tab)'],
    ]) {
      const res = await post({ ...base, title: { en: title }, body: { en: body } });
      expect(res.statusCode, JSON.stringify(title)).toBe(400);
      expect(res.json().issues, JSON.stringify(title)).toContainEqual({ path, message });
    }
    await nothingStored();
  });

  it('says why a link to a local or private host is refused, apart from a link that is no http(s) URL', async () => {
    for (const link of ['http://127.0.0.1/admin', 'http://localhost:8080/', 'https://10.0.0.5/x', 'http://intranet/page']) {
      const res = await post({ ...base, title: { en: 't' }, link });
      expect(res.statusCode, link).toBe(400);
      expect(res.json().issues, link).toEqual([
        { path: 'link', message: 'must name a public host such as library.example.edu; IP addresses and local names (localhost) are refused' },
      ]);
    }
    const js = await post({ ...base, title: { en: 't' }, link: 'javascript:alert(1)' });
    expect(js.json().issues).toEqual([{ path: 'link', message: 'must be an http(s) URL, e.g. https://library.example.edu/news' }]);
    await nothingStored();
  });

  it('accepts a body typed in a browser (CRLF line breaks, tabs, emoji) and stores LF', async () => {
    const res = await post({ ...base, title: { en: 'Hours 📚' }, body: { en: 'line one\r\nline two\ttabbed 😀' } });
    expect(res.statusCode).toBe(202);
    const stored = (await call(env.app, 'GET', `/api/announcements/${res.json().id}`)).json();
    expect(stored.body.en).toBe('line one\nline two\ttabbed 😀');
  });
});

describe('times without an offset are library time', () => {
  it('reads publishAt and expiresAt without an offset in library.timezone and answers with the offset applied', async () => {
    expect(env.s.config.library.timezone).toBe('Asia/Shanghai');
    const body = { ...fixture('freshman-tour'), publishAt: '2030-01-10T09:00', expiresAt: '2030-01-17T18:30' };
    const res = await call(env.app, 'POST', '/api/announcements', { body, token: LIBRARIAN_TOKEN });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ status: 'scheduled', publishAt: '2030-01-10T09:00:00+08:00', expiresAt: '2030-01-17T18:30:00+08:00' });
    const stored = (await call(env.app, 'GET', `/api/announcements/${res.json().id}`)).json();
    expect(stored.publishAt).toBe('2030-01-10T01:00:00.000Z');
    expect(stored.expiresAt).toBe('2030-01-17T10:30:00.000Z');
  });

  it('refuses a local time that does not exist, naming the field and the accepted forms', async () => {
    const res = await call(env.app, 'POST', '/api/announcements', {
      body: { ...fixture('freshman-tour'), publishAt: '2030-02-30T09:00' }, token: LIBRARIAN_TOKEN,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().issues).toEqual([
      { path: 'publishAt', message: 'must be a date and time, e.g. 2030-01-01T09:00 (library time, Asia/Shanghai) or 2030-01-01T09:00:00+08:00' },
    ]);
    await nothingStored();
  });
});

describe('scheduling, cancel, listing, unknown ids', () => {
  it('schedules, shows, cancels once (no delayed job left), then 409', async () => {
    const publishAt = new Date(Date.now() + 3600_000).toISOString();
    const res = await call(env.app, 'POST', '/api/announcements', { body: { ...fixture('freshman-tour'), publishAt }, token: LIBRARIAN_TOKEN });
    expect(res.statusCode).toBe(202);
    const { id, status } = res.json();
    expect(status).toBe('scheduled');
    expect((await call(env.app, 'GET', `/api/announcements/${id}`)).json()).toMatchObject({ status: 'scheduled', publishAt });
    expect(await env.s.queues.dispatch.getDelayedCount()).toBe(1);

    const cancel = await call(env.app, 'POST', `/api/announcements/${id}/cancel`, { token: LIBRARIAN_TOKEN });
    expect(cancel.statusCode).toBe(200);
    expect(cancel.json()).toEqual({ id, status: 'cancelled' });
    expect((await call(env.app, 'GET', `/api/announcements/${id}`)).json().status).toBe('cancelled');
    expect(await env.s.queues.dispatch.getDelayedCount()).toBe(0);

    const again = await call(env.app, 'POST', `/api/announcements/${id}/cancel`);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: 'not_cancellable', status: 'cancelled' });
  });

  it('lists newest first with a cursor', async () => {
    const ids: string[] = [];
    for (const name of ['holiday-hours', 'english-only', 'chinese-only']) {
      ids.push((await call(env.app, 'POST', '/api/announcements', { body: fixture(name) })).json().id);
      await new Promise((r) => setTimeout(r, 3));
    }
    const first = (await call(env.app, 'GET', '/api/announcements?limit=2', { token: LIBRARIAN_TOKEN })).json();
    expect(first.items.map((a: { id: string }) => a.id)).toEqual([ids[2], ids[1]]);
    expect(first.items[0]).toMatchObject({ status: 'queued', title: { zh: expect.any(String) } });
    expect(first.next).toEqual(expect.any(String));
    const second = (await call(env.app, 'GET', `/api/announcements?limit=2&cursor=${encodeURIComponent(first.next)}`)).json();
    expect(second).toEqual({ items: [expect.objectContaining({ id: ids[0] })], next: null });
    expect((await call(env.app, 'GET', '/api/announcements?cursor=garbage')).statusCode).toBe(400);
    expect((await call(env.app, 'GET', '/api/announcements?limit=0')).json()).toMatchObject({ error: 'invalid_query', parameter: 'limit' });
  });

  it('404 JSON for unknown announcements and routes', async () => {
    for (const [method, url] of [
      ['GET', '/api/announcements/a000nope'], ['GET', '/api/announcements/index'], ['GET', '/api/announcements/a000nope/deliveries'],
      ['POST', '/api/announcements/a000nope/cancel'], ['POST', '/api/announcements/index/cancel'], ['POST', '/api/announcements/a000nope/retry'],
      ['GET', '/no/such/route'],
    ] as const) {
      const res = await call(env.app, method, url);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().error).toBe('not_found');
    }
    const badUrl = await call(env.app, 'GET', '/api/announcements/%zz');
    expect(badUrl.statusCode).toBe(400);
    expect(badUrl.json()).toMatchObject({ error: 'bad_request' });
  });
});
