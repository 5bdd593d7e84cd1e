// What the subscription flow adds to every announcement e-mail: the subscriber's manage link
// (footer) and unsubscribe link (footer, and the List-Unsubscribe and List-Unsubscribe-Post
// RFC 8058 one-click headers).
//
// The channel's render() is synchronous, so the link is signed with the secret cached by
// `SubscriptionSecret.ready()` (the one createServices builds and also gives the subscription service). Every process that sends e-mail awaits that before its workers
// start (startConfirmationWorker, called from workers/index.ts); the HTTP routes warm it too.
// Should a render ever run before the secret is known, it throws a retryable error, so the
// delivery worker tries the send again a moment later: an announcement e-mail never leaves
// without its unsubscribe headers. Recipients that are not subscribers (the sample of
// `crier preview`) get no link.
import type { EmailExtras } from '../channel-module.js';
import type { CrierConfig } from '../config/schema.js';
import { ChannelError } from '../types.js';
import { manageUrl, unsubscribeUrl } from './links.js';
import type { SubscriptionSecret } from './tokens.js';

export function subscriptionEmailExtras(config: CrierConfig, secret: SubscriptionSecret): EmailExtras {
  const signer = () => {
    const sg = secret.current();
    if (!sg) {
      secret.ready().catch(() => {});
      throw ChannelError.retryable('the subscription token secret is not loaded yet; the unsubscribe link cannot be signed');
    }
    return sg;
  };
  return {
    unsubscribeUrl(recipient) {
      return recipient.subscriberId ? unsubscribeUrl(config, signer(), recipient.subscriberId) : undefined;
    },
    manageUrl(recipient) {
      return recipient.subscriberId ? manageUrl(config, signer(), recipient.subscriberId) : undefined;
    },
  };
}
