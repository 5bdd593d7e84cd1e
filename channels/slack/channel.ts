// The Slack channel: one Block Kit message (chat.postMessage) per configured target channel.
// The client makes exactly one request per send (retries off, 429 rejected instead of slept
// on): the delivery worker owns retries, and classifySlackError tells it which kind it was.
import { createHash } from 'node:crypto';
import {
  LogLevel,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
  type Logger as SlackLogger,
} from '@slack/web-api';
import type { ChannelContext } from '../../src/channel-module.js';
import { languagesFor } from '../../src/render/language.js';
import { topicsMatch } from '../../src/store/subscribers.js';
import { hasNotice, sendNotice } from '../../src/corrections/notice.js';
import { ChannelError, type Announcement, type Channel, type CorrectionResult, type CorrectionTask, type Recipient } from '../../src/types.js';
import type { Logger } from '../../src/util/log.js';
import { previewSlack, renderSlack, type SlackBlock } from './render.js';
import type { SlackSettings } from './settings.js';

export interface SlackMessage {
  channel: string;
  text: string;
  blocks: SlackBlock[];
}

// Slack's `error` codes worth another try; every other code is permanent.
const RETRYABLE_CODES = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited', 'team_added_to_org']);

const HINTS: Record<string, string> = {
  channel_not_found: 'no such channel, or a private channel the bot is not in (check the channel ID; invite the bot)',
  not_in_channel: 'invite the bot to the channel (/invite @your-bot)',
  is_archived: 'the channel is archived',
  invalid_auth: 'the token is not valid (check channels.slack.token / SLACK_BOT_TOKEN)',
  not_authed: 'no token was sent (set channels.slack.token, e.g. "${SLACK_BOT_TOKEN}")',
  account_inactive: 'the token belongs to a deleted user or a disabled app',
  token_revoked: 'the token was revoked; install the app again and update SLACK_BOT_TOKEN',
  token_expired: 'the token expired; refresh it and update SLACK_BOT_TOKEN',
  missing_scope: 'the token lacks a scope',
  restricted_action: 'a workspace setting prevents the bot from posting in this channel',
  msg_too_long: 'the message is too long for Slack',
  msg_blocks_too_long: 'the blocks are too long for Slack',
  invalid_blocks: 'Slack rejected the blocks',
  invalid_blocks_format: 'Slack rejected the blocks',
  no_text: 'the message had no text',
  // chat.update and chat.delete (docs.slack.dev/reference/methods/chat.update, …/chat.delete)
  cant_update_message: 'Slack does not let the bot edit this message (a bot may only edit its own messages)',
  edit_window_closed: "the workspace's message-editing window has closed, so Slack no longer lets the message be edited",
  cant_delete_message: 'Slack does not let the bot delete this message (a bot may only delete its own messages)',
  compliance_exports_prevent_deletion: "the workspace's compliance exports are on, so Slack does not let messages be deleted",
};

/** Slack's refusals to change a message: the message stays as sent, whatever we retry. */
const REFUSED = new Set(['cant_update_message', 'edit_window_closed', 'cant_delete_message', 'compliance_exports_prevent_deletion']);

/** Where a sent message is: the send's ref, or "channel/ts" from a record older than refs. */
export function slackRef(sent: CorrectionTask['sent']): { channel: string; ts: string } | undefined {
  const ok = (channel: unknown, ts: unknown): channel is string => typeof channel === 'string' && channel !== '' && typeof ts === 'string' && /^\d+\.\d+$/.test(ts);
  if (sent.ref && ok(sent.ref.channel, sent.ref.ts)) return { channel: sent.ref.channel, ts: sent.ref.ts as string };
  const m = /^([^/]+)\/(\d+\.\d+)$/.exec(sent.externalId ?? '');
  return m ? { channel: m[1], ts: m[2] } : undefined;
}

const platformCode = (err: unknown): string | undefined => (err instanceof WebAPIPlatformError ? err.data.error : undefined);

/** A failed Web API call as the kind of failure the delivery worker acts on. */
export function classifySlackError(err: unknown): ChannelError {
  if (err instanceof ChannelError) return err;
  if (err instanceof WebAPIRateLimitedError) {
    return ChannelError.retryable(`ratelimited: Slack asked to wait ${err.retryAfter}s (HTTP 429)`, err.retryAfter * 1000, err);
  }
  if (err instanceof WebAPIPlatformError) {
    const data = err.data as typeof err.data & { needed?: unknown; errors?: unknown[] };
    const code = data.error;
    const meta = err.data.response_metadata as { retryAfter?: number; messages?: string[] } | undefined;
    if (RETRYABLE_CODES.has(code)) {
      const wait = meta?.retryAfter !== undefined ? meta.retryAfter * 1000 : undefined;
      return ChannelError.retryable(`${code}: Slack could not take the message now`, wait, err);
    }
    const needed = typeof data.needed === 'string' ? ` (needs ${data.needed})` : '';
    const detail = data.errors?.[0] ?? meta?.messages?.[0];
    const hint = HINTS[code] ? `: ${HINTS[code]}${needed}` : needed;
    return ChannelError.permanent(`${code}${hint}${detail ? ` [${String(detail).slice(0, 200)}]` : ''}`, err);
  }
  if (err instanceof WebAPIHTTPError) {
    const status = err.statusCode;
    if (status >= 500 || status === 408) return ChannelError.retryable(`Slack answered HTTP ${status} ${err.statusMessage}`.trim(), undefined, err);
    return ChannelError.permanent(`Slack answered HTTP ${status} ${err.statusMessage} (check channels.slack.apiUrl)`.trim(), err);
  }
  if (err instanceof WebAPIRequestError) {
    return ChannelError.retryable(`could not reach Slack: ${err.original.message}`, undefined, err);
  }
  // A 429 whose Retry-After the client could not read surfaces as a plain Error.
  const message = err instanceof Error ? err.message : String(err);
  return ChannelError.retryable(`Slack request failed: ${message}`, undefined, err);
}

