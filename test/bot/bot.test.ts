// The subscription bot against a local Bot API server: updates arrive through long-polled
// getUpdates, subscribers land in Redis, and announcements reach them through the real
// dispatch and delivery workers (issue 4, "Telegram bot").
import { ctxFor } from '../support/channel-context.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTelegramChannel } from '../../channels/telegram/channel.js';
import { validateAnnouncement } from '../../src/announcement/schema.js';
import { createTelegramBot, type TelegramBot } from '../../channels/telegram/bot/index.js';
import type { Services } from '../../src/services.js';
import { startWorkers, type RunningWorkers } from '../../workers/index.js';
import { startFakeTelegram, TG, type FakeTelegram, type SentMessage } from '../support/fake-telegram.js';
import { disposeServices, fixture, testConfig, testServices, waitFor } from '../support/harness.js';

let fake: FakeTelegram;
let s: Services;
let bot: TelegramBot;
let workers: RunningWorkers;

beforeEach(async () => {
  fake = await startFakeTelegram();
  s = testServices(testConfig({ channels: { telegram: { enabled: true, token: fake.token, apiUrl: fake.url, bot: { enabled: true } } } }));
  const ch = createTelegramChannel(ctxFor(s.config, 'telegram', { redis: s.redis, keys: s.keys, subscribers: s.subscribers, log: s.log }));
  s.channels.set(ch.name, ch);
  workers = await startWorkers(s);
  bot = createTelegramBot(ctxFor(s.config, 'telegram', s), { pollTimeoutSeconds: 1 });
  await bot.start();
});

afterEach(async () => {
  await bot.stop();
  await workers.close();
  await disposeServices(s);
  await fake.close();
});

const replies = (chat: number) => fake.sent.filter((m) => m.chatId === String(chat) && m.params.parse_mode === undefined);
const announcements = (chat: number) => fake.sent.filter((m) => m.chatId === String(chat) && m.params.parse_mode === 'HTML');

/** Sends a message from a private chat and waits for the bot's reply. */
async function send(chat: number, text: string): Promise<SentMessage> {
  const before = replies(chat).length;
  fake.say(chat, text);
  await waitFor(() => replies(chat).length > before, { what: `reply to ${text}` });
  return replies(chat).at(-1)!;
}

async function post(name: string) {
  const v = validateAnnouncement(s.producer.schema, fixture(name));
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  const { id } = await s.producer.create(v.value, { createdBy: 'test' });
  return waitFor(async () => {
    const view = await s.producer.view(id);
    return view && ['done', 'done_with_failures'].includes(view.status) ? { ...view, id } : null;
  }, { what: `${name} final` });
}

const subscriber = (chat: number) => s.subscribers.findByAddress('telegram', String(chat));

