// /admin/events over a real HTTP connection: progress events when deliveries change, coalesced,
// heartbeats, one shared Redis reader that closes when the last page goes.
import { request, type IncomingMessage } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_CSP, adminRoutes } from '../../src/admin/index.js';
import { ProgressHub } from '../../src/admin/live.js';
import { validateAnnouncement } from '../../src/announcement/schema.js';
import { createAuth } from '../../src/http/auth.js';
import type { Services } from '../../src/services.js';
import { ADMIN_TOKEN, disposeServices, testConfig, testServices, waitFor } from '../support/harness.js';
import { injectSignIn, type InjectedSession } from './support.js';

let s: Services;
let app: FastifyInstance;
let hub: ProgressHub;
let url: string;
let sess: InjectedSession;

beforeEach(async () => {
  s = testServices(testConfig({ channels: { email: { enabled: true, outbox: '/tmp/crier-unused-outbox' } } }));
  hub = new ProgressHub(s, 100);
  app = Fastify();
  await app.register(adminRoutes, { s, auth: createAuth(s.config.auth.tokens), hub, heartbeatMs: 200 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  sess = await injectSignIn(app, ADMIN_TOKEN);
});

afterEach(async () => {
  await app.close();
  await disposeServices(s);
});

interface Stream {
  res: IncomingMessage;
  text(): string;
  close(): void;
}

function openStream(cookie: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/admin/events`, { headers: { cookie, accept: 'text/event-stream' } }, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (buf += c));
      res.on('error', () => {});
      resolve({ res, text: () => buf, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

async function announcement(): Promise<string> {
  const v = validateAnnouncement(s.producer.schema, { title: { en: 'Live' }, body: { en: 'b' }, topics: ['hours'], channels: ['email'] });
  if (!v.ok) throw new Error('bad fixture');
  return (await s.producer.create(v.value, { createdBy: 'test' })).id;
}

function progressEvents(text: string): { id: string; status: string; channels: Record<string, Record<string, number>> }[] {
  return [...text.matchAll(/event: progress\ndata: (.*)\n\n/g)].map((m) => JSON.parse(m[1]));
}

describe('GET /admin/events', () => {
  it('streams the counts of an announcement whose deliveries change, then closes its Redis reader', async () => {
    const stream = await openStream(sess.cookie);
    expect(stream.res.statusCode).toBe(200);
    expect(stream.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.res.headers['content-security-policy']).toBe(ADMIN_CSP);
    await waitFor(() => hub.reading && hub.listenerCount === 1, { what: 'the hub reading' });
    await new Promise((r) => setTimeout(r, 300)); // the reader has resolved '$'
    const id = await announcement();
    await s.deliveries.enqueueMany(id, 'email', [{ id: 'a', address: 'a@example.edu', language: 'en' }, { id: 'b', address: 'b@example.edu', language: 'en' }]);
    await s.deliveries.transition(id, 'email', 'a', 'sent', ['queued']);
    const ev = await waitFor(() => progressEvents(stream.text()).find((e) => e.id === id && e.channels.email.sent === 1), { what: 'a progress event' });
    expect(ev.channels.email).toMatchObject({ total: 2, sent: 1, queued: 1, failed: 0 });
    await waitFor(() => stream.text().includes(': heartbeat\n\n'), { what: 'a heartbeat' });

    stream.close();
    await waitFor(() => !hub.reading && hub.listenerCount === 0, { what: 'the reader closed' });
  });

  it('coalesces a burst of events into a few messages that end with the final counts', async () => {
    const stream = await openStream(sess.cookie);
    await waitFor(() => hub.reading);
    await new Promise((r) => setTimeout(r, 300));
    const id = await announcement();
    const recipients = Array.from({ length: 60 }, (_, i) => ({ id: `r${i}`, address: `r${i}@example.edu`, language: 'en' as const }));
    await s.deliveries.enqueueMany(id, 'email', recipients);
    for (const r of recipients) await s.deliveries.transition(id, 'email', r.id, 'sent', ['queued']);
    await waitFor(() => progressEvents(stream.text()).some((e) => e.id === id && e.channels.email.sent === 60), { what: 'the final counts' });
    const mine = progressEvents(stream.text()).filter((e) => e.id === id);
    expect(mine.length).toBeLessThan(20); // 61 changes; at most one message per 100 ms
    stream.close();
  });

  it('shares one reader between pages, and ends the stream once the session is gone', async () => {
    const a = await openStream(sess.cookie);
    const b = await openStream(sess.cookie);
    await waitFor(() => hub.listenerCount === 2);
    a.close();
    await waitFor(() => hub.listenerCount === 1);
    expect(hub.reading).toBe(true);
    await app.inject({ method: 'POST', url: '/admin/logout', headers: { cookie: sess.cookie, 'x-csrf-token': sess.csrf } });
    await waitFor(() => b.res.complete, { what: 'the stream to end', timeoutMs: 3000 });
    await waitFor(() => !hub.reading);
  });

  it('refuses a visitor without a session', async () => {
    const stream = await openStream('crier_session=nope');
    expect(stream.res.statusCode).toBe(401);
    stream.close();
  });
});
