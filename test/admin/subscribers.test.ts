// The dashboard's subscriber pages over app.inject: search and filters, one subscriber with
// their deliveries, edit, remove (the address erased from the log, counts kept), CSV import by
// upload with the API's line errors, CSV export with formula cells defused; admin only, CSRF.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REMOVED_ADDRESS } from '../../src/admin/subscriber-data.js';
import type { Subscriber } from '../../src/store/subscribers.js';
import { buildApp } from '../../src/http/app.js';
import { ADMIN_TOKEN, LIBRARIAN_TOKEN, testServices } from '../support/harness.js';
import { httpEnv, type HttpEnv } from '../http/helpers.js';
import { form, injectSignIn, type InjectedSession } from './support.js';

let env: HttpEnv;
let admin: InjectedSession;
const subs: Record<string, Subscriber> = {};

beforeAll(async () => {
  env = await httpEnv();
  admin = await injectSignIn(env.app, ADMIN_TOKEN);
  const add = async (key: string, channel: string, address: string, topics: string[], language: 'zh' | 'en' | 'both', status: Subscriber['status']) => {
    subs[key] = (await env.s.subscribers.upsert({ channel, address, topics, language, status })).subscriber;
  };
  await add('ann', 'email', 'ann.lee@example.edu', ['hours'], 'en', 'active');
  await add('bo', 'email', 'bo.wang@example.edu', ['events', 'training'], 'zh', 'active');
  await add('cy', 'email', 'cy@other.edu', ['*'], 'both', 'unsubscribed');
  await add('evil', 'email', '=cmd@example.edu', ['hours'], 'en', 'pending');
  await add('chat', 'telegram', '424242', ['events'], 'zh', 'active');
});
afterAll(() => env.dispose());

const get = (url: string, who = admin) => env.app.inject({ method: 'GET', url, headers: { cookie: who.cookie, accept: 'text/html' } });
const listed = (html: string) => [...html.matchAll(/<tr data-subscriber="([^"]+)">/g)].map((m) => m[1]);

