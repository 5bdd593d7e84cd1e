// The manage page behind every mail's footer link: GET only shows, POST saves topics and
// language or unsubscribes from everything; the token is the credential, cross-site posts and
// bad links are refused; the link is in every announcement mail beside the RFC 8058 headers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Subscriber } from '../../src/store/subscribers.js';
import { manageUrl } from '../../src/subscriptions/links.js';
import { subscriptionsFor } from '../../src/subscriptions/service.js';
import { waitFor } from '../support/harness.js';
import { listUnsubscribe, mailsTo, pathOf, postAnnouncement, subEnv, waitDone, type SubEnv } from './helpers.js';

let env: SubEnv;
beforeAll(async () => {
  env = await subEnv({ workers: true });
});
afterAll(() => env.dispose());

async function active(address: string, language: 'en' | 'zh' | 'both', topics = ['hours']): Promise<Subscriber> {
  return (await env.s.subscribers.upsert({ channel: 'email', address, topics, language, status: 'active' })).subscriber;
}
const linkOf = async (sub: Subscriber) => pathOf(manageUrl(env.s.config, await subscriptionsFor(env.s).ready(), sub.id));
const get = (url: string) => env.app.inject({ method: 'GET', url });
const post = (url: string, fields: [string, string][], headers: Record<string, string> = {}) =>
  env.app.inject({ method: 'POST', url, payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });

describe('the manage link in every mail', () => {
  it('is in the footer of an announcement mail (text and HTML), beside the one-click unsubscribe headers, and opens the page', async () => {
    const sub = await active('footer@example.edu', 'en');
    const { id } = await postAnnouncement(env.s, 'holiday-hours');
    await waitDone(env.s, id);
    const [mail] = await waitFor(() => (mailsTo(env.smtp, sub.address).length ? mailsTo(env.smtp, sub.address) : null), { what: 'the announcement mail' });
    const m = /Manage your subscription: (http:\/\/crier\.test\/subscriptions\/manage\?token=\S+)/.exec(mail.parsed.text ?? '');
    expect(m, mail.parsed.text).not.toBeNull();
    expect(mail.parsed.html).toContain(`href="${m![1]}"`);
    expect(listUnsubscribe(mail.parsed)).toMatchObject({ post: 'List-Unsubscribe=One-Click' });
    expect(listUnsubscribe(mail.parsed).url).toMatch(/\/subscriptions\/unsubscribe\?token=/);
    expect((await get(pathOf(m![1]))).statusCode).toBe(200);
  });
});

describe('GET /subscriptions/manage', () => {
  it('shows the subscriber\'s topics and language in their language, with Save and Unsubscribe from everything, and changes nothing', async () => {
    const sub = await active('zh.reader@example.edu', 'zh', ['hours', 'events']);
    const link = await linkOf(sub);
    const zh = await get(link);
    expect(zh.statusCode).toBe(200);
    expect(zh.body).toContain('<html lang="zh-CN">');
    expect(zh.body).toContain('<input type="checkbox" name="topics" value="events" checked> 活动</label>');
    expect(zh.body).toContain('<input type="checkbox" name="topics" value="training"> 培训</label>');
    expect(zh.body).toContain('<input type="radio" name="language" value="zh" checked> 中文</label>');
    expect(zh.body).toContain('>保存</button>');
    expect(zh.body).toContain('>全部退订</button>');
    expect(zh.body).not.toMatch(/<script|\son[a-z]+=/i);
    expect(zh.headers['referrer-policy']).toBe('no-referrer');
    const en = await get(`${link}&lang=en`);
    expect(en.body).toContain('<html lang="en">');
    expect(en.body).toContain('<button type="submit" name="action" value="save">Save</button>');
    expect(en.body).toContain('<button type="submit" class="danger" name="action" value="unsubscribe">Unsubscribe from everything</button>');
    expect(await env.s.subscribers.get(sub.id)).toMatchObject({ status: 'active', topics: ['hours', 'events'] });
  });

  it('answers a damaged link or a deleted subscriber\'s link with the bad-link page', async () => {
    const sub = await active('gone@example.edu', 'en');
    const link = await linkOf(sub);
    expect((await get('/subscriptions/manage?token=nonsense')).statusCode).toBe(400);
    await subscriptionsFor(env.s).remove(sub.id);
    const res = await get(link);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('no longer exists');
  });
});

describe('POST /subscriptions/manage', () => {
  it('saves new topics and language', async () => {
    const sub = await active('changer@example.edu', 'en', ['hours']);
    const res = await post(await linkOf(sub), [['action', 'save'], ['topics', 'databases'], ['topics', 'training'], ['language', 'both']]);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Saved. You will receive announcements about: Databases, Training.');
    expect(await env.s.subscribers.get(sub.id)).toMatchObject({ status: 'active', topics: ['databases', 'training'], language: 'both' });
  });

  it('refuses a save with no topic beside the topics, and keeps the subscription as it was', async () => {
    const sub = await active('empty@example.edu', 'en', ['hours']);
    const res = await post(await linkOf(sub), [['action', 'save'], ['language', 'zh']]);
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/<p class="error" id="topics-error">Choose at least one topic/);
    expect(res.body).toContain('<input type="radio" name="language" value="zh" checked>');
    expect(await env.s.subscribers.get(sub.id)).toMatchObject({ topics: ['hours'], language: 'en' });
  });

  it('unsubscribes from everything, and a later save subscribes again', async () => {
    const sub = await active('leaver@example.edu', 'en', ['hours']);
    const link = await linkOf(sub);
    const res = await post(link, [['action', 'unsubscribe']]);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('leaver@example.edu will receive no more University Library announcement e-mails.');
    expect(res.body).not.toContain('Unsubscribe from everything</button>');
    expect((await env.s.subscribers.get(sub.id))!.status).toBe('unsubscribed');
    await post(link, [['action', 'save'], ['topics', 'events'], ['language', 'en']]);
    expect(await env.s.subscribers.get(sub.id)).toMatchObject({ status: 'active', topics: ['events'] });
  });

  it('refuses a post from another site, even with the token', async () => {
    const sub = await active('victim@example.edu', 'en', ['hours']);
    const link = await linkOf(sub);
    const foreign: Record<string, string>[] = [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { origin: 'null', 'sec-fetch-site': 'same-site' }];
    for (const headers of foreign) {
      expect((await post(link, [['action', 'unsubscribe']], headers)).statusCode).toBe(403);
    }
    expect((await env.s.subscribers.get(sub.id))!.status).toBe('active');
    // Its own form: the page's no-referrer policy makes the browser send "Origin: null".
    expect((await post(link, [['action', 'unsubscribe']], { origin: 'null', 'sec-fetch-site': 'same-origin' })).statusCode).toBe(200);
  });
});
