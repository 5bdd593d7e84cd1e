// The public forms (/subscribe, /subscriptions/manage) and the Telegram bot's webhook under
// hostile input (see props-support.ts for the property). Registered by properties.test.ts.
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { TELEGRAM_WEBHOOK_PATH } from '../../channels/telegram/bot/index.js';
import { buildApp } from '../../src/http/app.js';
import type { Services } from '../../src/services.js';
import { manageUrl } from '../../src/subscriptions/links.js';
import { subscriptionsFor } from '../../src/subscriptions/service.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';
import { disposeServices, testConfig, testServices } from '../support/harness.js';
import { httpEnv, type HttpEnv } from '../http/helpers.js';
import { check, formBody, hostileString, hostileValue, ipArb, jsonBody, params, pct } from './props-support.js';

const SECRET = 'webhook-secret-0123456789';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

export function publicProperties(): void {
  describe('public forms', () => {
    let env: HttpEnv;
    let manage: string;
    let started: string;

    beforeAll(async () => {
      // minFillSeconds 0: the signed start time passes, so inputs reach the field checks.
      env = await httpEnv({ subscriptions: { minFillSeconds: 0 } });
      const svc = subscriptionsFor(env.s);
      const sub = (await env.s.subscribers.upsert({ channel: 'email', address: 'manage@example.edu', topics: ['hours'], language: 'en', status: 'active' })).subscriber;
      const u = new URL(manageUrl(env.s.config, await svc.ready(), sub.id));
      manage = `${u.pathname}${u.search}`;
      const page = await env.app.inject({ method: 'GET', url: '/subscribe' });
      started = /name="started" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    });
    afterAll(async () => env?.dispose());

    it('POST /subscribe (form)', async () => {
      const base = { email: 'new@example.edu', topics: ['hours', 'events'], language: 'zh', ui: 'en', website: '', started };
      await fc.assert(fc.asyncProperty(formBody(base), ipArb, async (body, ip) => {
        await check(env.s, env.app, { method: 'POST', url: '/subscribe', payload: body, headers: FORM, remoteAddress: ip });
      }), params(80));
    });

    it('POST /subscriptions/manage (form, token in the URL)', async () => {
      const token = fc.oneof({ weight: 4, arbitrary: fc.constant(manage) }, { weight: 1, arbitrary: hostileString.map((t) => `/subscriptions/manage?token=${pct(t)}`) }, { weight: 1, arbitrary: fc.constant('/subscriptions/manage') });
      const origin = fc.constantFrom(undefined, 'null', 'http://localhost', 'https://evil.example', '::not a url');
      await fc.assert(fc.asyncProperty(formBody({ action: 'save', topics: ['hours'], language: 'en' }), token, origin, async (body, url, o) => {
        await check(env.s, env.app, { method: 'POST', url, payload: body, headers: { ...FORM, ...(o ? { origin: o } : {}) } });
      }), params(70));
    });
  });

  describe('Telegram webhook (bot commands)', () => {
    let fake: FakeTelegram;
    let s: Services;
    let app: FastifyInstance;
    let nextId = 1;

    beforeAll(async () => {
      fake = await startFakeTelegram();
      s = testServices(testConfig({
        library: { baseUrl: 'https://crier.test' },
        channels: { telegram: { enabled: true, token: fake.token, apiUrl: fake.url, bot: { enabled: true, mode: 'webhook', webhookSecret: SECRET } } },
      }));
      app = await buildApp(s);
    });
    afterAll(async () => {
      await app?.close();
      if (s) await disposeServices(s);
      await fake?.close();
    });

    const command = fc.tuple(fc.constantFrom('/start', '/help', '/topics', '/subscribe', '/unsubscribe', '/language', '/stop', '/nope', '/start@OtherBot', '', 'hello'), hostileString)
      .map(([c, arg]) => (c ? `${c} ${arg}` : arg));
    const update = fc.oneof(
      { weight: 4, arbitrary: fc.tuple(command, fc.constantFrom('private', 'group', 'channel', 'weird'), fc.integer()).map(([text, type, chat]) => ({ message: { message_id: 1, date: 0, chat: { id: chat, type }, from: { id: chat, is_bot: false, first_name: 'x' }, text } })) },
      { weight: 2, arbitrary: fc.tuple(hostileString, fc.integer()).map(([data, chat]) => ({ callback_query: { id: 'q', from: { id: chat, is_bot: false, first_name: 'x' }, data, message: { message_id: 1, date: 0, chat: { id: chat, type: 'private' } } } })) },
      { weight: 2, arbitrary: fc.dictionary(fc.constantFrom('message', 'callback_query', 'edited_message', 'text', 'chat'), hostileValue, { maxKeys: 3 }).map((o) => ({ ...o })) },
      { weight: 1, arbitrary: fc.record({ message: fc.record({ chat: hostileValue, text: hostileValue, from: hostileValue }, { requiredKeys: [] }) }) },
    );
    const body = fc.oneof(
      { weight: 5, arbitrary: fc.tuple(update, fc.boolean()).map(([u, keepId]) => JSON.stringify(keepId ? { update_id: nextId++, ...u } : u)) },
      { weight: 2, arbitrary: jsonBody({ update_id: 1 }) },
    );
    const secret = fc.oneof({ weight: 5, arbitrary: fc.constant(SECRET) }, { weight: 1, arbitrary: hostileString.filter((x) => x.length < 300 && /^[\x20-\x7e]*$/.test(x)) }, { weight: 1, arbitrary: fc.constant(undefined) });

    it(`POST ${TELEGRAM_WEBHOOK_PATH}`, async () => {
      await fc.assert(fc.asyncProperty(body, secret, fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8'), async (b, sec, ct) => {
        await check(s, app, { method: 'POST', url: TELEGRAM_WEBHOOK_PATH, payload: b, headers: { 'content-type': ct, ...(sec !== undefined ? { 'x-telegram-bot-api-secret-token': sec } : {}) } });
      }), params(120));
    });
  });
}
