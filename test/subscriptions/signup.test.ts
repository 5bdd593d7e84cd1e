// GET/POST /subscribe over app.inject: the contract's labels and names in both languages, the
// same rules and answers as POST /api/subscribers, errors beside their fields with the typed
// values kept, and the two bot checks (honeypot, minimum fill time). The browser test
// (signup-browser.test.ts) walks the same page as a student would.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { subscriptionsFor, SUBSCRIBE_REQUESTS_PER_MINUTE } from '../../src/subscriptions/service.js';
import { disposeServices, testConfig, testServices, waitFor } from '../support/harness.js';
import { confirmationMail, freshIp, mailsTo, subEnv, type SubEnv } from './helpers.js';

let env: SubEnv;
beforeAll(async () => {
  env = await subEnv({ workers: true });
});
afterAll(() => env.dispose());

const get = (url: string, lang?: string) => env.app.inject({ method: 'GET', url, headers: lang ? { 'accept-language': lang } : {} });

/** A form token that started `ageSeconds` ago (the page's own one is always fresh). */
async function started(ageSeconds = 10): Promise<string> {
  const now = Math.floor(Date.now() / 1000) - ageSeconds;
  return (await subscriptionsFor(env.s).ready()).sign({ sub: 'signup', purpose: 'form', iat: now, exp: now + 3600 });
}

async function postForm(fields: [string, string][], ip = freshIp()) {
  return env.app.inject({
    method: 'POST', url: '/subscribe', remoteAddress: ip,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  });
}

