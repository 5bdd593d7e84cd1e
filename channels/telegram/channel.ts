// The Telegram channel: broadcast targets (channels, groups) and the bot's private-chat
// subscribers, one sendMessage per part in HTML parse mode.
//
// A long announcement goes out as numbered parts within one send(). Parts already delivered
// are remembered in Redis, <prefix>:tgparts:<deliveryId> (hash: part index → message_id,
// kept as long as the delivery log), so a retry after part 2 failed does not send part 1 again.
// send returns ref { parts: [{ chat_id, message_id }] } in order; corrections are in correct.ts.
import type { ChannelContext } from '../../src/channel-module.js';
import { retentionSeconds } from '../../src/config/shared.js';
import { languagesFor } from '../../src/render/language.js';
import { RenderMemo } from '../../src/render/memo.js';
import type { Channel, Recipient } from '../../src/types.js';
import { lazyApi } from './client.js';
import { partsRef, telegramCorrector } from './correct.js';
import { classifyTelegramError } from './errors.js';
import { telegramRecipientPage } from './recipients.js';
import { renderTelegram, telegramLength, TELEGRAM_MAX_LENGTH } from './render.js';
import type { TelegramSettings } from './settings.js';
import type { TelegramMessage } from './message.js';

export type { TelegramMessage } from './message.js';

export function createTelegramChannel(ctx: ChannelContext<TelegramSettings>): Channel<TelegramMessage> {
  const { deps } = ctx;
  const { settings } = ctx;
  const api = lazyApi(settings);
  // Rendered once per revision and language: the chat id is the only per-recipient part.
  const rendered = new RenderMemo((ann, langs) => renderTelegram(ann, langs));
  const partsTtl = retentionSeconds(ctx.delivery);
  const name = 'telegram';

  async function sendPart(msg: TelegramMessage, i: number, r: Recipient): Promise<number> {
    const last = i === msg.parts.length - 1;
    try {
      const res = await api().sendMessage({
        chat_id: msg.chatId,
        text: msg.parts[i],
        parse_mode: 'HTML',
        link_preview_options: last && msg.previewUrl ? { url: msg.previewUrl, prefer_small_media: true } : { is_disabled: true },
      });
      return res.message_id;
    } catch (err) {
      throw classifyTelegramError(err, { subscriber: r.subscriberId !== undefined });
    }
  }

  const channel: Channel<TelegramMessage> = {
    name,
    // Per bot, per chat, and per group (the broadcast targets; subscribers are private chats).
    // Jobs of 20 with 4 sends in flight each: enough to reach the bot's limit over a slow network.
    correctionSupport: { edit: 'in_place', retract: 'in_place' },
    limits: {
      perSecond: settings.perSecond,
      perTargetPerSecond: settings.perChatPerSecond,
      targetRates: (r) => (r.subscriberId ? [] : [{ max: settings.perGroupPerMinute, perMs: 60_000 }]),
      batchSize: 20,
      concurrency: 8,
      inFlight: 4,
    },

    recipientPage: (ann, cursor) => telegramRecipientPage(ctx, deps.subscribers, ann, cursor),

    render(ann, recipient) {
      const { parts } = rendered.get(ann, languagesFor(ann, recipient.language));
      // The announcement's link gets its preview (the library's own page, chosen by the
      // librarian); links inside the body never do, so a message never shows a stray card.
      return { chatId: recipient.address, parts, previewUrl: ann.link };
    },

    measure: (ann, langs) => ({
      platform: 'telegram', label: 'Telegram', count: telegramLength(ann, langs), max: TELEGRAM_MAX_LENGTH,
      unit: { en: 'characters as Telegram counts them (an emoji counts 2)', zh: '按 Telegram 的计数方式（一个表情符号计 2）' },
      effect: { en: 'sent as several messages', zh: '拆成多条消息发送' },
    }),

    preview: (m) =>
      m.parts
        .map((text, i) => `sendMessage chat_id=${m.chatId} parse_mode=HTML${m.parts.length > 1 ? ` (part ${i + 1}/${m.parts.length})` : ''}\n${text}`)
        .join('\n\n'),

    async send(msg, recipient, delivery) {
      if (msg.parts.length === 1) {
        const id = await sendPart(msg, 0, recipient);
        return { externalId: String(id), ref: partsRef([{ chat_id: msg.chatId, message_id: id }]) };
      }
      const key = deps.keys.telegramParts(delivery.id);
      const done = await deps.redis.hgetall(key);
      const ids: string[] = [];
      let sentNow = false;
      for (let i = 0; i < msg.parts.length; i++) {
        if (done[i]) {
          ids.push(done[i]);
          continue;
        }
        // The worker paced the first message; later parts take their own slots under the same limits.
        if (sentNow) await deps.pacer.acquire(channel, recipient);
        const id = String(await sendPart(msg, i, recipient));
        await deps.redis.multi().hset(key, String(i), id).expire(key, partsTtl).exec();
        ids.push(id);
        sentNow = true;
      }
      return { externalId: ids.join(','), ref: partsRef(ids.map((id) => ({ chat_id: msg.chatId, message_id: Number(id) }))) };
    },

    correct: (task) => correct(task),

    async check() {
      try {
        const me = await api().getMe();
        return `bot @${me.username ?? me.first_name} (id ${me.id})`;
      } catch (err) {
        throw classifyTelegramError(err, { subscriber: false });
      }
    },

    async recipientGone(recipient) {
      // Only subscribers are ever "gone" (403 from a private chat): they are skipped from now on.
      if (recipient.subscriberId) await deps.subscribers.setStatus(recipient.subscriberId, 'blocked');
    },
  };
  const correct = telegramCorrector({
    api, deps, library: ctx.library, partsTtl, channel,
    sendPart: (msg, i, task) => sendPart(msg, i, task.recipient),
  });
  return channel;
}