describe('finding subscribers', () => {
  it('searches by address or chat id and filters by channel, topic, language and state', async () => {
    expect(listed((await get('/admin/subscribers/list?q=wang')).body)).toEqual([subs.bo.id]);
    expect(listed((await get('/admin/subscribers/list?q=4242')).body)).toEqual([subs.chat.id]);
    expect(listed((await get('/admin/subscribers/list?channel=telegram')).body)).toEqual([subs.chat.id]);
    // A topic keeps who would hear about it: chosen, or everything.
    expect(listed((await get('/admin/subscribers/list?topic=events&channel=email')).body)).toEqual([subs.cy.id, subs.bo.id]);
    expect(listed((await get('/admin/subscribers/list?language=zh')).body)).toEqual([subs.chat.id, subs.bo.id]);
    expect(listed((await get('/admin/subscribers/list?status=unsubscribed')).body)).toEqual([subs.cy.id]);
    expect(listed((await get('/admin/subscribers/list')).body)).toHaveLength(5);
  });

  it('names a bad filter and answers a librarian 403', async () => {
    const bad = await get('/admin/subscribers/list?status=sleeping');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('status');
    const lib = await injectSignIn(env.app, LIBRARIAN_TOKEN);
    expect((await get('/admin/subscribers/list', lib)).statusCode).toBe(403);
    expect((await get(`/admin/subscribers/${subs.ann.id}`, lib)).statusCode).toBe(403);
    expect((await get('/admin/subscribers/export.csv', lib)).statusCode).toBe(403);
  });

  it('exports the selection as CSV, a cell starting with = + - @ prefixed with a quote', async () => {
    const res = await get('/admin/subscribers/export.csv?channel=email');
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = res.body.trim().split('\r\n');
    expect(lines[0]).toBe('channel,address,topics,language,status,createdAt');
    expect(lines).toHaveLength(5);
    expect(lines.find((l) => l.includes('cmd@'))).toMatch(/^email,'=cmd@example\.edu,hours,en,pending,/);
    expect(res.body).not.toContain('424242');
  });
});

describe('one subscriber', () => {
  it('shows their deliveries, saves new topics and language with the CSRF token only', async () => {
    const { id } = await env.s.producer.create({ title: { en: 'Hours change' }, body: { en: 'x' }, topics: ['hours'], priority: 'normal', channels: ['email'] }, { createdBy: 't' });
    await env.s.deliveries.enqueueMany(id, 'email', [{ id: subs.ann.id, address: subs.ann.address, language: 'en', subscriberId: subs.ann.id }]);
    const page = await get(`/admin/subscribers/${subs.ann.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<a href="/admin/announcements/${id}">Hours change</a>`);
    expect(page.body).not.toMatch(/<script(?![^>]*src=)/);

    const url = `/admin/subscribers/${subs.ann.id}/edit`;
    const body = (csrf?: string) => form({ ...(csrf ? { _csrf: csrf } : {}), topics: 'databases', language: 'zh' });
    const noCsrf = await env.app.inject({ method: 'POST', url, headers: { cookie: admin.cookie, ...body().headers }, payload: body().payload });
    expect(noCsrf.statusCode).toBe(403);
    const ok = await env.app.inject({ method: 'POST', url, headers: { cookie: admin.cookie, ...body(admin.csrf).headers }, payload: body(admin.csrf).payload });
    expect(ok.statusCode).toBe(303);
    expect(await env.s.subscribers.get(subs.ann.id)).toMatchObject({ topics: ['databases'], language: 'zh', status: 'active' });
    const none = form({ _csrf: admin.csrf, language: 'zh' });
    const refused = await env.app.inject({ method: 'POST', url, headers: { cookie: admin.cookie, accept: 'text/html', ...none.headers }, payload: none.payload });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('topics: choose at least one topic');
    expect((await env.s.subscribers.get(subs.ann.id))!.topics).toEqual(['databases']);
  });

  it('removes: the subscriber and their address go, the delivery record and counts stay', async () => {
    const { id } = await env.s.producer.create({ title: { en: 'Events' }, body: { en: 'x' }, topics: ['events'], priority: 'normal', channels: ['email'] }, { createdBy: 't' });
    await env.s.deliveries.enqueueMany(id, 'email', [{ id: subs.bo.id, address: subs.bo.address, language: 'zh', subscriberId: subs.bo.id }]);
    const before = await env.s.deliveries.counts(id, ['email']);
    const f = form({ _csrf: admin.csrf });
    const res = await env.app.inject({ method: 'POST', url: `/admin/subscribers/${subs.bo.id}/remove`, headers: { cookie: admin.cookie, ...f.headers }, payload: f.payload });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/subscribers/list?msg=subscriber-removed-1');
    expect(await env.s.subscribers.get(subs.bo.id)).toBeNull();
    expect(await env.s.subscribers.findByAddress('email', subs.bo.address)).toBeNull();
    const rec = await env.s.deliveries.get(id, 'email', subs.bo.id);
    expect(rec).toMatchObject({ address: REMOVED_ADDRESS });
    expect(JSON.stringify(rec)).not.toContain('bo.wang');
    expect(await env.s.deliveries.counts(id, ['email'])).toEqual(before);
    expect((await get(`/admin/subscribers/${subs.bo.id}`)).statusCode).toBe(404);
  });
});

describe('DELETE /api/subscribers/:id', () => {
  it('erases the address from the delivery log like the dashboard\'s Remove', async () => {
    const { subscriber } = await env.s.subscribers.upsert({ channel: 'email', address: 'api.gone@example.edu', topics: ['hours'], language: 'en', status: 'active' });
    const { id } = await env.s.producer.create({ title: { en: 'T' }, body: { en: 'x' }, topics: ['hours'], priority: 'normal', channels: ['email'] }, { createdBy: 't' });
    await env.s.deliveries.enqueueMany(id, 'email', [{ id: subscriber.id, address: subscriber.address, language: 'en', subscriberId: subscriber.id }]);
    const res = await env.app.inject({ method: 'DELETE', url: `/api/subscribers/${subscriber.id}`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.statusCode).toBe(204);
    expect(await env.s.deliveries.get(id, 'email', subscriber.id)).toMatchObject({ address: REMOVED_ADDRESS });
  });
});

describe('import by upload', () => {
  const upload = (csv: string, csrf = admin.csrf) => {
    const b = 'XyZboundary';
    const payload = `--${b}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n--${b}\r\nContent-Disposition: form-data; name="file"; filename="list.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${b}--\r\n`;
    return env.app.inject({ method: 'POST', url: '/admin/subscribers/import', headers: { cookie: admin.cookie, accept: 'text/html', 'content-type': `multipart/form-data; boundary=${b}` }, payload });
  };

  it('imports the good lines and lists each bad one with its line number, as the API does', async () => {
    const res = await upload('email,topics,language\nnew.one@example.edu,hours;events,en\nnot-an-address,hours,en\nnew.two@example.edu,nosuchtopic,zh\n');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<strong data-n="imported">1</strong> imported');
    expect(res.body).toMatch(/<td data-label="Line" class="num">3<\/td><td data-label="Error">[^<]*e-mail/);
    expect(res.body).toMatch(/<td data-label="Line" class="num">4<\/td><td data-label="Error">[^<]*nosuchtopic/);
    expect(await env.s.subscribers.findByAddress('email', 'new.one@example.edu')).toMatchObject({ status: 'active' });
    expect(await env.s.subscribers.findByAddress('email', 'new.two@example.edu')).toBeNull();
  });

  it('refuses an upload without the CSRF token, and names the file field when it is empty or not CSV', async () => {
    expect((await upload('email,topics,language\nx@example.edu,hours,en\n', 'wrong')).statusCode).toBe(403);
    expect(await env.s.subscribers.findByAddress('email', 'x@example.edu')).toBeNull();
    const empty = await upload('');
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('file: choose a CSV file');
  });
});

describe('the subscriber counts', () => {
  const active = (html: string) => Number(/<h2>email: <span data-n="active">(\d+)<\/span> active/.exec(html)?.[1]);

  it('are kept per Services: a second one under the same prefix counts afresh, not from the first one\'s cache', async () => {
    const before = active((await get('/admin/subscribers')).body);
    await env.s.subscribers.upsert({ channel: 'email', address: 'counted.later@example.edu', topics: ['hours'], language: 'en', status: 'active' });
    // The first Services still shows its cached numbers for 30 s…
    expect(active((await get('/admin/subscribers')).body)).toBe(before);
    // …but another Services of the same configuration (a restarted process, another test) has its own cache.
    const s2 = testServices(env.s.config);
    const app2 = await buildApp(s2);
    try {
      const admin2 = await injectSignIn(app2, ADMIN_TOKEN);
      const res = await app2.inject({ method: 'GET', url: '/admin/subscribers', headers: { cookie: admin2.cookie, accept: 'text/html' } });
      expect(active(res.body)).toBe(before + 1);
    } finally {
      await app2.close();
      await s2.close();
    }
    expect(env.s.subscriberCounts).not.toBe(s2.subscriberCounts);
  });
});
