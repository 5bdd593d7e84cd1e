// Telegram corrections against the local Bot API server over real HTTP, on real Redis: edits of
// one and several parts (their number growing and shrinking), retractions young and old, and
// the answers a retried correction meets (not modified, already deleted, 429).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTelegramChannel, type TelegramMessage } from '../../../channels/telegram/channel.js';
import type { Services } from '../../../src/services.js';
import { ChannelError, type Announcement, type Channel, type CorrectionTask, type Recipient } from '../../../src/types.js';
import { ctxFor } from '../../support/channel-context.js';
import { startFakeTelegram, TG, type FakeTelegram } from '../../support/fake-telegram.js';
import { disposeServices, fixture, testConfig, testServices } from '../../support/harness.js';

let fake: FakeTelegram;
let s: Services;
let ch: Channel<TelegramMessage>;

const CHAT = '-100500';
const HOUR = 3600_000;
const target: Recipient = { id: 't--100500', address: CHAT, language: 'both' };
const enOnly: Recipient = { id: 't-en', address: '-100600', language: 'en' };

const ann = (name: string, extra: Partial<Announcement> = {}): Announcement => ({
  ...(fixture(name) as unknown as Announcement),
  id: 'a1', channels: ['telegram'], status: 'done', createdAt: '2026-12-01T00:00:00Z', createdBy: 'test', publishedAt: '2026-12-01T00:00:00Z', ...extra,
});

type Part = { chat_id: string; message_id: number };
const partsOf = (ref: unknown) => (ref as { parts: Part[] }).parts;

async function sendOne(a: Announcement, r: Recipient = target) {
  const res = await ch.send(ch.render(a, r), r, { id: `send-${r.id}-${Math.random()}`, attempt: 1 });
  return { ref: res.ref, externalId: res.externalId ?? null, sentAt: new Date().toISOString(), revision: 1 };
}

const task = (kind: 'edit' | 'retract', a: Announcement, sent: CorrectionTask['sent'], extra: Partial<CorrectionTask> = {}): CorrectionTask => ({
  kind, ann: a, sent, recipient: target, delivery: { id: `cor-${kind}-1`, attempt: 1 }, ...extra,
});

const tgCalls = (method: string) => fake.calls.filter((c) => c.method === method);

beforeEach(async () => {
  fake = await startFakeTelegram();
  s = testServices(testConfig({ channels: { telegram: { enabled: true, token: fake.token, apiUrl: fake.url, targets: [{ chatId: CHAT }], perGroupPerMinute: 600 } } }));
  ch = createTelegramChannel(ctxFor(s.config, 'telegram', { redis: s.redis, keys: s.keys, subscribers: s.subscribers, log: s.log }));
});

afterEach(async () => {
  await disposeServices(s);
  await fake.close();
});

describe('telegram send leaves a ref', () => {
  it('names every part by chat_id and message_id, in order, beside the comma-joined ids', async () => {
    const one = await sendOne(ann('holiday-hours'));
    expect(one.ref).toEqual({ parts: [{ chat_id: CHAT, message_id: Number(one.externalId) }] });
    const many = await sendOne(ann('long-notice'));
    const parts = partsOf(many.ref);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.map((p) => p.message_id).join(',')).toBe(many.externalId);
    expect(parts.every((p) => p.chat_id === CHAT)).toBe(true);
  });
});

