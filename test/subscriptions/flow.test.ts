// Issue 4, "done when" (e-mail half), end to end on real Redis, a real SMTP server and the real
// workers: subscribe → confirmation mail → link followed → the next matching announcement in
// English only with both unsubscribe headers → one-click POST → nothing more; an unconfirmed
// address never gets an announcement.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/harness.js';
import {
  confirmationMail, confirmLink, isConfirmation, listUnsubscribe, mailsTo, pathOf, postAnnouncement, subEnv, subscribe, waitDone, type SubEnv,
} from './helpers.js';

let env: SubEnv;
beforeEach(async () => {
  env = await subEnv({ workers: true });
});
afterEach(() => env.dispose());

const HAN = /[\u4e00-\u9fff]/;

describe('e-mail double opt-in, end to end', () => {
  it('a subscriber confirmed by the link gets the next matching announcement in English only, with both unsubscribe headers; after the one-click POST nothing more', async () => {
    const { s, app, smtp } = env;
    const res = await subscribe(app, { email: 'Student@Example.edu', topics: ['databases'], language: 'en' });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'pending_confirmation' });
    expect(await s.subscribers.findByAddress('email', 'student@example.edu')).toMatchObject({ status: 'pending', topics: ['databases'], language: 'en' });

    // The confirmation mail, in English only, with the link; no unsubscribe headers (not subscribed).
    const mail = await confirmationMail(smtp, 'student@example.edu');
    expect(mail.subject).toBe('Confirm your subscription to University Library announcements');
    expect(mail.text).toContain('Topics: Databases. Language: English.');
    expect(mail.text).toContain('The link works for 72 hours.');
    expect(mail.text).not.toMatch(HAN);
    expect(listUnsubscribe(mail).url).toBeUndefined();
    const link = confirmLink(mail);
    expect(link.url.startsWith('http://crier.test/subscriptions/confirm?token=')).toBe(true);

    const page = await app.inject({ method: 'GET', url: link.path });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain("You're subscribed to University Library announcements: Databases.");
    expect(page.body).not.toMatch(HAN);
    expect(await s.subscribers.findByAddress('email', 'student@example.edu')).toMatchObject({ status: 'active' });

    // A matching announcement (written in both languages) reaches them in English only.
    const first = await postAnnouncement(s, 'database-trial');
    const view = await waitDone(s, first.id);
    expect(view.deliveries.email).toMatchObject({ total: 1, sent: 1 });
    const news = mailsTo(smtp, 'student@example.edu').filter((m) => !isConfirmation(m));
    expect(news).toHaveLength(1);
    const ann = news[0].parsed;
    expect(ann.subject).toBe('Trial access: IEEE Xplore full-text collection until 30 June');
    expect(ann.text).not.toMatch(HAN);
    expect(ann.html).not.toMatch(HAN);

    // Both RFC 8058 headers, raw and as mailparser reads them; the footer carries the same link.
    const lu = listUnsubscribe(ann);
    expect(lu.url).toMatch(/^http:\/\/crier\.test\/subscriptions\/unsubscribe\?token=[A-Za-z0-9._-]+$/);
    expect(lu.post).toBe('List-Unsubscribe=One-Click');
    const line = (key: string) => ann.headerLines.find((h) => h.key === key)?.line.replace(/\r?\n[ \t]+/g, ' ');
    expect(line('list-unsubscribe')).toBe(`List-Unsubscribe: <${lu.url}>`);
    expect(line('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(ann.text).toContain(`Unsubscribe: ${lu.url}`);

    // The one-click POST, as a mail client sends it: no cookie, no token header, form body.
    const oneClick = await app.inject({
      method: 'POST',
      url: pathOf(lu.url!),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.statusCode).toBe(200);
    expect(await s.subscribers.findByAddress('email', 'student@example.edu')).toMatchObject({ status: 'unsubscribed' });

    // The next matching announcement does not reach them.
    const second = await postAnnouncement(s, 'storm-closure', { topics: ['databases'] });
    const after = await waitDone(s, second.id);
    expect(after.deliveries.email?.total ?? 0).toBe(0);
    expect(mailsTo(smtp, 'student@example.edu').filter((m) => !isConfirmation(m))).toHaveLength(1);
  });

  it('an unconfirmed address never gets an announcement: only the confirmation mail ever reaches it', async () => {
    const { s, app, smtp } = env;
    // A confirmed reader with the same topics proves the announcement really went out.
    await s.subscribers.upsert({ channel: 'email', address: 'reader@example.edu', topics: ['*'], language: 'both', status: 'active' });
    expect((await subscribe(app, { email: 'pending@example.edu', topics: ['*'], language: 'both' })).statusCode).toBe(202);
    const mail = await confirmationMail(smtp, 'pending@example.edu');
    // "both": Chinese first, then English.
    expect(mail.subject).toBe('请确认订阅大学图书馆通知 / Confirm your subscription to University Library announcements');
    expect(mail.text!.indexOf('请打开以下链接确认')).toBeLessThan(mail.text!.indexOf('To confirm, open this link'));
    expect(mail.text).toContain('主题：全部主题；语言：中英双语。');
    expect(mail.text).toContain('Topics: all topics. Language: Chinese and English.');

    for (const name of ['holiday-hours', 'database-trial']) {
      const { id } = await postAnnouncement(s, name);
      const view = await waitDone(s, id);
      expect(view.deliveries.email).toMatchObject({ total: 1, sent: 1 });
    }
    expect(mailsTo(smtp, 'reader@example.edu')).toHaveLength(2);
    const toPending = mailsTo(smtp, 'pending@example.edu');
    expect(toPending).toHaveLength(1);
    expect(isConfirmation(toPending[0])).toBe(true);
    expect(await s.subscribers.countActive('email')).toBe(1);
  });

  it('an active subscriber changes topics and language only when the link is clicked', async () => {
    const { s, app, smtp } = env;
    const { subscriber } = await s.subscribers.upsert({ channel: 'email', address: 'keen@example.edu', topics: ['hours'], language: 'zh', status: 'active' });
    expect((await subscribe(app, { email: 'keen@example.edu', topics: ['training', 'events'], language: 'en' })).statusCode).toBe(202);
    const mail = await confirmationMail(smtp, 'keen@example.edu');
    // The mail describes the requested choices, in the requested language.
    expect(mail.text).toContain('Topics: Events, Training. Language: English.');
    // Until the click: unchanged, still active, still receiving their old topics.
    expect(await s.subscribers.get(subscriber.id)).toMatchObject({ status: 'active', topics: ['hours'], language: 'zh' });
    const { id } = await postAnnouncement(s, 'holiday-hours');
    await waitDone(s, id);
    const got = mailsTo(smtp, 'keen@example.edu').filter((m) => !isConfirmation(m));
    expect(got).toHaveLength(1);
    expect(got[0].parsed.subject).toBe('国庆假期图书馆开放时间调整');

    const page = await app.inject({ method: 'GET', url: confirmLink(mail).path });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Events, Training');
    expect(await s.subscribers.get(subscriber.id)).toMatchObject({ id: subscriber.id, status: 'active', topics: ['events', 'training'], language: 'en' });
    expect(await s.subscribers.lastSequence()).toBe(1);
  });

  it('an SMTP outage delays the confirmation mail but does not lose it; a 5xx marks a pending address bounced', async () => {
    const { s, app, smtp } = env;
    smtp.replies.set('later@example.edu', (n) => (n < 4 ? '451 4.3.0 Try again later' : undefined));
    smtp.replies.set('nobody@example.edu', '550 5.1.1 No such user');
    await subscribe(app, { email: 'later@example.edu', topics: ['hours'], language: 'en' });
    await subscribe(app, { email: 'nobody@example.edu', topics: ['hours'], language: 'en' });
    await confirmationMail(smtp, 'later@example.edu');
    expect(smtp.attempts.get('later@example.edu')).toBe(4);
    await waitFor(async () => (await s.subscribers.findByAddress('email', 'nobody@example.edu'))?.status === 'bounced', { what: 'bounced' });
    expect(smtp.attempts.get('nobody@example.edu')).toBe(1);
    expect(mailsTo(smtp, 'nobody@example.edu')).toHaveLength(0);
  });
});

describe('the demo transport', () => {
  it('writes the confirmation mail to the outbox folder, like every other e-mail', async () => {
    const { mkdtempSync, readdirSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { simpleParser } = await import('mailparser');
    const outbox = mkdtempSync(join(tmpdir(), 'crier-sub-outbox-'));
    const demo = await subEnv({ workers: true, config: { channels: { email: { enabled: true, outbox } } } });
    try {
      expect((await subscribe(demo.app, { email: 'demo@example.edu', topics: ['events'], language: 'zh' })).statusCode).toBe(202);
      const file = await waitFor(() => readdirSync(outbox).find((f) => /^confirm\.s1\.\d+\.eml$/.test(f)), { what: 'confirmation .eml' });
      const mail = await simpleParser(readFileSync(join(outbox, file)));
      expect(mail.subject).toBe('请确认订阅大学图书馆通知');
      expect(mail.text).toContain('主题：活动；语言：中文。');
      const page = await demo.app.inject({ method: 'GET', url: confirmLink(mail).path });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('您已订阅大学图书馆的通知：活动。');
    } finally {
      await demo.dispose();
      rmSync(outbox, { recursive: true, force: true });
    }
  });
});
