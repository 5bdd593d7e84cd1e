// The Telegram channel end to end: producer → dispatch → the real delivery worker → a local
// Bot API server over HTTP, on real Redis. Broadcast targets here; subscribers in test/bot.
import { ctxFor } from '../../support/channel-context.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTelegramChannel } from '../../../channels/telegram/channel.js';
import { classifyTelegramError } from '../../../channels/telegram/errors.js';
import { telegramRecipientPage } from '../../../channels/telegram/recipients.js';
import { TelegramApiError } from 'node-telegram-bot-api';
import { renderTelegram } from '../../../channels/telegram/render.js';
import type { Services } from '../../../src/services.js';
import { ChannelError, type Announcement } from '../../../src/types.js';
import { startWorkers, type RunningWorkers } from '../../../workers/index.js';
import { startFakeTelegram, parseTelegramHtml, TG, type FakeTelegram } from '../../support/fake-telegram.js';
import { disposeServices, finalView, fixture, postFixture, testConfig, testServices } from '../../support/harness.js';

let fake: FakeTelegram;
let s: Services;
let workers: RunningWorkers | undefined;

type Target = { chatId: string; topics?: string[]; language?: string };

async function setup(targets: Target[], extra: Record<string, unknown> = {}) {
  s = testServices(testConfig({ channels: { telegram: { enabled: true, token: fake.token, apiUrl: fake.url, targets, ...extra } } }));
  const ch = createTelegramChannel(ctxFor(s.config, 'telegram', { redis: s.redis, keys: s.keys, subscribers: s.subscribers, log: s.log }));
  s.channels.set(ch.name, ch);
  workers = await startWorkers(s);
  return ch;
}

const post = (name: string, extra: Record<string, unknown> = {}) => postFixture(s, name, extra);

const finished = (id: string) => finalView(s, id);

const to = (chat: string) => fake.sent.filter((m) => m.chatId === chat);
const full = (name: string) => {
  const r = parseTelegramHtml(renderTelegram(fixture(name) as unknown as Announcement, ['zh', 'en'], Infinity).parts[0]);
  return 'text' in r ? r.text : '';
};

beforeEach(async () => {
  fake = await startFakeTelegram();
});

afterEach(async () => {
  await workers?.close();
  workers = undefined;
  if (s) await disposeServices(s);
  await fake.close();
});

