// The generic JSON webhook (kind: json): POSTs the announcement as JSON (schema in
// channels/webhooks/json-payload.ts) to one URL. With a secret, the body is signed:
//   X-Crier-Signature: sha256=<hex HMAC-SHA256(secret, exact raw body bytes)>
// X-Crier-Delivery carries the delivery id, the same on every retry, for receiver-side dedupe.
// Any 2xx is success; 429, 408, 5xx and network faults are retried; other 4xx fail at once.
import { createHmac } from 'node:crypto';
import type { LibrarySettings } from '../../src/config/shared.js';
import { classifyHttp, postJson, urlHost } from '../../src/platform-http.js';
import { languagesFor } from '../../src/render/language.js';
import { topicsMatch } from '../../src/store/subscribers.js';
import type { Announcement, Channel } from '../../src/types.js';
import { renderJsonPayload } from './json-payload.js';
import type { WebhookConfig } from './settings.js';

export interface JsonWebhookMessage {
  /** The exact bytes sent (and signed), UTF-8 JSON. */
  body: string;
  announcementId: string;
}

/** `sha256=<hex>`: HMAC-SHA256 of the raw body with the webhook's secret. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

export function createJsonWebhookChannel(library: LibrarySettings, hook: WebhookConfig): Channel<JsonWebhookMessage> {
  const name = `webhook:${hook.name}`;
  const secret = hook.secret || undefined;
  return {
    name,
    limits: { perSecond: 5, batchSize: 1, concurrency: 2 },

    async recipientPage(ann: Announcement, cursor: string | null) {
      if (cursor !== null || !topicsMatch(hook.topics, ann.topics)) return { recipients: [], next: null };
      const language = hook.language ?? library.defaultLanguage;
      return { recipients: [{ id: 'endpoint', address: urlHost(hook.url), language }], next: null };
    },

    render(ann, recipient) {
      const payload = renderJsonPayload(ann, languagesFor(ann, recipient.language));
      return { body: JSON.stringify(payload), announcementId: ann.id };
    },

    preview: (m) =>
      [
        `POST ${urlHost(hook.url)} (kind json)`,
        'Content-Type: application/json; charset=utf-8',
        ...(secret ? ['X-Crier-Signature: sha256=…'] : []),
        '',
        JSON.stringify(JSON.parse(m.body), null, 2),
      ].join('\n'),

    async send(msg, _recipient, delivery) {
      const headers: Record<string, string> = { 'User-Agent': 'Crier', 'X-Crier-Delivery': delivery.id };
      if (secret) headers['X-Crier-Signature'] = signBody(secret, msg.body);
      const res = await postJson(hook.url, msg.body, headers);
      // A receiver's request id, when it sends one, helps trace the delivery on its side.
      if (res.status >= 200 && res.status < 300) return { externalId: res.headers.get('x-request-id') ?? undefined };
      throw classifyHttp(res.status, res.headers.get('retry-after'), res.text);
    },

    async check() {
      // A generic receiver has no endpoint to ask without delivering something, so nothing is sent.
      return `not checked (no auth endpoint); URL host ${urlHost(hook.url)}; ${secret ? 'signed with X-Crier-Signature' : 'unsigned (no secret)'}`;
    },
  };
}
