// What the subscription flow adds to every announcement e-mail: the subscriber's unsubscribe
// link, which the e-mail channel puts in the footer and in the List-Unsubscribe and
// List-Unsubscribe-Post (RFC 8058 one-click) headers.
//
// The channel's render() is synchronous, so the link is signed with the secret cached by
// `secretFor(...).ready()`. Every process that sends e-mail awaits that before its workers
// start (startConfirmationWorker, called from workers/index.ts); the HTTP routes warm it too.
// Should a render ever run before the secret is known, it throws a retryable error, so the
// delivery worker tries the send again a moment later: an announcement e-mail never leaves
// without its unsubscribe headers. Recipients that are not subscribers (the sample of
// `crier preview`) get no link.
import type { Redis } from 'ioredis';
import type { EmailExtras } from '../../channels/email.js';
import type { CrierConfig } from '../config/schema.js';
import type { Keys } from '../redis/keys.js';
import { ChannelError } from '../types.js';
import { unsubscribeUrl } from './links.js';
import { secretFor } from './tokens.js';

export function subscriptionEmailExtras(config: CrierConfig, deps: { redis: Redis; keys: Keys }): EmailExtras {
  const secret = secretFor(config, deps.redis, deps.keys);
  return {
    unsubscribeUrl(recipient) {
      if (!recipient.subscriberId) return undefined;
      const signer = secret.current();
      if (!signer) {
        secret.ready().catch(() => {});
        throw ChannelError.retryable('the subscription token secret is not loaded yet; the unsubscribe link cannot be signed');
      }
      return unsubscribeUrl(config, signer, recipient.subscriberId);
    },
  };
}
