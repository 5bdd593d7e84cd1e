// The shared vocabulary of Crier: announcements, recipients, deliveries and the channel interface.
// Every channel, store and worker speaks these types; keep them small and stable.

export type Lang = 'en' | 'zh';
export type LangPref = Lang | 'both';
export type Localized = Partial<Record<Lang, string>>;

/** A validated request (POST /api/announcements, `crier post`). */
export interface AnnouncementInput {
  title: Localized;
  body: Localized;
  summary?: Localized;
  topics: string[];
  channels?: string[];
  priority: 'normal' | 'urgent';
  publishAt?: string;
  expiresAt?: string;
  link?: string;
}

export type AnnouncementStatus =
  | 'scheduled'
  | 'queued'
  | 'dispatching'
  | 'done'
  | 'done_with_failures'
  | 'cancelled';

/** An announcement as stored once in Redis; jobs carry only its id. */
export interface Announcement extends AnnouncementInput {
  id: string;
  /** The channels it goes to, resolved at creation (the request's list or every enabled channel). */
  channels: string[];
  status: AnnouncementStatus;
  createdAt: string;
  createdBy: string;
  /** The author's e-mail address when a signed-in account wrote it (the desk); alerts go there. */
  createdByEmail?: string;
  /** Who approved it at the desk, when a reviewer approved someone's draft. */
  approvedBy?: string;
  /** When it was (or will be) published: publishAt, or the creation time. */
  publishedAt: string;
  /**
   * The stored content's version: 0 as first stored, one more each time "data" is rewritten
   * (an edit, a reschedule). Caches key on it; readers never see it.
   */
  version?: number;
  /** The public revision: 1 as posted, one more for each edit or retraction. */
  revision?: number;
  /** Withdrawn by a retraction: queued deliveries are skipped, sent messages deleted where the platform allows. */
  retracted?: boolean;
  /** When the content was last corrected (an edit). */
  updatedAt?: string;
}

/** One entry of an announcement's revision history (GET /api/announcements/:id, the dashboard). */
export interface RevisionEntry {
  revision: number;
  kind: 'post' | 'edit' | 'retract';
  at: string;
  by: string;
  notice?: Localized;
}

export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'skipped';
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['queued', 'sending', 'sent', 'failed', 'skipped'];
export const FINAL_STATUSES: readonly DeliveryStatus[] = ['sent', 'failed', 'skipped'];

/** One recipient of one channel: a subscriber, a broadcast target, or the feed itself. */
export interface Recipient {
  /** Unique within the channel; used as the delivery's key. No spaces. */
  id: string;
  /** What the platform calls it: an e-mail address, a chat id, a Slack channel. */
  address: string;
  language: LangPref;
  /** The subscriber id when the recipient is a subscriber (for deactivation, unsubscribe links). */
  subscriberId?: string;
}

/** One (announcement, channel, recipient) in the delivery log. */
export interface DeliveryRecord {
  channel: string;
  recipient: string;
  address: string;
  /** What a retry needs to address the recipient again. */
  language?: LangPref;
  subscriberId?: string;
  status: DeliveryStatus;
  attempts: number;
  /** `attempts` when an admin last retried it: the attempt limit counts from there. */
  retryBase?: number;
  error: string | null;
  externalId: string | null;
  updatedAt: string;
  /** Set when a crash interrupted a send, so this recipient may have received two copies. */
  possibleDuplicate?: boolean;
  /** The recipient is gone (blocked the bot, address bounced): never retried. */
  gone?: boolean;
  /** What a correction did beside its outcome ("Telegram refused the deletion; edited to say withdrawn"). */
  note?: string;
  /** What a correction needs to find the message on the platform again (see MessageRef). */
  ref?: MessageRef;
  /** When the platform took the message (a send) or the change (a correction). */
  sentAt?: string;
  /** The announcement revision this record sent (a send) or applies (a correction). */
  revision?: number;
  /** A send, or what a correction did: edit or retract in place, or a notice as a new message. */
  kind?: DeliveryKind;
}

export type DeliveryKind = 'send' | 'edit' | 'notice' | 'retract';

/**
 * Where a sent message lives on its platform, as the platform names it, so an edit or a
 * retraction can act on it: Slack { channel, ts }, Telegram { parts: [{ chat_id, message_id }] }
 * in order, Mastodon { id }, the feed { guid }, e-mail { messageId }. JSON, kept in the log.
 */
export type MessageRef = Readonly<Record<string, unknown>>;

export type CorrectionKind = 'edit' | 'retract';

/** One message to correct: what the delivery worker hands Channel.correct. */
export interface CorrectionTask {
  kind: CorrectionKind;
  /** The announcement at the correction's revision (an edit's new content; a retraction's last). */
  ann: Announcement;
  /** Said to readers where the platform cannot change what it sent (or beside a change), per language. */
  notice?: Localized;
  /** What the first send left in the log. */
  sent: Pick<DeliveryRecord, 'ref' | 'externalId' | 'sentAt' | 'revision'>;
  recipient: Recipient;
  /** The correction's own id (stable across attempts: an idempotency key) and attempt. */
  delivery: { id: string; attempt: number };
}

/** What a correction did to one message. */
export interface CorrectionResult {
  /**
   * edit / retract: changed or removed in place; notice: a new message told readers;
   * withdrawn: the platform refused a deletion, so the message was edited to a short
   * "withdrawn" text; none: nothing was sent (no notice given, or nothing to change).
   */
  action: 'edit' | 'retract' | 'notice' | 'withdrawn' | 'none';
  /** The message's reference after the change (Telegram parts added or removed). */
  ref?: MessageRef;
  /** Shown in the log beside the outcome: "cannot be retracted on this platform; notice sent". */
  note?: string;
}

