// What the dashboard pages show (app.inject): list, search and paging; one announcement with
// its renderings and delivery log; queue numbers and throughput; subscriber counts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { escapeHtml, segmentWidths } from '../../src/admin/html.js';
import { queueCounts, throughput } from '../../src/admin/queue-stats.js';
import { validateAnnouncement } from '../../src/announcement/schema.js';
import type { Queue } from 'bullmq';
import { ADMIN_TOKEN, fixture } from '../support/harness.js';
import { httpEnv, type HttpEnv } from '../http/helpers.js';
import { injectSignIn, type InjectedSession } from './support.js';

let env: HttpEnv;
let sess: InjectedSession;

async function create(input: Record<string, unknown>): Promise<string> {
  const v = validateAnnouncement(env.s.producer.schema, { body: { en: 'Body text.' }, topics: ['hours'], ...input });
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return (await env.s.producer.create(v.value, { createdBy: 'test' })).id;
}

const page = (url: string) => env.app.inject({ method: 'GET', url, headers: { cookie: sess.cookie, accept: 'text/html' } });
const annIds = (html: string) => [...html.matchAll(/<article class="ann" data-ann="([^"]+)"/g)].map((m) => m[1]);

beforeEach(async () => {
  env = await httpEnv();
  sess = await injectSignIn(env.app, ADMIN_TOKEN);
});

afterEach(async () => {
  await env.dispose();
});

describe('announcements page', () => {
  it('lists newest first with per-channel bars, pages with a cursor, and searches text and topic', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 23; i++) {
      ids.push(await create({ title: { en: `Notice ${i}` }, topics: [i === 5 ? 'databases' : 'hours'], body: { en: i === 7 ? 'A TYPHOON is coming.' : 'Plain.' } }));
      await new Promise((r) => setTimeout(r, 2));
    }
    const first = await page('/admin');
    expect(first.statusCode).toBe(200);
    expect(annIds(first.body)).toEqual(ids.slice(-20).reverse());
    expect(first.body).toContain('data-live-insert="1"');
    expect(first.body).toMatch(/class="progress" data-channel="email"[\s\S]*?data-n="total">0</);
    const cursor = /href="\/admin\?cursor=([^"]+)"/.exec(first.body)![1];
    const second = await page(`/admin?cursor=${cursor}`);
    expect(annIds(second.body)).toEqual(ids.slice(0, 3).reverse());
    expect(second.body).not.toContain('data-live-insert');

    const found = await page('/admin?q=typhoon');
    expect(annIds(found.body)).toEqual([ids[7]]);
    expect(found.body).toContain('among the newest 23 announcements');
    expect(annIds((await page('/admin?topic=databases')).body)).toEqual([ids[5]]);
    expect(annIds((await page('/admin?q=notice+1&topic=hours')).body)).toEqual(ids.filter((_, i) => [1, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19].includes(i)).reverse());
    expect((await page('/admin?topic=unknown')).statusCode).toBe(400);
    expect((await page('/admin?cursor=bogus')).statusCode).toBe(400);
  });

  it('serves one row and its counts for the page script', async () => {
    const id = await create({ title: { en: 'Row' } });
    await env.s.deliveries.enqueueMany(id, 'email', [{ id: 'x', address: 'x@example.edu', language: 'en' }]);
    const row = await page(`/admin/fragments/announcement-row/${id}`);
    expect(row.body).toMatch(new RegExp(`^<article class="ann" data-ann="${id}">`));
    const sum = await env.app.inject({ method: 'GET', url: `/admin/api/announcements/${id}/summary`, headers: { cookie: sess.cookie } });
    expect(sum.json()).toMatchObject({ id, status: 'queued', channels: { email: { total: 1, queued: 1 } } });
    expect((await page('/admin/fragments/announcement-row/nope')).statusCode).toBe(404);
  });
});

describe('progress bar', () => {
  it('keeps a single failure among 1,000 visible and the bar within its width', () => {
    expect(segmentWidths({ sent: 999, failed: 1, skipped: 0, queued: 0 }, 1000)).toEqual([994, 6, 0, 0]);
    expect(segmentWidths({ sent: 1, failed: 1, skipped: 1, queued: 0 }, 3)).toEqual([333, 333, 333, 0]);
    expect(segmentWidths({ sent: 1, failed: 0, skipped: 0, queued: 1 }, 2)).toEqual([500, 0, 0, 500]);
    expect(segmentWidths({ sent: 2, failed: 0, skipped: 0, queued: 1 }, 3).reduce((a, b) => a + b)).toBeLessThanOrEqual(1000);
    expect(segmentWidths({ sent: 0, failed: 0, skipped: 0, queued: 0 }, 0)).toEqual([0, 0, 0, 0]);
  });
});

