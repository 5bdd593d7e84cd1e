// Corrections on Telegram: an edit rewrites every part in place (editMessageText), sending or
// deleting parts when their number changes; a retraction deletes every part (deleteMessage).
//
// What the Bot API allows, from https://core.telegram.org/bots/api:
// - editMessageText edits the bot's own text messages, with no age limit for them (the 48-hour
//   limit there is for business messages not sent by the bot); the same text again answers
//   "Bad Request: message is not modified", which here means a retried edit already landed.
// - deleteMessage: "A message can only be deleted if it was sent less than 48 hours ago" (and
//   bots may delete their outgoing messages in private chats, groups and, with can_post_messages,
//   channels). Older messages are edited to a short "withdrawn" text instead; so is any message
//   Telegram refuses with "message can't be deleted".
// - "message to edit not found" / "message to delete not found": someone already deleted it.
import { TelegramApiError, type Api } from 'node-telegram-bot-api';
import type { ChannelDeps } from '../../src/channel-module.js';
import type { LibrarySettings } from '../../src/config/shared.js';
import { hasNotice, sendNotice } from '../../src/corrections/notice.js';
import { languagesFor } from '../../src/render/language.js';
import { ChannelError, type Channel, type CorrectionResult, type CorrectionTask, type Lang, type MessageRef } from '../../src/types.js';
import type { TelegramMessage } from './message.js';
import { classifyTelegramError } from './errors.js';

export interface TgPart {
  chat_id: string;
  message_id: number;
}

/** Deletion is refused from 48 hours on; a few minutes' margin keeps a slow retry out of the race. */
export const DELETE_WINDOW_MS = 48 * 3600_000 - 5 * 60_000;

const WITHDRAWN: Record<Lang, string> = { en: 'This announcement was withdrawn.', zh: '此公告已撤回。' };

export const partsRef = (parts: readonly TgPart[]): MessageRef => ({ parts: parts.map((p) => ({ chat_id: p.chat_id, message_id: p.message_id })) });

/** The parts a send left: its ref, or (records from before refs) the comma-joined ids in the recipient's chat. */
export function sentParts(task: CorrectionTask): TgPart[] | null {
  const parts = task.sent.ref?.parts;
  if (Array.isArray(parts) && parts.length > 0) {
    const ok = parts.every((p: unknown) => {
      const q = p as Partial<TgPart> | null;
      return !!q && (typeof q.chat_id === 'string' || typeof q.chat_id === 'number') && Number.isInteger(q.message_id);
    });
    if (ok) return (parts as TgPart[]).map((p) => ({ chat_id: String(p.chat_id), message_id: Number(p.message_id) }));
  }
  const ext = task.sent.externalId?.trim();
  if (ext && /^\d+(,\d+)*$/.test(ext)) return ext.split(',').map((id) => ({ chat_id: task.recipient.address, message_id: Number(id) }));
  return null;
}

const answered = (err: unknown, re: RegExp) => err instanceof TelegramApiError && err.errorCode === 400 && re.test(err.description);
const NOT_MODIFIED = /message is not modified/i;
const EDIT_GONE = /message to edit not found/i;
const DELETE_GONE = /message to delete not found/i;
const CANT_DELETE = /message can'?t be deleted/i;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export interface CorrectorEnv {
  api: () => Api;
  deps: Pick<ChannelDeps, 'redis' | 'keys' | 'pacer'>;
  library: Pick<LibrarySettings, 'baseUrl'>;
  partsTtl: number;
  channel: Channel<TelegramMessage>;
  /** The send's own sendMessage of part i (same parse mode and preview rule); throws ChannelError. */
  sendPart: (msg: TelegramMessage, i: number, task: CorrectionTask) => Promise<number>;
}

