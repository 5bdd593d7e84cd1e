// The unsubscribe link's page and forms: GET shows (never unsubscribes), in the subscriber's
// language; the button's POST and the RFC 8058 one-click POST unsubscribe; the preferences form
// changes topics and language; escaping, headers, no script; links of deleted subscribers.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Subscriber } from '../../src/store/subscribers.js';
import { unsubscribeUrl } from '../../src/subscriptions/links.js';
import { subscriptionsFor } from '../../src/subscriptions/service.js';
import { deletePrefix } from '../support/harness.js';
import { pathOf, subEnv, type SubEnv } from './helpers.js';

let env: SubEnv;
beforeAll(async () => {
  env = await subEnv();
});
afterAll(() => env.dispose());
beforeEach(async () => {
  await deletePrefix(env.s.config.redis.url, env.s.config.redis.prefix);
});

async function active(address: string, language: 'en' | 'zh' | 'both' = 'en', topics = ['hours']): Promise<Subscriber> {
  return (await env.s.subscribers.upsert({ channel: 'email', address, topics, language, status: 'active' })).subscriber;
}
async function linkOf(sub: Subscriber): Promise<string> {
  return pathOf(unsubscribeUrl(env.s.config, await subscriptionsFor(env.s).ready(), sub.id));
}
const get = (url: string) => env.app.inject({ method: 'GET', url });
const post = (url: string, payload = '', type = 'application/x-www-form-urlencoded') =>
  env.app.inject({ method: 'POST', url, payload, headers: payload ? { 'content-type': type } : {} });
const status = async (id: string) => (await env.s.subscribers.get(id))!.status;

describe('GET /subscriptions/unsubscribe', () => {
  it('shows a page in the subscriber\'s language with an unsubscribe button and a preferences form, and unsubscribes nobody', async () => {
    const sub = await active('zh@example.edu', 'zh', ['hours', 'events']);
    const link = await linkOf(sub);
    for (let i = 0; i < 3; i++) {
      const res = await get(link); // mail scanners follow links, repeatedly
      expect(res.statusCode).toBe(200);
      if (i === 0) {
        expect(res.body).toContain('<html lang="zh-CN">');
        expect(res.body).toContain('<meta charset="utf-8">');
        expect(res.body).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
        expect(res.body).toContain('当前主题：开放时间、活动。');
        expect(res.body).toContain('退订全部通知');
        expect(res.body).not.toContain('Unsubscribe from all');
        expect(res.body).toMatch(/<form method="post" action="unsubscribe\?token=[A-Za-z0-9._%-]+">/);
        expect(res.body).toMatch(/<form method="post" action="preferences\?token=[A-Za-z0-9._%-]+">/);
        expect(res.body).toMatch(/<input type="checkbox" name="topics" value="hours" checked>/);
        expect(res.body).toMatch(/<input type="checkbox" name="topics" value="training">/);
        expect(res.body).toMatch(/<input type="radio" name="language" value="zh" checked>/);
        expect(res.body).not.toMatch(/<script|javascript:|\son[a-z]+=/i);
        expect(res.headers['content-security-policy']).toContain("default-src 'none'");
        expect(res.headers['referrer-policy']).toBe('no-referrer');
        expect(res.headers['cache-control']).toBe('no-store');
      }
    }
    const head = await env.app.inject({ method: 'HEAD', url: link });
    expect(head.statusCode).toBe(200);
    expect(await status(sub.id)).toBe('active');
  });

  it('shows both languages, Chinese first, for "both"; escapes what it shows', async () => {
    const sub = await active('a<b>&"c@example.edu', 'both');
    const res = await get(await linkOf(sub));
    expect(res.statusCode).toBe(200);
    expect(res.body.indexOf('退订全部通知')).toBeLessThan(res.body.indexOf('Unsubscribe from all announcements'));
    expect(res.body).toContain('a&lt;b&gt;&amp;&quot;c@example.edu');
    expect(res.body).not.toContain('a<b>');
  });

  it('400 page for a bad link or the link of a deleted subscriber', async () => {
    for (const url of ['/subscriptions/unsubscribe', '/subscriptions/unsubscribe?token=nope', '/subscriptions/unsubscribe?token=a.b&token=c.d']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.body).toContain('incomplete or damaged');
    }
    const sub = await active('bye@example.edu');
    const link = await linkOf(sub);
    await subscriptionsFor(env.s).remove(sub.id);
    expect((await get(link)).statusCode).toBe(400);
    const res = await post(link, 'List-Unsubscribe=One-Click');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('no longer exists');
    // A confirm token is no unsubscribe token.
    const signer = await subscriptionsFor(env.s).ready();
    const other = await active('other@example.edu');
    const wrong = signer.sign({ sub: other.id, purpose: 'confirm', exp: Math.floor(Date.now() / 1000) + 60 });
    expect((await post(`/subscriptions/unsubscribe?token=${wrong}`, 'List-Unsubscribe=One-Click')).statusCode).toBe(400);
    expect(await status(other.id)).toBe('active');
  });
});