describe('telegram broadcast targets', () => {
  it('sends the holiday hours once to a matching target, in both languages, as HTML', async () => {
    await setup([{ chatId: '@example_library', topics: ['*'] }, { chatId: '-1002003004', topics: ['training'] }]);
    const { id } = await post('holiday-hours');
    const view = await finished(id);
    expect(view.status).toBe('done');
    expect(view.deliveries.telegram).toMatchObject({ total: 1, sent: 1, failed: 0 });

    expect(fake.sent).toHaveLength(1);
    const [m] = to('@example_library');
    expect(m.params.parse_mode).toBe('HTML');
    expect(m.text.indexOf('国庆假期图书馆开放时间调整')).toBe(0);
    expect(m.text.indexOf('总馆')).toBeLessThan(m.text.indexOf('Opening hours during the National Day holiday'));
    expect(m.source).toContain('<b>09:00–17:00</b>');
    expect(m.text).toContain('• Self-service returns work at all hours.');
    expect(m.params.link_preview_options).toEqual({ url: 'https://library.example.edu/news/national-day-hours', prefer_small_media: true });
    const rec = await s.deliveries.get(id, 'telegram', 't-example_library');
    expect(rec).toMatchObject({ status: 'sent', attempts: 1, externalId: String(m.messageId), address: '@example_library' });
  });

  it('delivers the long notice whole, in numbered parts within 4,096 units each', async () => {
    await setup([{ chatId: '-100500', topics: ['services'] }]);
    // Part 2 fails once with a 500: the retry sends the rest, not part 1 again.
    fake.failNext('-100500', () => undefined, TG.serverError);
    const { id } = await post('long-notice');
    expect((await finished(id)).status).toBe('done');

    const parts = to('-100500');
    const n = parts.length;
    expect(n).toBeGreaterThanOrEqual(2);
    expect(parts.map((p) => p.text.split('\n')[0])).toEqual(parts.map((_, i) => `(${i + 1}/${n})`));
    for (const p of parts) expect(p.text.length).toBeLessThanOrEqual(4096);
    const joined = parts.map((p) => p.text.slice(p.text.indexOf('\n') + 1)).join('');
    expect(joined.replace(/\s+/g, '')).toBe(full('long-notice').replace(/\s+/g, ''));
    // Only the last part, which ends with the link, shows a preview.
    expect(parts.slice(0, -1).every((p) => (p.params.link_preview_options as { is_disabled?: boolean }).is_disabled)).toBe(true);
    const rec = await s.deliveries.get(id, 'telegram', 't--100500');
    expect(rec).toMatchObject({ status: 'sent', attempts: 2, externalId: parts.map((p) => p.messageId).join(',') });
    expect(fake.attemptsTo('-100500')).toBe(n + 1);
  });

  it('fails a target answering "chat not found" once, with the reason, and ends done_with_failures', async () => {
    await setup([{ chatId: '@gone_channel' }, { chatId: '@example_library' }]);
    fake.failAlways('@gone_channel', TG.chatNotFound);
    const { id } = await post('holiday-hours');
    const view = await finished(id);
    expect(view.status).toBe('done_with_failures');
    expect(view.deliveries.telegram).toMatchObject({ total: 2, sent: 1, failed: 1 });
    const rec = await s.deliveries.get(id, 'telegram', 't-gone_channel');
    expect(rec).toMatchObject({ status: 'failed', attempts: 1, error: 'Telegram 400: Bad Request: chat not found' });
    expect(fake.attemptsTo('@gone_channel')).toBe(1);
    expect(to('@example_library')).toHaveLength(1);
  });

  it('retries a 429 after its retry_after and then a 500: exactly one message arrives', async () => {
    await setup([{ chatId: '@example_library' }]);
    fake.failNext('@example_library', TG.tooMany(1), TG.badGateway);
    const { id } = await post('holiday-hours');
    expect((await finished(id)).status).toBe('done');
    expect(to('@example_library')).toHaveLength(1);
    expect(fake.attemptsTo('@example_library')).toBe(3);
    expect(await s.deliveries.get(id, 'telegram', 't-example_library')).toMatchObject({ status: 'sent', attempts: 3, error: null });
  });

  it('fails a broadcast target that kicked the bot (403) without retrying', async () => {
    await setup([{ chatId: '-100777' }]);
    fake.failAlways('-100777', TG.kicked);
    const { id } = await post('storm-closure');
    expect((await finished(id)).status).toBe('done_with_failures');
    const rec = await s.deliveries.get(id, 'telegram', 't--100777');
    expect(rec).toMatchObject({ status: 'failed', attempts: 1, error: 'Telegram 403: Forbidden: bot was kicked from the channel chat' });
    expect(rec!.gone).toBeFalsy();
  });

  it('sends hostile markup as inert text in HTML parse mode', async () => {
    await setup([{ chatId: '@example_library', language: 'both' }]);
    const { id } = await post('hostile-markup');
    expect((await finished(id)).status).toBe('done');
    const [m] = to('@example_library');
    expect(m.params.parse_mode).toBe('HTML');
    expect(m.source).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(m.source).not.toMatch(/<(?!\/?(?:b|a|code|pre|i|blockquote)[ >])/);
    expect(m.text).toContain('<script>alert(1)</script>');
    expect(m.entities.map((e) => e.type).sort()).toEqual(['bold', 'bold', 'text_link', 'text_link']);
    expect(m.entities.some((e) => e.url?.startsWith('javascript'))).toBe(false);
  });

  it('uses each target\'s language, else the channel\'s, else the library default', async () => {
    await setup([{ chatId: '@zh_only', language: 'zh' }, { chatId: '@channel_default' }], { language: 'en' });
    const { id } = await post('database-trial');
    await finished(id);
    expect(to('@zh_only')[0].text).toContain('数据库试用');
    expect(to('@zh_only')[0].text).not.toContain('Trial access');
    expect(to('@channel_default')[0].text).toMatch(/^Trial access/);
    expect(to('@channel_default')[0].text).not.toContain('数据库试用');
  });
});