describe('subscribing through the bot', () => {
  it('/start, /subscribe databases, /language zh: the database trial arrives in Chinese only, training does not', async () => {
    const welcome = await send(1001, '/start');
    expect(welcome.text).toContain('欢迎订阅大学图书馆通知');
    expect(welcome.text).toContain('Welcome to University Library announcements!');
    expect(welcome.text.indexOf('/subscribe')).toBeGreaterThan(0);
    expect((await send(1001, '/subscribe databases')).text).toContain('你关注的主题：数据库');
    expect((await send(1001, '/language zh')).text).toBe('好的，今后的通知使用中文。');
    expect(await subscriber(1001)).toMatchObject({ topics: ['databases'], language: 'zh', status: 'active' });

    const trial = await post('database-trial');
    expect(trial.status).toBe('done');
    const [m] = announcements(1001);
    expect(announcements(1001)).toHaveLength(1);
    expect(m.text).toMatch(/^数据库试用：IEEE Xplore/);
    expect(m.text).not.toContain('Trial access');
    expect(m.text).not.toMatch(/[A-Za-z]{4,} [a-z]{3,} [a-z]{3,}/); // no English sentence

    const training = await post('english-only');
    expect(training.deliveries.telegram?.total ?? 0).toBe(0);
    expect(announcements(1001)).toHaveLength(1);
  });

  it('/start with the sign-up page\'s deep-link payload subscribes to those topics, adding to what the chat follows', async () => {
    const welcome = await send(3003, '/start hours-events');
    expect(welcome.text).toContain('你关注的主题：开放时间、活动');
    expect(welcome.text).toContain('You follow: Opening hours, Events');
    expect(await subscriber(3003)).toMatchObject({ topics: ['hours', 'events'], status: 'active' });
    // Unknown parts are ignored; a repeat adds only what is new.
    await send(3003, '/start databases-nosuchtopic-hours');
    expect((await subscriber(3003))!.topics).toEqual(['hours', 'events', 'databases']);
    await send(3004, '/start all');
    expect((await subscriber(3004))!.topics).toEqual(['hours', 'events', 'databases', 'services', 'training']);
    // A plain /start changes no topics.
    await send(3004, '/start');
    expect((await subscriber(3004))!.topics).toHaveLength(5);
  });

  it('tries a chat that blocked the bot once, blocks the subscriber, skips it later; /start reactivates', async () => {
    await send(2002, '/start');
    await send(2002, '/subscribe databases');
    fake.failAlways(2002, TG.blocked);
    const before = fake.attemptsTo(2002);

    const first = await post('database-trial');
    expect(first.status).toBe('done_with_failures');
    const sub = (await subscriber(2002))!;
    expect(sub.status).toBe('blocked');
    const rec = await s.deliveries.get(first.id, 'telegram', sub.id);
    expect(rec).toMatchObject({ status: 'failed', attempts: 1, gone: true, error: 'Telegram 403: Forbidden: bot was blocked by the user' });
    expect(fake.attemptsTo(2002)).toBe(before + 1);

    const second = await post('database-trial');
    expect(second.status).toBe('done');
    expect(second.deliveries.telegram?.total ?? 0).toBe(0);
    expect(fake.attemptsTo(2002)).toBe(before + 1);

    fake.failAlways(2002, null); // the student unblocked the bot and says /start
    await send(2002, '/start');
    expect(await subscriber(2002)).toMatchObject({ status: 'active', topics: ['databases'] });
    await post('database-trial');
    expect(announcements(2002)).toHaveLength(1);
  });

  it('/stop ends the messages', async () => {
    await send(3003, '/start');
    await send(3003, '/subscribe all');
    expect((await send(3003, '/stop')).text).toContain('Send /start to come back.');
    expect((await subscriber(3003))!.status).toBe('unsubscribed');
    expect((await post('storm-closure')).deliveries.telegram?.total ?? 0).toBe(0);
  });
});

