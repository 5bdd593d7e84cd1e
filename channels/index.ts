// The channel registry: one line per channel. Each is one folder under channels/ exporting one
// module value (src/channel-module.ts says what it holds); src/config/schema.ts merges their
// settings into the configuration and src/channels.ts builds the enabled ones.
import { email } from './email/index.js';
import { mastodon } from './mastodon/index.js';
import { rss } from './rss/index.js';
import { slack } from './slack/index.js';
import { telegram } from './telegram/index.js';
import { webhooks } from './webhooks/index.js';

export const CHANNELS = [email, rss, slack, telegram, mastodon, webhooks] as const;
