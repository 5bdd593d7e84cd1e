// One way to build the Bot API client for the channel and the bot: base URL from the config
// (tests point it at a local server) and no retries inside the client, so the delivery
// worker's backoff and the 429 retry_after stay the only retry logic.
import { Api, type TransportOptions } from 'node-telegram-bot-api';
import type { CrierConfig } from '../../src/config/schema.js';

export function telegramClientOptions(config: CrierConfig): TransportOptions {
  return { apiRoot: config.channels.telegram.apiUrl, maxRetries: 0, timeoutMs: 30_000 };
}

/** Built on first use: an empty token is reported by the send or check that needs it. */
export function lazyApi(config: CrierConfig): () => Api {
  let api: Api | undefined;
  return () => (api ??= new Api(config.channels.telegram.token, telegramClientOptions(config)));
}