describe('bot answers', () => {
  it('answers unknown commands, unknown topics and plain text helpfully', async () => {
    const unknown = await send(4004, '/frobnicate');
    expect(unknown.text).toContain('没有 /frobnicate 这个命令');
    expect(unknown.text).toContain('There is no /frobnicate command. I understand these commands:');
    expect(unknown.text).toContain('/language en|zh|both');
    await send(4004, '/language en');
    expect((await send(4004, '/subscribe nonsense hours')).text).toBe(
      'You follow: Opening hours\nUnknown topic: nonsense. Topics: hours (Opening hours), events (Events), databases (Databases), services (Services), training (Training)',
    );
    expect((await send(4004, '/unsubscribe')).text).toContain('/unsubscribe all');
    expect((await send(4004, '/language fr')).text).toContain('Usage: /language en');
    expect((await send(4004, 'hello?')).text).toContain('I understand these commands:');
  });

  it('/topics names each topic in the chat\'s language, and its buttons switch topics', async () => {
    await send(5005, '/language en');
    const list = await send(5005, '/topics');
    expect(list.text).toContain('▫️ Opening hours (hours)');
    expect(list.text).not.toContain('开放时间');
    const keyboard = (list.params.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] }).inline_keyboard;
    expect(keyboard.flat().map((b) => b.callback_data)).toEqual(['topic:hours', 'topic:events', 'topic:databases', 'topic:services', 'topic:training']);
    expect(keyboard[4][0].text).toBe('▫️ Training');

    fake.tap(5005, list.messageId, 'topic:training');
    const edit = await waitFor(() => fake.calls.find((c) => c.method === 'editMessageText'), { what: 'topics refreshed' });
    expect(edit.params.text).toContain('✅ Training (training)');
    expect(fake.calls.find((c) => c.method === 'answerCallbackQuery')!.params.text).toBe('Following: Training');
    expect((await subscriber(5005))!.topics).toEqual(['training']);

    await send(5005, '/language zh');
    expect((await send(5005, '/topics')).text).toContain('✅ 培训 (training)');
  });

  it('tells a group to use a private chat and subscribes no one there', async () => {
    const before = fake.sent.length;
    fake.say(-600, '/start');
    await waitFor(() => fake.sent.length > before);
    expect(fake.sent.at(-1)).toMatchObject({ chatId: '-600' });
    expect(fake.sent.at(-1)!.text).toContain('Please talk to me in a private chat to subscribe.');
    expect(await subscriber(-600)).toBeNull();
  });

  it('confirms each update offset and stops polling cleanly', async () => {
    await send(7007, '/help');
    await bot.stop();
    const polls = fake.calls.filter((c) => c.method === 'getUpdates');
    expect(Number(polls.at(-1)!.params.offset)).toBeGreaterThan(100);
    // The poll in flight was aborted (its connection closed) and no new one started.
    await waitFor(() => fake.pendingPolls() === 0, { what: 'no poll held open' });
    expect(fake.calls.filter((c) => c.method === 'getUpdates')).toHaveLength(polls.length);
    expect(fake.calls.filter((c) => c.method === 'deleteWebhook')).toHaveLength(1);
  });
});

describe('webhook mode', () => {
  const update = (id: number, chat: number, text: string) => ({
    update_id: id,
    message: { message_id: id, date: 0, text, chat: { id: chat, type: 'private' }, from: { id: chat, is_bot: false, first_name: 'S' } },
  });

  it('checks the secret token header, handles an update once, and registers the webhook', async () => {
    const cfg = testConfig({
      library: { baseUrl: 'https://library.example.edu/crier/' },
      redis: { prefix: s.config.redis.prefix },
      channels: { telegram: { enabled: true, token: fake.token, apiUrl: fake.url, bot: { enabled: true, mode: 'webhook', webhookSecret: 's3cret_T0ken-x' } } },
    });
    const hook = createTelegramBot(ctxFor(cfg, 'telegram', s));
    expect(await hook.webhookHandler(update(900, 8008, '/start'), 'wrong')).toEqual({ status: 401 });
    expect(await hook.webhookHandler(update(900, 8008, '/start'), undefined)).toEqual({ status: 401 });
    expect(await hook.webhookHandler(update(900, 8008, '/start'), 's3cret_T0ken-x'.slice(0, -1))).toEqual({ status: 401 });
    expect(replies(8008)).toHaveLength(0);
    expect(await hook.webhookHandler({ nope: 1 }, 's3cret_T0ken-x')).toEqual({ status: 400 });

    expect(await hook.webhookHandler(update(900, 8008, '/start'), 's3cret_T0ken-x')).toEqual({ status: 200 });
    expect(await hook.webhookHandler(update(900, 8008, '/start'), 's3cret_T0ken-x')).toEqual({ status: 200 }); // a redelivery
    expect(replies(8008)).toHaveLength(1);
    expect((await subscriber(8008))!.status).toBe('active');

    await hook.start();
    expect(fake.calls.find((c) => c.method === 'setWebhook')!.params).toMatchObject({
      url: 'https://library.example.edu/crier/telegram/webhook', secret_token: 's3cret_T0ken-x', allowed_updates: ['message', 'callback_query'],
    });
    expect(await bot.webhookHandler(update(901, 8008, '/start'), 's3cret_T0ken-x')).toEqual({ status: 404 }); // the polling bot
    expect(() => createTelegramBot(ctxFor({ ...cfg, channels: { ...cfg.channels, telegram: { ...cfg.channels.telegram, bot: { enabled: true, mode: 'webhook' } } } }, 'telegram', s)))
      .toThrow(/webhookSecret/);
  });
});