describe('GET /subscribe', () => {
  it('is an English form by Accept-Language with the contract\'s labels and names, no script, a switch to Chinese', async () => {
    const res = await get('/subscribe', 'en-GB,en;q=0.9');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-language']).toBe('en');
    const b = res.body;
    expect(b).toContain('<html lang="en">');
    expect(b).toContain('<label for="email">E-mail</label>');
    expect(b).toMatch(/<input type="email" id="email" name="email"/);
    for (const [id, name] of [['hours', 'Opening hours'], ['events', 'Events'], ['training', 'Training']]) {
      expect(b).toContain(`<label class="choice"><input type="checkbox" name="topics" value="${id}"> ${name}</label>`);
    }
    for (const [v, label] of [['zh', '中文'], ['en', 'English'], ['both', 'Both']]) {
      expect(b).toMatch(new RegExp(`<input type="radio" name="language" value="${v}"( checked)?> <span[^>]*>${label}</span>`));
    }
    expect(b).toContain('<input type="radio" name="language" value="both" checked>'); // the library's default
    expect(b).toContain('<button type="submit">Subscribe</button>');
    expect(b).toContain('<form method="post" action="subscribe" novalidate>');
    expect(b).toContain('href="subscribe?lang=zh"');
    expect(b).not.toMatch(/<script|javascript:|\son[a-z]+=/i);
    expect(b).not.toContain('t.me/'); // no bot configured
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('is Chinese for a Chinese browser or ?lang=zh, and ?topic= checks that topic', async () => {
    for (const res of [await get('/subscribe?topic=events', 'zh-CN,zh;q=0.9,en;q=0.8'), await get('/subscribe?topic=events&lang=zh', 'en')]) {
      expect(res.body).toContain('<html lang="zh-CN">');
      expect(res.body).toContain('<label for="email">邮箱</label>');
      expect(res.body).toContain('<input type="checkbox" name="topics" value="events" checked> 活动</label>');
      expect(res.body).toContain('<input type="checkbox" name="topics" value="hours"> 开放时间</label>');
      expect(res.body).toContain('<button type="submit">订阅</button>');
      expect(res.body).toContain('href="subscribe?lang=en&amp;topic=events"');
    }
    expect((await get('/subscribe?topic=nosuch', 'en')).body).not.toMatch(/type="checkbox"[^>]* checked/);
    expect((await get('/subscribe?lang=en', 'zh-CN')).body).toContain('<html lang="en">');
  });

  it('links the Telegram bot with the preselected topic when the bot is on', async () => {
    const s = testServices(testConfig({ channels: { telegram: { enabled: true, token: '1:x', bot: { enabled: true, username: 'UniLibBot' } } } }));
    const app: FastifyInstance = await buildApp(s);
    try {
      const res = await app.inject({ method: 'GET', url: '/subscribe?topic=databases', headers: { 'accept-language': 'en' } });
      expect(res.body).toContain('href="https://t.me/UniLibBot?start=databases"');
      expect(res.body).toContain('E-mail subscriptions are not available here.'); // e-mail is off in this config
    } finally {
      await app.close();
      await disposeServices(s);
    }
  });
});

describe('POST /subscribe', () => {
  it('subscribes with double opt-in: a "check your inbox" page and one confirmation mail in the chosen language', async () => {
    const res = await postForm([['ui', 'en'], ['started', await started()], ['email', ' New.Student@Example.edu '], ['topics', 'hours'], ['topics', 'events'], ['language', 'zh'], ['website', '']]);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Check your inbox');
    expect(res.body).toContain('A confirmation e-mail is on its way to new.student@example.edu.');
    const sub = await env.s.subscribers.findByAddress('email', 'new.student@example.edu');
    expect(sub).toMatchObject({ status: 'pending', topics: ['events', 'hours'], language: 'zh' });
    const mail = await confirmationMail(env.smtp, 'new.student@example.edu');
    expect(mail.subject).toBe('请确认订阅大学图书馆通知');
  });

  it('answers an address that is already subscribed exactly like a new one, and changes nothing', async () => {
    const { subscriber } = await env.s.subscribers.upsert({ channel: 'email', address: 'known@example.edu', topics: ['training'], language: 'en', status: 'active' });
    const token = await started();
    const body = (address: string) => [['ui', 'zh'], ['started', token], ['email', address], ['topics', 'hours'], ['language', 'en']] as [string, string][];
    const known = await postForm(body('known@example.edu'));
    const fresh = await postForm(body('unknown@example.edu'));
    expect(known.statusCode).toBe(fresh.statusCode);
    expect(known.body.replace('known@', 'X@')).toBe(fresh.body.replace('unknown@', 'X@'));
    expect(await env.s.subscribers.get(subscriber.id)).toMatchObject({ status: 'active', topics: ['training'] });
  });

  it('shows each error beside its field in the page language, keeps what was typed, stores nothing', async () => {
    const res = await postForm([['ui', 'zh'], ['started', await started()], ['email', 'not-an-<address>'], ['language', 'en']]);
    expect(res.statusCode).toBe(400);
    const b = res.body;
    expect(b).toContain('<html lang="zh-CN">');
    expect(b).toContain('value="not-an-&lt;address&gt;"');
    expect(b).toContain('aria-invalid="true" aria-describedby="email-error email-hint"');
    expect(b).toMatch(/<input type="email"[^>]*>\n<p class="error" id="email-error">请输入有效的邮箱地址/);
    expect(b).toMatch(/<\/div>\n<p class="error" id="topics-error">请至少选择一个主题。<\/p>\n<\/fieldset>/);
    expect(b).toContain('<input type="radio" name="language" value="en" checked>');
    expect(await env.s.subscribers.findByAddress('email', 'not-an-<address>')).toBeNull();
  });

  it('gives a filled honeypot the same page as a person, and stores and sends nothing', async () => {
    const res = await postForm([['ui', 'en'], ['started', await started()], ['email', 'bot@example.edu'], ['topics', 'hours'], ['language', 'en'], ['website', 'http://spam.example']]);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('A confirmation e-mail is on its way to bot@example.edu.');
    expect(await env.s.subscribers.findByAddress('email', 'bot@example.edu')).toBeNull();
    await new Promise((r) => setTimeout(r, 300));
    expect(mailsTo(env.smtp, 'bot@example.edu')).toHaveLength(0);
  });

  it('refuses a form sent sooner than minFillSeconds after it was shown, or with a forged start time', async () => {
    const page = await get('/subscribe', 'en');
    const token = /name="started" value="([^"]+)"/.exec(page.body)![1];
    const quick = await postForm([['ui', 'en'], ['started', token], ['email', 'quick@example.edu'], ['topics', 'hours'], ['language', 'en']]);
    expect(quick.statusCode).toBe(400);
    expect(quick.body).toContain('<p class="error" id="form-error">Please check your choices and press Subscribe again.</p>');
    expect(quick.body).toContain('value="quick@example.edu"');
    // A start time moved an hour back, so the fill time alone would pass: only the signature stops it.
    const payload = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as { iat: number };
    const early = Buffer.from(JSON.stringify({ ...payload, iat: payload.iat - 3600 })).toString('base64url');
    const forged = await postForm([['ui', 'en'], ['started', `${early}.${token.split('.')[1]}`], ['email', 'quick@example.edu'], ['topics', 'hours'], ['language', 'en']]);
    expect(forged.statusCode).toBe(400);
    expect(forged.body).toContain('This form was open too long. Please press Subscribe again.');
    expect(await env.s.subscribers.findByAddress('email', 'quick@example.edu')).toBeNull();
  });

  it('shares the API\'s per-IP rate limit: over it, 429 with Retry-After and the form kept', async () => {
    const ip = freshIp();
    const token = await started();
    // The window is the clock's minute (as in the API's test): start well inside one so every
    // request shares it; on a slow machine the burst took long enough to cross a boundary.
    const into = Date.now() % 60_000;
    if (into > 45_000) await new Promise((r) => setTimeout(r, 60_000 - into + 100));
    for (let i = 0; i < SUBSCRIBE_REQUESTS_PER_MINUTE; i++) {
      expect((await postForm([['ui', 'en'], ['started', token], ['email', `r${i}@example.edu`], ['topics', 'hours']], ip)).statusCode).toBe(200);
    }
    const over = await postForm([['ui', 'en'], ['started', token], ['email', 'over@example.edu'], ['topics', 'hours']], ip);
    expect(over.statusCode).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(over.body).toMatch(/Too many requests from your network\. Please try again in \d+ seconds\./);
    expect(over.body).toContain('value="over@example.edu"');
    expect(await env.s.subscribers.findByAddress('email', 'over@example.edu')).toBeNull();
    await waitFor(() => mailsTo(env.smtp, 'r0@example.edu').length > 0, { what: 'a confirmation within the limit' });
  }, 60_000);
});
