// One way to build the Bot API client for the channel and the bot: base URL from the settings
// (tests point it at a local server) and no retries inside the client, so the delivery
// worker's backoff and the 429 retry_after stay the only retry logic.
import { Api, type TransportOptions } from 'node-telegram-bot-api';
import type { TelegramSettings } from './settings.js';

export function telegramClientOptions(settings: Pick<TelegramSettings, 'apiUrl'>): TransportOptions {
  return { apiRoot: settings.apiUrl, maxRetries: 0, timeoutMs: 30_000 };
}

/** Built on first use: an empty token is reported by the send or check that needs it. */
export function lazyApi(settings: Pick<TelegramSettings, 'apiUrl' | 'token'>): () => Api {
  let api: Api | undefined;
  return () => (api ??= new Api(settings.token, telegramClientOptions(settings)));
}
