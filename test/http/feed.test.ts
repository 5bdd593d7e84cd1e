// GET /feeds/rss.xml end to end: announcements posted over the API, delivered into the feed by
// the workers, read back with an independent XML parser.
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { startWorkers, type RunningWorkers } from '../../workers/index.js';
import { disposeServices, fixture, testConfig, testServices, waitFor } from '../support/harness.js';
import { call, httpEnv, type HttpEnv } from './helpers.js';

let env: HttpEnv;
let workers: RunningWorkers;
const ids: Record<string, string> = {};

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', isArray: (name) => name === 'item' || name === 'category' });

interface Item { title: string; description: string; link: string; guid: { '#text': string; '@_isPermaLink': string }; pubDate: string; category: string[] }

async function feed(query = '') {
  const res = await call(env.app, 'GET', `/feeds/rss.xml${query}`, { token: null });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('application/rss+xml; charset=utf-8');
  const doc = parser.parse(res.body);
  const items: Item[] = doc.rss.channel.item ?? [];
  return { doc, items, byId: new Map(items.map((i) => [i.guid['#text'], i])) };
}

async function post(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await call(env.app, 'POST', '/api/announcements', { body: { ...fixture(name), ...extra } });
  expect(res.statusCode).toBe(202);
  const id = res.json().id as string;
  await waitFor(async () => (await env.s.announcements.status(id)) === 'done', { what: `${name} done` });
  return id;
}

beforeAll(async () => {
  env = await httpEnv();
  workers = await startWorkers(env.s);
  ids.expiring = await post('english-only', { expiresAt: new Date(Date.now() + 4000).toISOString() });
  ids.bilingual = await post('holiday-hours');
  ids.zhOnly = await post('chinese-only');
  ids.hostile = await post('hostile-markup');
});

afterAll(async () => {
  await workers?.close();
  await env.dispose();
});

describe('RSS feed', () => {
  it('is RSS 2.0 with the library as channel and one item per announcement', async () => {
    const { doc, items, byId } = await feed();
    expect(doc.rss['@_version']).toBe('2.0');
    const ch = doc.rss.channel;
    expect(ch.title).toBe('大学图书馆 / University Library');
    expect(ch.link).toBe('http://crier.test');
    expect(ch['atom:link']['@_href']).toBe('http://crier.test/feeds/rss.xml');
    expect(items.map((i) => i.guid['#text']).sort()).toEqual(Object.values(ids).sort());
    // Newest first.
    expect(items[0].guid['#text']).toBe(ids.hostile);
    for (const item of items) {
      expect(item.guid['@_isPermaLink']).toBe('false');
      expect(Number.isNaN(Date.parse(item.pubDate))).toBe(false);
      expect(item.title.length).toBeGreaterThan(0);
    }
    const bi = byId.get(ids.bilingual)!;
    expect(bi.title).toBe('国庆假期图书馆开放时间调整 / Opening hours during the National Day holiday');
    expect(bi.category).toEqual(['hours']);
    expect(bi.link).toBe(fixture('holiday-hours').link);
    expect(byId.get(ids.zhOnly)!.link).toBe('http://crier.test'); // no link of its own: the library's
    expect(bi.description).toContain('<strong>09:00–17:00</strong>');
    expect(new Date(bi.pubDate).getTime()).toBe(Math.floor(Date.parse((await env.s.announcements.get(ids.bilingual))!.publishedAt) / 1000) * 1000);
  });

  it('filters by topic', async () => {
    const { items } = await feed('?topic=events');
    expect(items.map((i) => i.guid['#text'])).toEqual([ids.zhOnly]);
    expect((await feed('?topic=databases')).items).toEqual([]);
  });

  it('lang=en gives English titles for bilingual items and keeps Chinese-only ones', async () => {
    const { doc, byId } = await feed('?lang=en');
    expect(doc.rss.channel.title).toBe('University Library');
    const bi = byId.get(ids.bilingual)!;
    expect(bi.title).toBe('Opening hours during the National Day holiday');
    expect(bi.description).not.toContain('总馆');
    expect(byId.get(ids.zhOnly)!.title).toBe('“书香校园”读书月活动开幕');
    const zh = await feed('?lang=zh');
    expect(zh.byId.get(ids.bilingual)!.title).toBe('国庆假期图书馆开放时间调整');
  });

  it('shows hostile markup as text, never live', async () => {
    const { byId } = await feed();
    const item = byId.get(ids.hostile)!;
    expect(item.description).not.toMatch(/<\s*(script|iframe|img)\b/i);
    expect(item.description).not.toMatch(/href\s*=\s*["']?\s*javascript:/i);
    expect(item.description).toContain('&lt;script&gt;');
    expect(item.title).toContain('<b>quota</b>'); // plain text: the XML carries it escaped/CDATA, a reader shows it verbatim
  });

  it('400 JSON naming the parameter for an unknown topic or language', async () => {
    for (const [q, parameter] of [['?topic=nope', 'topic'], ['?lang=fr', 'lang']]) {
      const res = await call(env.app, 'GET', `/feeds/rss.xml${q}`, { token: null });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json()).toMatchObject({ error: 'invalid_query', parameter });
    }
  });

  it('drops an announcement once it expires', async () => {
    await waitFor(async () => !(await feed()).byId.has(ids.expiring), { what: 'expired item gone', timeoutMs: 10_000, intervalMs: 250 });
    const { byId } = await feed();
    expect([...byId.keys()].sort()).toEqual([ids.bilingual, ids.zhOnly, ids.hostile].sort());
    expect(Date.parse((await env.s.announcements.get(ids.expiring))!.expiresAt!)).toBeLessThanOrEqual(Date.now());
  });

  it('is 404 when RSS is not enabled', async () => {
    const s = testServices(testConfig({ channels: { rss: { enabled: false } } }));
    const app = await buildApp(s);
    try {
      const res = await app.inject({ method: 'GET', url: '/feeds/rss.xml' });
      expect(res.statusCode).toBe(404);
      expect(res.json().error).toBe('not_found');
    } finally {
      await app.close();
      await disposeServices(s);
    }
  });
});