describe('telegram edit', () => {
  it('edits a one-part message in place, with parse_mode HTML and the link preview', async () => {
    const sent = await sendOne(ann('holiday-hours'));
    const id = Number(sent.externalId);
    const edited = ann('holiday-hours', { title: { en: 'Corrected opening hours', zh: '更正后的开放时间' } });
    const res = await ch.correct!(task('edit', edited, sent));
    expect(res).toMatchObject({ action: 'edit', ref: sent.ref });
    const [call] = tgCalls('editMessageText');
    expect(call.params).toMatchObject({ chat_id: CHAT, parse_mode: 'HTML' });
    expect(Number(call.params.message_id)).toBe(id);
    expect(fake.message(CHAT, id)!.text).toContain('Corrected opening hours');
    expect(fake.message(CHAT, id)!.text).toContain('更正后的开放时间');
    expect(fake.sent).toHaveLength(1);
  });

  it('takes "message is not modified" (a retried edit) as success', async () => {
    const a = ann('holiday-hours');
    const sent = await sendOne(a);
    const res = await ch.correct!(task('edit', a, sent));
    expect(res.action).toBe('edit');
    expect(tgCalls('editMessageText')).toHaveLength(1);
    expect(fake.message(CHAT, Number(sent.externalId))!.editedAt).toBeUndefined();
  });

  it('grows from one part to several: the extra parts are sent after, in order, and the ref lists them', async () => {
    const sent = await sendOne(ann('holiday-hours'));
    const long = ann('long-notice');
    const n = ch.render(long, target).parts.length;
    expect(n).toBeGreaterThan(1);
    const res = await ch.correct!(task('edit', long, sent));
    const parts = partsOf(res.ref);
    expect(parts).toHaveLength(n);
    expect(parts[0].message_id).toBe(Number(sent.externalId));
    expect(fake.sent).toHaveLength(n);
    expect(parts.map((p) => fake.message(CHAT, p.message_id)!.text.split('\n')[0])).toEqual(parts.map((_, i) => `(${i + 1}/${n})`));
    expect(res.note).toContain(`${n - 1} more part(s) sent`);
  });

  it('a retried growing edit sends each extra part once', async () => {
    const sent = await sendOne(ann('holiday-hours'));
    // Twice the long notice: at least three parts, so two are extra.
    const base = ann('long-notice');
    const long = { ...base, body: { en: `${base.body.en}\n\n${base.body.en}`, zh: `${base.body.zh}\n\n${base.body.zh}` } };
    const n = ch.render(long, target).parts.length;
    expect(n).toBeGreaterThanOrEqual(3);
    // The first extra part goes, the second meets a 500: the correction fails retryably.
    fake.failNext(CHAT, () => undefined, TG.serverError);
    const err = await ch.correct!(task('edit', long, sent)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelError);
    expect((err as ChannelError).kind).toBe('retryable');
    const res = await ch.correct!(task('edit', long, sent, { delivery: { id: 'cor-edit-1', attempt: 2 } }));
    expect(partsOf(res.ref)).toHaveLength(n);
    expect(fake.sent).toHaveLength(n);
    expect(new Set(partsOf(res.ref).map((p) => p.message_id)).size).toBe(n);
    // A crash after it finished (the log not yet written): the third attempt sends nothing new.
    const again = await ch.correct!(task('edit', long, sent, { delivery: { id: 'cor-edit-1', attempt: 3 } }));
    expect(again.ref).toEqual(res.ref);
    expect(fake.sent).toHaveLength(n);
  });

  it('shrinks from several parts to one: the first is edited, the surplus deleted', async () => {
    const sent = await sendOne(ann('long-notice'));
    const before = partsOf(sent.ref);
    const res = await ch.correct!(task('edit', ann('holiday-hours'), sent));
    expect(res.action).toBe('edit');
    expect(partsOf(res.ref)).toEqual([before[0]]);
    expect(fake.message(CHAT, before[0].message_id)!.text).not.toMatch(/^\(1\//);
    for (const p of before.slice(1)) expect(fake.message(CHAT, p.message_id)).toBeUndefined();
    expect(tgCalls('deleteMessage')).toHaveLength(before.length - 1);
  });

  it('honours a 429 on an edit: retryable with retry_after, then succeeds', async () => {
    const sent = await sendOne(ann('holiday-hours'));
    fake.failNextCall('editMessageText', CHAT, TG.tooMany(7));
    const edited = ann('holiday-hours', { title: { en: 'New title' } });
    const err = (await ch.correct!(task('edit', edited, sent)).catch((e: unknown) => e)) as ChannelError;
    expect(err).toBeInstanceOf(ChannelError);
    expect(err).toMatchObject({ kind: 'retryable', retryAfterMs: 7000, holdScope: 'recipient' });
    expect((await ch.correct!(task('edit', edited, sent))).action).toBe('edit');
    expect(fake.message(CHAT, Number(sent.externalId))!.text).toContain('New title');
  });

  it('a deleted message: permanent without a notice, the notice as a new message with one', async () => {
    const sent = await sendOne(ann('holiday-hours'));
    await ch.correct!(task('retract', ann('holiday-hours'), sent));
    const edited = ann('holiday-hours', { title: { en: 'New title' } });
    const err = (await ch.correct!(task('edit', edited, sent)).catch((e: unknown) => e)) as ChannelError;
    expect(err).toMatchObject({ kind: 'permanent' });
    expect(err.message).toContain('message to edit not found');
    const res = await ch.correct!(task('edit', edited, sent, { notice: { en: 'The hours changed.' } }));
    expect(res.action).toBe('notice');
    expect(fake.sent.at(-1)!.text).toContain('The hours changed.');
  });

  it('reads an old record without ref from its externalId and the recipient address', async () => {
    const sent = await sendOne(ann('long-notice'));
    const res = await ch.correct!(task('edit', ann('holiday-hours'), { externalId: sent.externalId, sentAt: sent.sentAt }));
    expect(partsOf(res.ref)).toEqual([partsOf(sent.ref)[0]]);
    const none = await ch.correct!(task('edit', ann('holiday-hours'), { externalId: null }));
    expect(none).toMatchObject({ action: 'none' });
    expect(none.note).toContain("the original message's id was not recorded");
  });
});

describe('telegram retract', () => {
  it('deletes every part of a young message; a second retraction finds them gone and succeeds', async () => {
    const sent = await sendOne(ann('long-notice'));
    const parts = partsOf(sent.ref);
    const res = await ch.correct!(task('retract', ann('long-notice'), sent));
    expect(res.action).toBe('retract');
    for (const p of parts) expect(fake.message(CHAT, p.message_id)).toBeUndefined();
    expect(tgCalls('deleteMessage').map((c) => Number(c.params.message_id))).toEqual(parts.map((p) => p.message_id));
    const again = await ch.correct!(task('retract', ann('long-notice'), sent));
    expect(again).toMatchObject({ action: 'retract', note: 'already deleted on Telegram' });
  });

  it('edits a message older than 48 hours to the withdrawn text, in its language, without trying to delete', async () => {
    const sent = await sendOne(ann('holiday-hours'), enOnly);
    const id = Number(sent.externalId);
    fake.backdate(enOnly.address, id, 49 * HOUR);
    const old = { ...sent, sentAt: new Date(Date.now() - 49 * HOUR).toISOString() };
    const res = await ch.correct!(task('retract', ann('holiday-hours'), old, { recipient: enOnly, notice: { en: 'Posted in error.', zh: '误发。' } }));
    expect(res.action).toBe('withdrawn');
    expect(res.note).toContain('48 hours');
    expect(tgCalls('deleteMessage')).toHaveLength(0);
    expect(fake.message(enOnly.address, id)!.text).toBe('This announcement was withdrawn.\nPosted in error.');
  });

  it('falls back to the withdrawn text when Telegram answers "message can\'t be deleted"', async () => {
    const sent = await sendOne(ann('holiday-hours'));
    const id = Number(sent.externalId);
    // The log says young, Telegram's clock says otherwise.
    fake.backdate(CHAT, id, 50 * HOUR);
    const res = await ch.correct!(task('retract', ann('holiday-hours'), sent));
    expect(res.action).toBe('withdrawn');
    expect(res.note).toContain("message can't be deleted");
    expect(fake.message(CHAT, id)!.text).toBe('此公告已撤回。\nThis announcement was withdrawn.');
  });

  it('honours a 429 on a delete', async () => {
    const sent = await sendOne(ann('holiday-hours'));
    fake.failNextCall('deleteMessage', CHAT, TG.tooMany(2));
    const err = (await ch.correct!(task('retract', ann('holiday-hours'), sent)).catch((e: unknown) => e)) as ChannelError;
    expect(err).toMatchObject({ kind: 'retryable', retryAfterMs: 2000 });
    expect((await ch.correct!(task('retract', ann('holiday-hours'), sent))).action).toBe('retract');
  });
});
