// Telegram's answers → what the delivery worker does next. The client never retries by itself
// (maxRetries: 0), so every failure of the one attempt lands here.
import { NetworkError, ParseError, TelegramApiError, TelegramBotError, TimeoutError } from 'node-telegram-bot-api';
import { ChannelError } from '../../src/types.js';

/**
 * 429 → retry after its retry_after; 5xx, network, timeouts → retry with backoff; 403 (blocked,
 * kicked, deactivated) → the subscriber is gone, a broadcast target fails; every other 4xx is
 * permanent with Telegram's own description.
 */
export function classifyTelegramError(err: unknown, opts: { subscriber: boolean }): ChannelError {
  if (err instanceof TelegramApiError) {
    const what = `Telegram ${err.errorCode}: ${err.description}`;
    // A private chat is paced at 1/s, so its 429 is the bot's own limit: everyone waits. A
    // group's is that group's 20 a minute: only it waits.
    if (err.errorCode === 429) return ChannelError.retryable(what, (err.retryAfter ?? 1) * 1000, err, opts.subscriber ? 'channel' : 'recipient');
    if (err.errorCode >= 500) return ChannelError.retryable(what, undefined, err);
    if (err.errorCode === 401 || err.errorCode === 404) {
      return ChannelError.permanent(`bad bot token (channels.telegram.token): ${what}`, err);
    }
    if (err.errorCode === 403) return opts.subscriber ? ChannelError.recipientGone(what, err) : ChannelError.permanent(what, err);
    const migrated = err.migrateToChatId;
    if (migrated !== undefined) {
      return ChannelError.permanent(`${what}; the group is now supergroup ${migrated}: use that chatId in channels.telegram.targets`, err);
    }
    return ChannelError.permanent(what, err);
  }
  if (err instanceof NetworkError || err instanceof TimeoutError || err instanceof ParseError) {
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
    return ChannelError.retryable(`${err.message}${cause}`, undefined, err);
  }
  if (err instanceof TelegramBotError && err.code === 'EPARAM') return ChannelError.permanent(`channels.telegram: ${err.message}`, err);
  return ChannelError.retryable(err instanceof Error ? err.message : String(err), undefined, err);
}
