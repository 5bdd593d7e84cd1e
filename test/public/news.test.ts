// The public archive and announcement pages over app.inject: only what is published, not
// expired and not retracted; per topic and language; newest first and paginated; rendered from
// the same (sanitized) Markdown; and the cut messages' link to /news/<id>.
import { ctxFor } from '../support/channel-context.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMastodonChannel } from '../../channels/mastodon/channel.js';
import { createBotChannel } from '../../channels/webhooks/channels.js';
import { buildApp } from '../../src/http/app.js';
import type { Services } from '../../src/services.js';
import type { Announcement, AnnouncementStatus } from '../../src/types.js';
import { disposeServices, fixture, testConfig, testServices } from '../support/harness.js';

let s: Services;
let app: FastifyInstance;
const HOUR = 3600_000;
let seq = 0;

/** Stores an announcement as the producer would have, `minutesAgo` old. */
async function stored(over: Partial<Announcement> = {}, minutesAgo = 60): Promise<Announcement> {
  seq += 1;
  const created = new Date(Date.now() - minutesAgo * 60_000).toISOString();
  const ann: Announcement = {
    id: `n${String(seq).padStart(4, '0')}`,
    title: { en: `English title ${seq}`, zh: `中文标题 ${seq}` },
    body: { en: `Body **${seq}** in English.`, zh: `中文正文 **${seq}**。` },
    topics: ['hours'], priority: 'normal', channels: ['rss'],
    status: 'done' as AnnouncementStatus, createdAt: created, createdBy: 'test', publishedAt: created,
    ...over,
  };
  const { retracted, ...content } = ann;
  await s.announcements.save(content);
  if (retracted) {
    // Withdrawn the way the Corrector does it: a new revision with the retracted flag.
    const r = await s.announcements.revise(ann.id, { data: content, entry: { kind: 'retract', at: created, by: 'test' }, retract: true }, [ann.status]);
    if (!r.ok) throw new Error(`retract failed: ${r.reason}`);
  }
  return ann;
}

beforeAll(async () => {
  s = testServices(testConfig({ library: { baseUrl: 'http://crier.test', timezone: 'Asia/Shanghai' } }));
  app = await buildApp(s);
});
afterAll(async () => {
  await app.close();
  await disposeServices(s);
});

const get = (url: string, lang = 'en') => app.inject({ method: 'GET', url, headers: { 'accept-language': lang } });

describe('GET /news and /news/:id', () => {
  let visible: Announcement;
  const hidden: Record<string, Announcement> = {};

  beforeAll(async () => {
    visible = await stored({ topics: ['events'], body: { en: 'Meet **here**.\n\n<script>alert(1)</script>', zh: '在**这里**集合。' }, link: 'https://library.example.edu/e' }, 30);
    hidden.expired = await stored({ expiresAt: new Date(Date.now() - HOUR).toISOString() }, 20);
    hidden.scheduled = await stored({ status: 'scheduled', publishedAt: new Date(Date.now() + 24 * HOUR).toISOString() }, 10);
    hidden.cancelled = await stored({ status: 'cancelled' }, 9);
    hidden.retracted = await stored({ retracted: true }, 8);
  });

  it('shows one published announcement as a page in the reader\'s language, its Markdown rendered and markup inert', async () => {
    const en = await get(`/news/${visible.id}`);
    expect(en.statusCode).toBe(200);
    expect(en.body).toContain('<html lang="en">');
    expect(en.body).toContain(`<h1>${visible.title.en}</h1>`);
    expect(en.body).toContain('Meet <strong>here</strong>.');
    expect(en.body).not.toContain('<script>alert(1)</script>');
    expect(en.body).toContain('Details: <a href="https://library.example.edu/e" rel="noopener">');
    expect(en.body).toContain('<link rel="alternate" type="application/rss+xml"');
    expect(en.body).toContain('href="/feeds/rss.xml?lang=en"');
    expect(en.headers['cache-control']).toBe('no-store'); // a retraction shows at once
    const zh = await get(`/news/${visible.id}`, 'zh-CN');
    expect(zh.body).toContain('<html lang="zh-CN">');
    expect(zh.body).toContain('在<strong>这里</strong>集合。');
    expect(zh.body).toContain('<a href="/news?topic=events&amp;lang=zh">活动</a>');
  });

  it('answers 404 for an expired, scheduled, cancelled, retracted or unknown one, and leaves them out of the archive', async () => {
    for (const [why, ann] of Object.entries(hidden)) {
      const res = await get(`/news/${ann.id}`);
      expect(res.statusCode, why).toBe(404);
      expect(res.body).toContain('Announcement not found');
    }
    expect((await get('/news/nope')).statusCode).toBe(404);
    const list = await get('/news');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(`href="/news/${visible.id}?lang=en"`);
    for (const ann of Object.values(hidden)) expect(list.body).not.toContain(`/news/${ann.id}`);
  });

  it('filters by topic, names bad parameters, and links the matching feed', async () => {
    const events = await get('/news?topic=events&lang=zh');
    expect(events.body).toContain(`/news/${visible.id}`);
    expect(events.body).toContain('<a href="/news?topic=events&amp;lang=zh" aria-current="page">活动</a>');
    expect(events.body).toContain('href="/feeds/rss.xml?topic=events&amp;lang=zh"');
    const hours = await get('/news?topic=hours');
    expect(hours.body).not.toContain(`/news/${visible.id}`);
    const bad = await get('/news?topic=nosuch');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('topic');
    expect((await get('/news?cursor=xyz')).statusCode).toBe(400);
  });

  it('pages newest first, 20 a page, with a link to older ones', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 23; i++) ids.push((await stored({ topics: ['training'] }, 5 - i * 0.01)).id);
    const first = await get('/news?topic=training');
    const shown = [...first.body.matchAll(/href="\/news\/(n\d+)\?lang=en"/g)].map((m) => m[1]);
    expect(shown).toEqual([...ids].reverse().slice(0, 20));
    const next = /<a href="([^"]+)" rel="next">Older announcements<\/a>/.exec(first.body)![1].replace(/&amp;/g, '&');
    const second = await get(next);
    expect([...second.body.matchAll(/href="\/news\/(n\d+)\?lang=en"/g)].map((m) => m[1])).toEqual([...ids].reverse().slice(20));
    expect(second.body).not.toContain('rel="next"');
  });
});

describe('the link of a cut message', () => {
  const long = () => {
    const { link: _link, ...rest } = fixture('long-notice') as Record<string, unknown>;
    return { ...rest, id: 'a-long-one', channels: [], status: 'done', createdAt: new Date().toISOString(), createdBy: 't', publishedAt: new Date().toISOString(), priority: 'normal' } as unknown as Announcement;
  };

  it('is the announcement\'s public page on Mastodon and the chat robots when it has no link of its own', () => {
    const m = createMastodonChannel(ctxFor(s.config, 'mastodon', {} as never)).render(long(), { id: 'account', address: 'x', language: 'both' });
    expect(m.status.endsWith('\n\nhttp://crier.test/news/a-long-one')).toBe(true);
    const wecom = createBotChannel(s.config.library, { name: 'w', kind: 'wecom', url: 'https://qyapi.example/x', enabled: true, topics: ['*'] });
    const msg = JSON.stringify(wecom.render(long(), { id: 'robot', address: 'qyapi.example', language: 'both' }));
    expect(msg).toContain('…');
    expect(msg).toContain('(http://crier.test/news/a-long-one)');
  });
});