export function telegramCorrector(env: CorrectorEnv): (task: CorrectionTask) => Promise<CorrectionResult> {
  const { api, deps, channel } = env;
  const classify = (err: unknown, task: CorrectionTask) => classifyTelegramError(err, { subscriber: task.recipient.subscriberId !== undefined });
  // The worker paced the first call; every further call takes its own slot under the same limits.
  // Counted per task: several corrections run at once on one channel.
  const calls = new WeakMap<CorrectionTask, number>();
  const paced = async (task: CorrectionTask) => {
    const n = calls.get(task) ?? 0;
    calls.set(task, n + 1);
    if (n > 0) await deps.pacer.acquire(channel, task.recipient);
  };

  /** editMessageText; 'gone' when the message no longer exists. Not modified is success. */
  async function edit(task: CorrectionTask, p: TgPart, text: string, previewUrl?: string): Promise<'ok' | 'gone'> {
    await paced(task);
    try {
      await api().editMessageText({
        chat_id: p.chat_id, message_id: p.message_id, text, parse_mode: 'HTML',
        link_preview_options: previewUrl ? { url: previewUrl, prefer_small_media: true } : { is_disabled: true },
      });
      return 'ok';
    } catch (err) {
      if (answered(err, NOT_MODIFIED)) return 'ok';
      if (answered(err, EDIT_GONE)) return 'gone';
      throw classify(err, task);
    }
  }

  /** deleteMessage; 'gone' when already deleted, 'refused' when Telegram will not delete it. */
  async function remove(task: CorrectionTask, p: TgPart): Promise<'ok' | 'gone' | 'refused'> {
    await paced(task);
    try {
      await api().deleteMessage({ chat_id: p.chat_id, message_id: p.message_id });
      return 'ok';
    } catch (err) {
      if (answered(err, DELETE_GONE)) return 'gone';
      if (answered(err, CANT_DELETE)) return 'refused';
      throw classify(err, task);
    }
  }

  function withdrawnText(task: CorrectionTask, withNotice: boolean): string {
    const langs = languagesFor(task.ann, task.recipient.language);
    const use = langs.length ? langs : (['en'] as Lang[]);
    const lines = use.map((l) => WITHDRAWN[l]);
    if (withNotice && hasNotice(task.notice)) {
      const n = task.notice;
      const said = use.map((l) => n[l]?.trim()).filter((t): t is string => !!t);
      lines.push(...(said.length ? said : [n.en?.trim() || n.zh?.trim() || '']).map(esc));
    }
    return lines.join('\n');
  }

  /** Edits every part to the withdrawn text (the notice on the first); parts already gone are fine. */
  async function withdraw(task: CorrectionTask, parts: TgPart[], why: string): Promise<CorrectionResult> {
    for (let i = 0; i < parts.length; i++) await edit(task, parts[i], withdrawnText(task, i === 0));
    return { action: 'withdrawn', ref: partsRef(parts), note: `${why}; the message was edited to say it was withdrawn` };
  }

  async function retract(task: CorrectionTask, parts: TgPart[]): Promise<CorrectionResult> {
    const age = task.sent.sentAt ? Date.now() - Date.parse(task.sent.sentAt) : NaN;
    if (age >= DELETE_WINDOW_MS) return withdraw(task, parts, 'Telegram deletes only messages younger than 48 hours');
    let gone = 0;
    for (const p of parts) {
      const r = await remove(task, p);
      if (r === 'refused') return withdraw(task, parts, "Telegram answered \"message can't be deleted\"");
      if (r === 'gone') gone++;
    }
    const note = gone === parts.length ? 'already deleted on Telegram' : gone ? `${gone} of ${parts.length} parts were already deleted` : undefined;
    return { action: 'retract', ref: partsRef([]), ...(note ? { note } : {}) };
  }

  async function editAll(task: CorrectionTask, parts: TgPart[]): Promise<CorrectionResult> {
    const msg = channel.render(task.ann, task.recipient);
    const n = msg.parts.length;
    const preview = (i: number) => (i === n - 1 ? msg.previewUrl : undefined);
    const kept: TgPart[] = [];
    for (let i = 0; i < Math.min(n, parts.length); i++) {
      if ((await edit(task, parts[i], msg.parts[i], preview(i))) === 'gone') {
        const why = 'the message was deleted on Telegram (message to edit not found)';
        if (hasNotice(task.notice)) {
          // A notice is one short part: send's part hash is not used for it.
          await paced(task);
          return sendNotice(channel, task, env.library, why);
        }
        throw ChannelError.permanent(`${why}; no notice was given, so nothing was sent`);
      }
      kept.push(parts[i]);
    }
    // More parts than before: sent after the edited ones, remembered so a retry sends each once.
    // Keyed by revision too: should a correction's id not name its revision, a later edit that
    // grows again must not reuse parts an earlier one sent (and a shrink since deleted).
    const key = deps.keys.telegramParts(`${task.delivery.id}.edit-r${task.ann.revision ?? 0}`);
    const done = n > parts.length ? await deps.redis.hgetall(key) : {};
    for (let i = parts.length; i < n; i++) {
      let id = done[i];
      if (!id) {
        await paced(task);
        id = String(await env.sendPart(msg, i, task));
        await deps.redis.multi().hset(key, String(i), id).expire(key, env.partsTtl).exec();
      }
      kept.push({ chat_id: msg.chatId, message_id: Number(id) });
    }
    // Fewer: the surplus parts go (an old one Telegram will not delete is emptied to a dash).
    const notes: string[] = [];
    if (n > parts.length) notes.push(`${n - parts.length} more part(s) sent`);
    for (let i = n; i < parts.length; i++) {
      const r = await remove(task, parts[i]);
      if (r === 'refused') {
        await edit(task, parts[i], '—');
        notes.push(`part ${i + 1} could not be deleted (older than 48 hours) and was emptied`);
      } else notes.push(`part ${i + 1} ${r === 'gone' ? 'was already deleted' : 'deleted'}`);
    }
    return { action: 'edit', ref: partsRef(kept), ...(notes.length ? { note: notes.join('; ') } : {}) };
  }

  return async (task) => {
    const parts = sentParts(task);
    if (!parts) return sendNotice(channel, task, env.library, "the original message's id was not recorded");
    return task.kind === 'edit' ? editAll(task, parts) : retract(task, parts);
  };
}
