// The generic JSON webhook (kind: json): POSTs the announcement as JSON (schema in
// channels/webhooks/json-payload.ts) to one URL. With a secret, the body is signed:
//   X-Crier-Signature: sha256=<hex HMAC-SHA256(secret, exact raw body bytes)>
// X-Crier-Delivery carries the delivery id, the same on every retry, for receiver-side dedupe.
// A send is the event "announcement.published"; a correction posts "announcement.updated" or
// "announcement.retracted" (json-payload.ts) the same way, signed alike, with the correction's
// own delivery id. A receiver's 404 or 410 to a retraction means it no longer has the item:
// the retraction is done (a retried one must not loop).
// Any 2xx is success; 429, 408, 5xx and network faults are retried; other 4xx fail at once.
import { createHmac } from 'node:crypto';
import type { LibrarySettings } from '../../src/config/shared.js';
import { classifyHttp, postJson, urlHost } from '../../src/platform-http.js';
import { languagesFor } from '../../src/render/language.js';
import { topicsMatch } from '../../src/store/subscribers.js';
import type { Announcement, Channel, CorrectionResult } from '../../src/types.js';
import { renderJsonEvent, type JsonEventName } from './json-payload.js';
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
  const ok = (status: number) => status >= 200 && status < 300;
  const post = (msg: JsonWebhookMessage, deliveryId: string) => {
    const headers: Record<string, string> = { 'User-Agent': 'Crier', 'X-Crier-Delivery': deliveryId };
    if (secret) headers['X-Crier-Signature'] = signBody(secret, msg.body);
    return postJson(hook.url, msg.body, headers);
  };
  return {
    name,
    correctionSupport: { edit: 'in_place', retract: 'in_place' },
    limits: { perSecond: 5, batchSize: 1, concurrency: 2 },

    async recipientPage(ann: Announcement, cursor: string | null) {
      if (cursor !== null || !topicsMatch(hook.topics, ann.topics)) return { recipients: [], next: null };
      const language = hook.language ?? library.defaultLanguage;
      return { recipients: [{ id: 'endpoint', address: urlHost(hook.url), language }], next: null };
    },

    render(ann, recipient) {
      const payload = renderJsonEvent('announcement.published', ann, languagesFor(ann, recipient.language));
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
      const res = await post(msg, delivery.id);
      // A receiver's request id, when it sends one, helps trace the delivery on its side.
      if (ok(res.status)) return { externalId: res.headers.get('x-request-id') ?? undefined, ref: { id: msg.announcementId } };
      throw classifyHttp(res.status, res.headers.get('retry-after'), res.text);
    },

    // The receiver keys on the announcement id, so no recorded ref is needed (older records too).
    async correct(task): Promise<CorrectionResult> {
      const event: JsonEventName = task.kind === 'edit' ? 'announcement.updated' : 'announcement.retracted';
      const body = JSON.stringify(renderJsonEvent(event, task.ann, languagesFor(task.ann, task.recipient.language), task.notice));
      const res = await post({ body, announcementId: task.ann.id }, task.delivery.id);
      const ref = { id: task.ann.id };
      if (ok(res.status)) return { action: task.kind, ref };
      if (task.kind === 'retract' && (res.status === 404 || res.status === 410)) {
        return { action: 'retract', ref, note: `the receiver answered ${res.status}: it no longer has the announcement` };
      }
      throw classifyHttp(res.status, res.headers.get('retry-after'), res.text);
    },

    async check() {
      // A generic receiver has no endpoint to ask without delivering something, so nothing is sent.
      return `not checked (no auth endpoint); URL host ${urlHost(hook.url)}; ${secret ? 'signed with X-Crier-Signature' : 'unsigned (no secret)'}`;
    },
  };
}
