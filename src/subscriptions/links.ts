// The public URLs of the subscription flow, built on library.baseUrl (whose scheme they keep:
// a deployment sets an https:// baseUrl; the demo's http://localhost:8080 works locally).
import type { CrierConfig } from '../config/schema.js';
import type { TokenSigner } from './tokens.js';

export const CONFIRM_PATH = '/subscriptions/confirm';
export const UNSUBSCRIBE_PATH = '/subscriptions/unsubscribe';
export const PREFERENCES_PATH = '/subscriptions/preferences';
export const MANAGE_PATH = '/subscriptions/manage';

function base(config: CrierConfig): string {
  return config.library.baseUrl.replace(/\/+$/, '');
}

export function confirmUrl(config: CrierConfig, token: string): string {
  return `${base(config)}${CONFIRM_PATH}?token=${encodeURIComponent(token)}`;
}

/** The subscriber's unsubscribe link: the same URL in every e-mail, valid until they are deleted. */
export function unsubscribeUrl(config: CrierConfig, signer: TokenSigner, subscriberId: string): string {
  const token = signer.sign({ sub: subscriberId, purpose: 'unsubscribe' });
  return `${base(config)}${UNSUBSCRIBE_PATH}?token=${encodeURIComponent(token)}`;
}

/**
 * The subscriber's manage page. It carries the same never-expiring token as the unsubscribe
 * link: both pages can do the same thing (stop everything), and one credential per subscriber
 * keeps "delete the subscriber, every link dies" true.
 */
export function manageUrl(config: CrierConfig, signer: TokenSigner, subscriberId: string): string {
  const token = signer.sign({ sub: subscriberId, purpose: 'unsubscribe' });
  return `${base(config)}${MANAGE_PATH}?token=${encodeURIComponent(token)}`;
}