/** A delivery key for a channel ID or name: as it is when it only uses [A-Za-z0-9_.-]. */
export function slackRecipientId(channel: string): string {
  if (/^[A-Za-z0-9_.-]+$/.test(channel)) return channel;
  const hash = createHash('sha256').update(channel).digest('hex').slice(0, 8);
  return `${channel.replace(/[^A-Za-z0-9_.-]/g, '_')}-${hash}`;
}

/** The web client's warnings go to our log; its debug lines (whole request bodies) do not. */
function clientLogger(log: Logger): SlackLogger {
  let level = LogLevel.WARN;
  const text = (msg: unknown[]): string => msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    debug: () => {},
    info: () => {},
    warn: (...m) => log.warn(text(m)),
    error: (...m) => log.warn(text(m)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

export function createSlackChannel(ctx: ChannelContext<SlackSettings>): Channel<SlackMessage> {
  const { settings: cfg, deps, library } = ctx;
  const log = deps.log.child('slack');
  let client: WebClient | undefined;
  const slack = (): WebClient => {
    client ??= new WebClient(cfg.token, {
      slackApiUrl: cfg.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: 30_000,
      logger: clientLogger(log),
    });
    return client;
  };
  const topicNames = Object.fromEntries(ctx.topics.map((t) => [t.id, t.name]));

  // One recipient per distinct channel, in config order; a channel listed twice gets one copy.
  const recipientsFor = (ann: Announcement): Recipient[] => {
    const byId = new Map<string, Recipient>();
    for (const t of cfg.targets) {
      const id = slackRecipientId(t.channel);
      if (byId.has(id) || !topicsMatch(t.topics, ann.topics)) continue;
      byId.set(id, { id, address: t.channel, language: t.language ?? cfg.language ?? library.defaultLanguage });
    }
    return [...byId.values()];
  };

  const channel: Channel<SlackMessage> = {
    name: 'slack',
    // Slack allows about one message a second per channel; a batch is one channel.
    correctionSupport: { edit: 'in_place', retract: 'in_place' },
    limits: { perTargetPerSecond: cfg.perChannelPerSecond, batchSize: 1, concurrency: 4 },

    async recipientPage(ann, cursor) {
      return { recipients: cursor === null ? recipientsFor(ann) : [], next: null };
    },

    render(ann, recipient) {
      const r = renderSlack(ann, languagesFor(ann, recipient.language), { libraryName: library.name, topicNames });
      return { channel: recipient.address, text: r.text, blocks: r.blocks };
    },

    preview: (m) => previewSlack(m),

    async send(msg) {
      try {
        const res = await slack().chat.postMessage({
          channel: msg.channel,
          text: msg.text,
          blocks: msg.blocks,
          unfurl_links: false,
          unfurl_media: false,
        });
        const where = res.channel ?? msg.channel;
        return { externalId: `${where}/${res.ts ?? ''}`, ...(res.ts ? { ref: { channel: where, ts: res.ts } } : {}) };
      } catch (err) {
        throw classifySlackError(err);
      }
    },

    async correct(task) {
      return correctSlack(task);
    },

    async check() {
      if (!cfg.token) throw ChannelError.permanent('channels.slack.token is empty (set it to "${SLACK_BOT_TOKEN}" and export the bot token)');
      try {
        const res = await slack().auth.test();
        return `authenticated as ${res.user ?? res.user_id ?? '?'} in ${res.team ?? res.team_id ?? '?'}`;
      } catch (err) {
        throw classifySlackError(err);
      }
    },
  };

  // A refused edit or deletion with a notice: the readers are told by a new message instead.
  const refusedNotice = (task: CorrectionTask, code: string): Promise<CorrectionResult> =>
    sendNotice(channel, task, library, `Slack refused to ${task.kind === 'edit' ? 'edit' : 'delete'} the message (${code}: ${HINTS[code]})`);

  async function correctSlack(task: CorrectionTask): Promise<CorrectionResult> {
    const ref = slackRef(task.sent);
    if (!ref) return sendNotice(channel, task, library, "the original message's id was not recorded");
    if (task.kind === 'edit') {
      // chat.update replaces text and blocks with the new render; the message keeps its place
      // and Slack marks it "(edited)", so no notice is appended to it.
      const msg = channel.render(task.ann, task.recipient);
      try {
        await slack().chat.update({ channel: ref.channel, ts: ref.ts, text: msg.text, blocks: msg.blocks });
      } catch (err) {
        const code = platformCode(err);
        if (code === 'message_not_found') {
          throw ChannelError.permanent('message_not_found: the message no longer exists in Slack (deleted in the channel?), so it cannot be edited', err);
        }
        if (code && REFUSED.has(code) && hasNotice(task.notice)) return refusedNotice(task, code);
        throw classifySlackError(err);
      }
      return { action: 'edit', ref, ...(hasNotice(task.notice) ? { note: 'edited in place; Slack marks it edited, so the notice was not posted' } : {}) };
    }
    try {
      await slack().chat.delete({ channel: ref.channel, ts: ref.ts });
    } catch (err) {
      const code = platformCode(err);
      // Already deleted (a retried job, or someone removed it): what a retraction wants.
      if (code === 'message_not_found') return { action: 'retract', ref, note: 'the message was already gone from Slack' };
      if (code && REFUSED.has(code) && hasNotice(task.notice)) return refusedNotice(task, code);
      throw classifySlackError(err);
    }
    return { action: 'retract', ref };
  }

  return channel;
}
