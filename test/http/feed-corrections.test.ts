// Corrections in GET /feeds/rss.xml: posted over the API and delivered into the feed by the
// workers, then edited (the store rewritten as the core's edit does) and corrected through the
// RSS channel: the item keeps its guid and pubDate, shows the new text and an atom:updated
// date; a retraction takes it out of the feed. Read back with an independent XML parser.
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkers, type RunningWorkers } from '../../workers/index.js';
import type { Announcement, CorrectionTask } from '../../src/types.js';
import { fixture, waitFor } from '../support/harness.js';
import { call, httpEnv, type HttpEnv } from './helpers.js';

let env: HttpEnv;
let workers: RunningWorkers;
let id: string;
let other: string;

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', isArray: (name) => name === 'item' });
interface Item { title: string; description: string; guid: { '#text': string }; pubDate: string; 'atom:updated'?: string }

async function feed() {
  const res = await call(env.app, 'GET', '/feeds/rss.xml?lang=en', { token: null });
  expect(res.statusCode).toBe(200);
  const doc = parser.parse(res.body);
  const items: Item[] = doc.rss.channel.item ?? [];
  return { doc, byId: new Map(items.map((i) => [i.guid['#text'], i])) };
}

async function post(name: string): Promise<string> {
  const res = await call(env.app, 'POST', '/api/announcements', { body: fixture(name) });
  expect(res.statusCode).toBe(202);
  const annId = res.json().id as string;
  await waitFor(async () => (await env.s.announcements.status(annId)) === 'done', { what: `${name} done` });
  return annId;
}

/** What the core's edit leaves in the store: the new content, the next revision, updatedAt. */
async function rewrite(annId: string, change: Partial<Announcement>): Promise<Announcement> {
  const next = { ...(await env.s.announcements.get(annId))!, ...change };
  const { status: _status, ...data } = next;
  await env.s.redis.hset(env.s.keys.announcement(annId), 'data', JSON.stringify(data));
  return next;
}

async function correct(kind: CorrectionTask['kind'], ann: Announcement) {
  const rec = await env.s.deliveries.get(ann.id, 'rss', 'feed');
  return env.s.channels.get('rss')!.correct!({
    kind, ann, sent: { ref: rec?.ref, externalId: rec?.externalId ?? null, revision: 1 },
    recipient: { id: 'feed', address: 'rss', language: 'both' }, delivery: { id: `${ann.id}.r${ann.revision}.rss.feed`, attempt: 1 },
  });
}

beforeAll(async () => {
  env = await httpEnv();
  workers = await startWorkers(env.s);
  id = await post('holiday-hours');
  other = await post('english-only');
});
afterAll(async () => {
  await workers?.close();
  await env.dispose();
});

describe('RSS corrections', () => {
  it('the send returns the guid the feed uses', async () => {
    const ch = env.s.channels.get('rss')!;
    const res = await ch.send(ch.render((await env.s.announcements.get(id))!, { id: 'feed', address: 'rss', language: 'both' }), { id: 'feed', address: 'rss', language: 'both' }, { id: 'x', attempt: 1 });
    expect(res.ref).toEqual({ guid: id });
    expect((await feed()).byId.has(id)).toBe(true);
  });

  it('an edit keeps the guid and pubDate, shows the new text and an updated date', async () => {
    const before = (await feed()).byId.get(id)!;
    expect(before['atom:updated']).toBeUndefined();
    const ann = await rewrite(id, {
      title: { en: 'Opening hours during the holiday (corrected)' },
      body: { en: 'The library closes at **16:00**, not 17:00.' },
      revision: 2, updatedAt: '2030-01-02T03:04:05.000Z',
    });
    const out = await correct('edit', ann);
    expect(out).toMatchObject({ action: 'edit', ref: { guid: id } });
    // Applying it again (a retried job) is the same success.
    expect((await correct('edit', ann)).action).toBe('edit');
    const { doc, byId } = await feed();
    const after = byId.get(id)!;
    expect(after.title).toBe('Opening hours during the holiday (corrected)');
    expect(after.description).toContain('<strong>16:00</strong>');
    expect(after.pubDate).toBe(before.pubDate);
    expect(after['atom:updated']).toBe('2030-01-02T03:04:05.000Z');
    expect(doc.rss['@_xmlns:atom']).toBe('http://www.w3.org/2005/Atom');
    expect(doc.rss['@_version']).toBe('2.0');
    expect(byId.get(other)!['atom:updated']).toBeUndefined();
  });

  it('a retraction takes the item out of the feed, and a second one is done with a note', async () => {
    const ann = await rewrite(id, { revision: 3, retracted: true });
    expect(await correct('retract', ann)).toEqual({ action: 'retract', ref: { guid: id }, note: 'the item left the feed' });
    const { byId } = await feed();
    expect(byId.has(id)).toBe(false);
    expect(byId.has(other)).toBe(true);
    expect(await correct('retract', ann)).toMatchObject({ action: 'retract', note: 'the item was already out of the feed' });
  });

  it('an edit of an item no longer in the feed changes nothing', async () => {
    const ann = (await env.s.announcements.get(id))!;
    expect(await correct('edit', { ...ann, retracted: false })).toMatchObject({ action: 'none', note: 'the item had already left the feed; nothing to change' });
    expect((await feed()).byId.has(id)).toBe(false);
  });
});