describe('check() and recipient pages', () => {
  it('checks the token with getMe, and names a bad one', async () => {
    const ch = await setup([]);
    await expect(ch.check!()).resolves.toBe('bot @library_test_bot (id 123456)');
    expect(fake.calls.map((c) => c.method)).toEqual(['getMe']);
    const cfg = testConfig({ channels: { telegram: { enabled: true, token: '999:wrong', apiUrl: fake.url } } });
    const bad = createTelegramChannel(ctxFor(cfg, 'telegram', { redis: s.redis, keys: s.keys, subscribers: s.subscribers, log: s.log }));
    const err = await bad.check!().catch((e: ChannelError) => e);
    expect(err).toBeInstanceOf(ChannelError);
    expect(err).toMatchObject({ kind: 'permanent', message: 'bad bot token (channels.telegram.token): Telegram 401: Unauthorized' });
  });

  it('classifies network failures as retryable and a migrated group as permanent with its new id', async () => {
    await setup([]);
    const port = new URL(fake.url).port;
    await fake.close();
    const down = createTelegramChannel(ctxFor(testConfig({ channels: { telegram: { enabled: true, token: fake.token, apiUrl: `http://127.0.0.1:${port}` } } }), 'telegram',
      { redis: s.redis, keys: s.keys, subscribers: s.subscribers, log: s.log }));
    const err = await down.check!().catch((e: ChannelError) => e);
    expect(err).toMatchObject({ kind: 'retryable', message: expect.stringMatching(/^Network request failed: getMe/) });
    fake = await startFakeTelegram(); // for afterEach
    const migrated = classifyTelegramError(
      new TelegramApiError(400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: -1001234567890 }), { subscriber: false });
    expect(migrated).toMatchObject({ kind: 'permanent', message: expect.stringContaining('supergroup -1001234567890') });
  });

  it('pages targets then subscribers with a cursor that repeats the same page', async () => {
    const cfg = testConfig({
      delivery: { pageSize: 2 },
      channels: { telegram: { enabled: true, targets: [{ chatId: '@a' }, { chatId: '@b', topics: ['training'] }, { chatId: -100123 }] } },
    });
    s = testServices(cfg);
    for (const [chat, topics] of [['11', ['hours']], ['12', ['training']], ['13', ['*']], ['14', ['hours']]] as const) {
      await s.subscribers.upsert({ channel: 'telegram', address: chat, topics: [...topics], language: 'en', status: 'active' });
    }
    const ann = { topics: ['hours'] } as Announcement;
    const seen: string[] = [];
    const cursors: (string | null)[] = [];
    let cursor: string | null = null;
    do {
      cursors.push(cursor);
      const page = await telegramRecipientPage(ctxFor(cfg, 'telegram'), s.subscribers, ann, cursor);
      seen.push(...page.recipients.map((r) => `${r.id}=${r.address}${r.subscriberId ? '(sub)' : ''}`));
      cursor = page.next;
    } while (cursor !== null);
    expect(seen.slice(0, 2)).toEqual(['t-a=@a', 't--100123=-100123']);
    expect(seen.slice(2).map((x) => x.split('=')[1])).toEqual(['11(sub)', '13(sub)', '14(sub)']);
    const again = await telegramRecipientPage(ctxFor(cfg, 'telegram'), s.subscribers, ann, cursors[3]);
    const first = await telegramRecipientPage(ctxFor(cfg, 'telegram'), s.subscribers, ann, cursors[3]);
    expect(again).toEqual(first);
  });
});