describe('POST /subscriptions/unsubscribe', () => {
  it('one-click: unsubscribes at once with the RFC 8058 body, any body, or none; idempotent', async () => {
    const a = await active('a@example.edu');
    const b = await active('b@example.edu');
    const c = await active('c@example.edu', 'zh');
    const ra = await post(await linkOf(a), 'List-Unsubscribe=One-Click');
    expect(ra.statusCode).toBe(200);
    expect(ra.body).toContain("You're unsubscribed");
    expect(await status(a.id)).toBe('unsubscribed');
    const boundary = 'XyZ';
    const multipart = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`;
    expect((await post(await linkOf(b), multipart, `multipart/form-data; boundary=${boundary}`)).statusCode).toBe(200);
    expect(await status(b.id)).toBe('unsubscribed');
    const rc = await post(await linkOf(c));
    expect(rc.statusCode).toBe(200);
    expect(rc.body).toContain('不会再收到大学图书馆的通知邮件');
    expect(await status(c.id)).toBe('unsubscribed');
    expect((await post(await linkOf(a), 'List-Unsubscribe=One-Click')).statusCode).toBe(200);
    expect(await env.s.subscribers.countActive('email')).toBe(0);
  });

  it('an unsubscribe wins over an older confirm link (a scanner re-visiting it does not re-subscribe)', async () => {
    const sub = await active('again@example.edu');
    const signer = await subscriptionsFor(env.s).ready();
    const past = Math.floor(Date.now() / 1000) - 5;
    const oldConfirm = signer.sign({ sub: sub.id, purpose: 'confirm', iat: past, exp: past + 3600, topics: ['hours'], language: 'en' });
    await post(await linkOf(sub), 'List-Unsubscribe=One-Click');
    const res = await get(`/subscriptions/confirm?token=${oldConfirm}`);
    expect(res.statusCode).toBe(400);
    expect(await status(sub.id)).toBe('unsubscribed');
  });
});

describe('POST /subscriptions/preferences', () => {
  it('changes topics and language; "*" means everything; the page answers in the new language', async () => {
    const sub = await active('p@example.edu', 'en', ['hours']);
    const link = await linkOf(sub);
    const prefs = link.replace('/unsubscribe?', '/preferences?');
    const res = await post(prefs, 'topics=events&topics=training&topics=astrology&language=zh');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('您将收到以下主题的通知：活动、培训。');
    expect(await env.s.subscribers.get(sub.id)).toMatchObject({ id: sub.id, topics: ['events', 'training'], language: 'zh', status: 'active' });
    await post(prefs, 'topics=*&topics=hours&language=both');
    expect(await env.s.subscribers.get(sub.id)).toMatchObject({ topics: ['*'], language: 'both' });
  });

  it('no topic chosen: 400 with the form again and nothing changed', async () => {
    const sub = await active('q@example.edu', 'en', ['hours']);
    const prefs = (await linkOf(sub)).replace('/unsubscribe?', '/preferences?');
    const res = await post(prefs, 'language=zh');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Choose at least one topic');
    expect(res.body).toContain('action="preferences?token=');
    expect(await env.s.subscribers.get(sub.id)).toMatchObject({ topics: ['hours'], language: 'en' });
  });

  it('after unsubscribing, saving the form subscribes again (same subscriber)', async () => {
    const sub = await active('back@example.edu', 'en', ['hours']);
    const link = await linkOf(sub);
    const page = await post(link, 'List-Unsubscribe=One-Click');
    expect(page.body).toContain('Changed your mind?');
    expect(page.body).toContain('action="preferences?token=');
    await post(link.replace('/unsubscribe?', '/preferences?'), 'topics=databases&language=en');
    expect(await env.s.subscribers.get(sub.id)).toMatchObject({ status: 'active', topics: ['databases'] });
    expect(await env.s.subscribers.lastSequence()).toBe(1);
  });
});