describe('one announcement', () => {
  it('shows each channel\'s rendering as crier preview prints it, escaped', async () => {
    const id = await create({ ...fixture('hostile-markup'), channels: ['email', 'rss'] });
    const ann = (await env.s.announcements.get(id))!;
    const body = (await page(`/admin/announcements/${id}?lang=en`)).body;
    for (const [name, label] of [['email', 'E-mail'], ['rss', 'RSS feed and news page']]) {
      const ch = env.s.channels.get(name)!;
      const text = ch.preview(ch.render(ann, { id: 'sample', address: name === 'email' ? 'reader@example.edu' : 'sample', language: 'en' }));
      expect(body).toContain(`<summary>${label}</summary><pre>${escapeHtml(text)}</pre>`);
    }
    expect(body).not.toMatch(/<script>/i);
  });

  it('pages and filters the delivery log and marks failures, duplicates and gone recipients', async () => {
    const id = await create({ title: { en: 'Log' }, channels: ['email'] });
    const rs = Array.from({ length: 60 }, (_, i) => ({ id: `r${i}`, address: `r${i}@example.edu`, language: 'en' as const }));
    await env.s.deliveries.enqueueMany(id, 'email', rs);
    for (const r of rs.slice(0, 55)) await env.s.deliveries.transition(id, 'email', r.id, 'sent', ['queued']);
    for (const r of rs.slice(55, 59)) await env.s.deliveries.transition(id, 'email', r.id, 'failed', ['queued'], { error: `bounced: 550 no user ${r.id}`, gone: r.id === 'r55' });
    await env.s.deliveries.transition(id, 'email', 'r59', 'sending', ['queued'], { possibleDuplicate: true }, { countAttempt: true });

    const all = await page(`/admin/announcements/${id}`);
    const rows = (h: string) => [...h.matchAll(/<tr class="d-(\w+)" data-recipient="([^"]+)"/g)].map((m) => [m[1], m[2]]);
    expect(rows(all.body)).toHaveLength(50);
    const next = /href="([^"]+cursor=[^"#]+)#log"/.exec(all.body)![1].replace(/&amp;/g, '&');
    const rest = rows((await page(next)).body);
    expect(rest).toHaveLength(10);
    expect(new Set([...rows(all.body), ...rest].map((r) => r[1])).size).toBe(60);

    const failed = await page(`/admin/announcements/${id}?status=failed`);
    expect(rows(failed.body).map((r) => r[0])).toEqual(['failed', 'failed', 'failed', 'failed']);
    expect(failed.body).toContain('bounced: 550 no user r56');
    expect(failed.body).toMatch(/data-recipient="r55"[\s\S]*?badge gone/);
    expect(failed.body).toContain('Retry 4 failed');
    expect((await page(`/admin/announcements/${id}?status=sending`)).body).toMatch(/data-recipient="r59"[\s\S]*?possible duplicate[\s\S]*?data-label="Attempts" class="num">1</);
    const fragment = await page(`/admin/announcements/${id}?status=failed&fragment=log`);
    expect(fragment.body).toMatch(/^<section id="log"/);
    expect((await page(`/admin/announcements/${id}?status=bogus`)).statusCode).toBe(400);
    expect((await page(`/admin/announcements/${id}?channel=slack`)).statusCode).toBe(400);
    expect((await page('/admin/announcements/nope')).statusCode).toBe(404);
  });
});

describe('queues and subscribers', () => {
  it('counts each queue and draws the last hour of completed jobs', async () => {
    await env.s.queues.deliver('email').add('deliver', { announcementId: 'a', channel: 'email', recipients: [] }, { priority: 2 });
    await env.s.queues.deliver('email').add('deliver', { announcementId: 'a', channel: 'email', recipients: [] }, { delay: 60_000 });
    const counts = await queueCounts(env.s);
    expect(counts.map((c) => c.queue)).toEqual(['dispatch', 'deliver-email', 'deliver-rss']);
    expect(counts[1]).toMatchObject({ channel: 'email', depth: 1, prioritized: 1, delayed: 1, active: 0, failed: 0, paused: false });
    const html = (await page('/admin/queues-overview')).body;
    expect(html).toMatch(/data-queue="deliver-email"[\s\S]*?data-label="Depth" class="num">1</);
    expect(html).toContain('<svg class="spark"');
  });

  it('aligns BullMQ\'s per-minute metrics on the current minute', async () => {
    const now = Date.UTC(2030, 0, 1, 12, 30, 20);
    const fake = (meta: { count: number; prevTS: number; prevCount: number }, data: number[]) =>
      ({ getMetrics: async () => ({ meta, data, count: data.length }) }) as unknown as Queue;
    // prevTS in the current minute: 3 so far this minute; data[0] is the minute before.
    let t = await throughput(fake({ count: 10, prevTS: now - 5_000, prevCount: 7 }, [4, 0, 2]), 60, now);
    expect(t.perMinute.slice(-4)).toEqual([2, 0, 4, 3]);
    expect(t.total).toBe(9);
    // Nothing completed for 10 minutes: the lazily appended list ends 10 minutes ago.
    t = await throughput(fake({ count: 5, prevTS: now - 10 * 60_000, prevCount: 4 }, [6]), 60, now);
    expect(t.perMinute.slice(-12)).toEqual([6, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    t = await throughput(fake({ count: 0, prevTS: 0, prevCount: 0 }, []), 60, now);
    expect(t.total).toBe(0);
  });

  it('counts subscribers per channel, topic and language and lists the newest and the departed', async () => {
    const up = (address: string, topics: string[], language: 'en' | 'zh' | 'both', status: 'active' | 'unsubscribed' = 'active') =>
      env.s.subscribers.upsert({ channel: 'email', address, topics, language, status });
    await up('a@example.edu', ['hours'], 'en');
    await up('b@example.edu', ['*'], 'zh');
    await up('c@example.edu', ['events'], 'both', 'unsubscribed');
    const html = (await page('/admin/subscribers?refresh=1')).body;
    expect(html).toMatch(/<h2>email: <span data-n="active">2<\/span> active/);
    expect(html).toMatch(/<th scope="row">everything \(\*\)<\/th><td class="num">1</);
    expect(html).toMatch(/<th scope="row">zh<\/th><td class="num">1</);
    expect(html).toMatch(/Latest departures[\s\S]*c@example\.edu/);
    expect(html).toMatch(/Newest sign-ups[\s\S]*c@example\.edu[\s\S]*b@example\.edu[\s\S]*a@example\.edu[\s\S]*Latest departures/);
  });
});
