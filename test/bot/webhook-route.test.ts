// Webhook mode wired into the HTTP server: Telegram's POSTs reach the bot only with the
// right secret-token header, and the registry builds the telegram channel from config.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { TELEGRAM_WEBHOOK_PATH } from '../../channels/telegram/bot/index.js';
import type { Services } from '../../src/services.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';
import { disposeServices, testConfig, testServices, waitFor } from '../support/harness.js';

const SECRET = 'webhook-secret-0123456789';
let fake: FakeTelegram;
let s: Services;
let app: FastifyInstance;

beforeEach(async () => {
  fake = await startFakeTelegram();
  s = testServices(testConfig({
    library: { baseUrl: 'https://crier.test' },
    channels: { telegram: { enabled: true, token: fake.token, apiUrl: fake.url, bot: { enabled: true, mode: 'webhook', webhookSecret: SECRET } } },
  }));
  app = await buildApp(s);
});

afterEach(async () => {
  await app.close();
  await disposeServices(s);
  await fake.close();
});

const update = { update_id: 501, message: { message_id: 1, date: 0, chat: { id: 2002, type: 'private' }, from: { id: 2002, is_bot: false, first_name: 'Li' }, text: '/start' } };

describe('Telegram webhook route', () => {
  it('refuses an update without the secret token and changes nothing', async () => {
    const res = await app.inject({ method: 'POST', url: TELEGRAM_WEBHOOK_PATH, payload: update, headers: { 'x-telegram-bot-api-secret-token': 'wrong' } });
    expect(res.statusCode).toBe(401);
    expect(await s.subscribers.findByAddress('telegram', '2002')).toBeNull();
    expect(fake.sent).toHaveLength(0);
  });

  it('handles an update with the secret: the chat is subscribed and welcomed', async () => {
    const res = await app.inject({ method: 'POST', url: TELEGRAM_WEBHOOK_PATH, payload: update, headers: { 'x-telegram-bot-api-secret-token': SECRET } });
    expect(res.statusCode).toBe(200);
    const sub = await waitFor(() => s.subscribers.findByAddress('telegram', '2002'));
    expect(sub.status).toBe('active');
    await waitFor(() => fake.sent.some((m) => m.chatId === '2002'));
    expect(s.channels.has('telegram')).toBe(true);
  });
});