/** How a send failed, which decides what the delivery worker does next. */
export type FailureKind = 'retryable' | 'permanent' | 'recipientGone';

export class ChannelError extends Error {
  readonly kind: FailureKind;
  readonly retryAfterMs?: number;
  /**
   * Whom a "too many requests" with retryAfterMs holds back: the whole channel (a bot's global
   * limit) or only this recipient (one group's limit). Unset: the channel when it has a
   * channel-wide limit, else the recipient.
   */
  readonly holdScope?: 'channel' | 'recipient';
  constructor(kind: FailureKind, message: string, opts: { retryAfterMs?: number; cause?: unknown; holdScope?: 'channel' | 'recipient' } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ChannelError';
    this.kind = kind;
    this.retryAfterMs = opts.retryAfterMs;
    this.holdScope = opts.holdScope;
  }
  static retryable(message: string, retryAfterMs?: number, cause?: unknown, holdScope?: 'channel' | 'recipient'): ChannelError {
    return new ChannelError('retryable', message, { retryAfterMs, cause, holdScope });
  }
  static permanent(message: string, cause?: unknown): ChannelError {
    return new ChannelError('permanent', message, { cause });
  }
  static recipientGone(message: string, cause?: unknown): ChannelError {
    return new ChannelError('recipientGone', message, { cause });
  }
  /** Any thrown value as a ChannelError: one that is not (a bug, a network error) is retryable. */
  static from(e: unknown): ChannelError {
    return e instanceof ChannelError ? e : ChannelError.retryable(e instanceof Error ? e.message : String(e), undefined, e);
  }
}

export interface RecipientPage {
  recipients: Recipient[];
  /** Opaque cursor of the next page, or null after the last one. Pages must be deterministic. */
  next: string | null;
}

/** A platform's limit: at most `max` messages in any `perMs` window. */
export interface Rate {
  max: number;
  perMs: number;
  /**
   * How many of them may go at once (default 1: evenly spaced). For long windows (300 posts in
   * 3 hours) a burst lets a few go now; the rest of the window is paced so the total holds.
   */
  burst?: number;
}

export interface ChannelLimits {
  /** Messages per second across every worker (a Redis-backed limiter). */
  perSecond?: number;
  /** Further limits across the channel (Mastodon's 300 posts per 3 hours). */
  rates?: Rate[];
  /** Messages per second to one recipient (a chat, a Slack channel, a robot). */
  perTargetPerSecond?: number;
  /** Further limits per recipient, when they depend on its kind (a Telegram group: 20 a minute). */
  targetRates?: Rate[] | ((recipient: Recipient) => Rate[]);
  /** Recipients carried by one delivery job. */
  batchSize?: number;
  /** Jobs one worker process runs at once. */
  concurrency?: number;
  /** Sends one job has in flight at once (default 1): enough to keep a connection pool busy. */
  inFlight?: number;
}

/**
 * A channel: who receives an announcement, what they get, and how it is sent.
 * Channels hold no queue logic: the delivery worker owns retries, limits and the log.
 */
/** How long an announcement is, counted the way a platform counts: the desk's compose counters. */
export interface LengthCount {
  /** One counter per platform, however many channels of it are configured (e.g. "wecom"). */
  platform: string;
  label: string;
  count: number;
  max: number;
  /** What is counted, and what happens past `max`, in the desk's languages. */
  unit: Record<Lang, string>;
  effect: Record<Lang, string>;
}

/** What a send leaves: the platform's id as text (shown in the log) and the reference a correction acts on. */
export interface SendResult {
  externalId?: string;
  ref?: MessageRef;
}

export interface Channel<M = unknown> {
  readonly name: string;
  readonly limits: ChannelLimits;
  /** What a reader's address looks like here, for previews (default "sample"). */
  readonly sampleAddress?: string;
  /** One page of recipients; `cursor` is null for the first page. */
  recipientPage(ann: Announcement, cursor: string | null): Promise<RecipientPage>;
  /** Pure: the message this recipient gets. */
  render(ann: Announcement, recipient: Recipient): M;
  /** Human-readable form of a rendered message, for `crier preview` and the dashboard. */
  preview(msg: M): string;
  /** Sends; throws ChannelError on failure. */
  send(msg: M, recipient: Recipient, delivery: { id: string; attempt: number }): Promise<SendResult>;
  /**
   * Edits or retracts one message already sent (or tells its readers by a notice where the
   * platform cannot). Throws ChannelError like send. A channel without it cannot correct.
   */
  correct?(task: CorrectionTask): Promise<CorrectionResult>;
  /** How `correct` reaches readers: changed or removed in place, or a notice (the default). */
  readonly correctionSupport?: { edit: 'in_place' | 'notice'; retract: 'in_place' | 'notice' };
  /** Reaches the platform with the configured credentials without sending (check-config). */
  check?(): Promise<string>;
  /** The announcement's length as this platform counts it, when its limit matters to the author. */
  measure?(ann: Announcement, langs: readonly Lang[]): LengthCount;
  /** Called once when a send answered recipientGone (blocked bot, bounced address). */
  recipientGone?(recipient: Recipient, reason: string): Promise<void>;
  close?(): Promise<void>;
}
