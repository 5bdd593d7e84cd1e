// GET /api/announcements/:id/deliveries with workers running: paging, filters, validation,
// and an admin retry of a failed delivery.
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkers, type RunningWorkers } from '../../workers/index.js';
import { LIBRARIAN_TOKEN, fixture, waitFor } from '../support/harness.js';
import { call, httpEnv, type HttpEnv } from './helpers.js';

let env: HttpEnv;
let workers: RunningWorkers;
let id: string;

interface Item { channel: string; recipient: string; status: string; attempts: number; address: string; externalId: string | null; updatedAt: string; error: string | null; possibleDuplicate: boolean }

async function pageThrough(query: string, limit: number): Promise<{ items: Item[]; sizes: number[] }> {
  const items: Item[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const url: string = `/api/announcements/${id}/deliveries?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await call(env.app, 'GET', url, { token: LIBRARIAN_TOKEN });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { items: Item[]; next: string | null };
    items.push(...body.items);
    sizes.push(body.items.length);
    if (!body.next) return { items, sizes };
    cursor = body.next;
  }
  throw new Error('paging never ended');
}

async function waitFinal(annId: string) {
  return waitFor(async () => {
    const v = (await call(env.app, 'GET', `/api/announcements/${annId}`)).json();
    return v.status === 'done' || v.status === 'done_with_failures' ? v : null;
  }, { what: 'announcement final' });
}

beforeAll(async () => {
  env = await httpEnv();
  for (let i = 0; i < 30; i++) {
    await env.s.subscribers.upsert({ channel: 'email', address: `reader${i}@example.edu`, topics: ['hours'], language: 'both', status: 'active' });
  }
  await env.s.subscribers.upsert({ channel: 'email', address: 'other@example.edu', topics: ['training'], language: 'both', status: 'active' });
  workers = await startWorkers(env.s);
  const res = await call(env.app, 'POST', '/api/announcements', { body: fixture('holiday-hours'), token: LIBRARIAN_TOKEN });
  expect(res.statusCode).toBe(202);
  id = res.json().id;
  const view = await waitFinal(id);
  expect(view).toMatchObject({ status: 'done', deliveries: { email: { total: 30, sent: 30 }, rss: { total: 1, sent: 1 } } });
});

afterAll(async () => {
  await workers?.close();
  await env.dispose();
});

describe('deliveries log', () => {
  it('pages e-mail deliveries 7 at a time: 30 distinct recipients, each once', async () => {
    const { items, sizes } = await pageThrough('channel=email', 7);
    expect(sizes).toEqual([7, 7, 7, 7, 2]);
    const addresses = items.map((d) => d.address);
    expect(new Set(addresses).size).toBe(30);
    expect(new Set(items.map((d) => d.recipient)).size).toBe(30);
    expect(addresses.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `reader${i}@example.edu`).sort());
    expect(items.every((d) => d.channel === 'email' && d.status === 'sent' && d.attempts === 1 && d.error === null)).toBe(true);
    expect(items[0]).toEqual({
      channel: 'email', recipient: expect.any(String), status: 'sent', attempts: 1, error: null,
      externalId: expect.any(String), updatedAt: expect.any(String), address: expect.any(String), possibleDuplicate: false,
      // What a correction acts on: the message's own id, when it went out, which revision, a first send.
      kind: 'send', revision: 1, sentAt: expect.any(String), ref: { messageId: expect.stringMatching(/^<.+@crier>$/) },
    });
    expect(readdirSync(env.outbox).filter((f) => f.endsWith('.eml'))).toHaveLength(30);
  });

  it('without a channel pages through every channel', async () => {
    const { items } = await pageThrough('', 7);
    expect(items).toHaveLength(31);
    expect(items.filter((d) => d.channel === 'rss')).toEqual([expect.objectContaining({ recipient: 'feed', status: 'sent' })]);
  });

  it('filters by status', async () => {
    expect((await pageThrough('channel=email&status=sent', 10)).items).toHaveLength(30);
    expect((await pageThrough('channel=email&status=failed', 10)).items).toHaveLength(0);
    expect((await pageThrough('status=sent', 50)).items).toHaveLength(31);
  });

  it('400 naming the query field for a bad channel, status, cursor or limit', async () => {
    for (const [query, parameter] of [
      ['channel=slack', 'channel'], ['channel=carrier-pigeon', 'channel'], ['status=lost', 'status'],
      ['cursor=nonsense', 'cursor'], ['cursor=1.2', 'cursor'], ['limit=0', 'limit'], ['limit=abc', 'limit'],
    ]) {
      const res = await call(env.app, 'GET', `/api/announcements/${id}/deliveries?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_query', parameter });
      expect(res.json().message).toContain(parameter);
    }
  });

  it('an admin retry re-queues a failed delivery, which is then sent again', async () => {
    const [victim] = (await pageThrough('channel=email', 1)).items;
    const t = await env.s.deliveries.transition(id, 'email', victim.recipient, 'failed', ['sent'], { error: 'simulated' });
    expect(t.applied).toBe(true);
    expect((await pageThrough('channel=email&status=failed', 10)).items.map((d) => d.recipient)).toEqual([victim.recipient]);

    // ?channel= names one of its channels; another is refused, naming the parameter, and changes nothing.
    const wrong = await call(env.app, 'POST', `/api/announcements/${id}/retry?channel=slack`);
    expect(wrong.statusCode).toBe(400);
    expect(JSON.stringify(wrong.json())).toContain('channel');
    expect((await env.s.deliveries.get(id, 'email', victim.recipient))?.status).toBe('failed');
    const other = await call(env.app, 'POST', `/api/announcements/${id}/retry?channel=rss`);
    expect(other.json()).toEqual({ requeued: 0 });

    const res = await call(env.app, 'POST', `/api/announcements/${id}/retry?channel=email`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ requeued: 1 });
    await waitFor(async () => (await env.s.deliveries.get(id, 'email', victim.recipient))?.status === 'sent', { what: 'resent' });
    expect((await pageThrough('channel=email&status=failed', 10)).items).toHaveLength(0);
  });
});
