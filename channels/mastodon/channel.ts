// The Mastodon channel: one status on the library's account per announcement (plain fetch).
// The status fits the instance's max_characters, read from /api/v2/instance and cached; an
// Idempotency-Key made from the delivery id makes a retried send return the first status
// instead of posting a second one (Mastodon keeps the keys for an hour).
//
// Corrections (docs.joinmastodon.org/methods/statuses): an edit is PUT /api/v1/statuses/:id
// with the new status text (Mastodon 3.5+; `language` since 4.0; visibility cannot change), a
// retraction DELETE /api/v1/statuses/:id. Both answer 404 "Record not found" for a status that
// does not exist (or is not ours). Deletions have their own limit, 30 per account in 30
// minutes (api/rate-limits), paced here under `mastodon:delete`. Idempotency-Key is documented
// for POST /api/v1/statuses only, so an edit does without: the same text put twice is harmless.
import type { ChannelContext } from '../../src/channel-module.js';
import { newsUrl } from '../../src/news/links.js';
import { classifyHttp, parseRetryAfter, postJson, request, snippet, type HttpResult } from '../../src/platform-http.js';
import { languagesFor } from '../../src/render/language.js';
import { mastodonLength } from '../../src/render/measure.js';
import { topicsMatch } from '../../src/store/subscribers.js';
import { sendNotice } from '../../src/corrections/notice.js';
import { ChannelError, type Announcement, type Channel, type CorrectionResult, type CorrectionTask, type Lang, type Rate } from '../../src/types.js';
import { composeStatus, DEFAULT_MAX_CHARACTERS, statusLanguage, statusParts, type StatusParts } from './render.js';
import type { MastodonSettings } from './settings.js';

export interface MastodonMessage {
  status: string;
  visibility: 'public' | 'unlisted' | 'private' | 'direct';
  language?: Lang;
  /** The limit `status` was composed for; send() recomposes when the instance says otherwise. */
  maxChars: number;
  parts: StatusParts;
}

const INSTANCE_TTL_MS = 60 * 60_000;
/** After a failed instance lookup, try again this much later (sends go on with the default). */
const INSTANCE_RETRY_MS = 60_000;
const INSTANCE_TIMEOUT_MS = 5_000;

/** The text of Mastodon's `{ "error": "…" }` body, else a snippet of the body. */
function errorText(res: HttpResult): string {
  try {
    const body = JSON.parse(res.text) as { error?: unknown; error_description?: unknown };
    const parts = [body.error, body.error_description].filter((x): x is string => typeof x === 'string' && x !== '');
    if (parts.length > 0) return snippet(parts.join(': '));
  } catch {
    // not JSON (a proxy's error page): fall through
  }
  return snippet(res.text);
}

/** A failed Mastodon answer as a ChannelError (exported for tests). */
export function classifyMastodon(res: HttpResult): ChannelError {
  const text = errorText(res);
  if (res.status === 401) return ChannelError.permanent(`invalid access token (HTTP 401: ${text})`);
  if (res.status === 403) return ChannelError.permanent(`forbidden (HTTP 403: ${text})`);
  if (res.status === 422) return ChannelError.permanent(`status rejected (HTTP 422: ${text})`);
  if (res.status === 429) {
    // X-RateLimit-Reset is an ISO time on the server's clock: trust ours unless they disagree
    // by more than the Date header's one-second resolution could explain.
    const server = Date.parse(res.headers.get('date') ?? '');
    const now = Number.isNaN(server) || Math.abs(server - Date.now()) < 5_000 ? Date.now() : server;
    const wait = parseRetryAfter(res.headers.get('retry-after')) ?? parseRetryAfter(res.headers.get('x-ratelimit-reset'), now);
    return ChannelError.retryable(`rate limited (HTTP 429: ${text})`, wait);
  }
  return classifyHttp(res.status, res.headers.get('retry-after'), text);
}

/**
 * The status a correction acts on: the send's ref, or the externalId of an older record (the
 * status id, or its URL on this instance when the answer had no id).
 */
export function mastodonStatusId(sent: CorrectionTask['sent'], base: string): string | undefined {
  const isId = (v: unknown): v is string => typeof v === 'string' && /^\d+$/.test(v);
  if (isId(sent.ref?.id)) return sent.ref.id;
  const ext = sent.externalId ?? '';
  if (isId(ext)) return ext;
  const m = /^(.*)\/@[^/]+\/(\d+)$/.exec(ext);
  return m && m[1] === base ? m[2] : undefined;
}

/**
 * The pace of deletions: `max` in 30 minutes, a few at once. A burst of 5 lets an ordinary
 * retraction (one status, or a handful withdrawn together) go at once; the rest are spaced
 * about a minute apart, so a mass retraction never meets the 429 (the pacer keeps any window
 * of 30 minutes at 97% of `max`), and the account keeps some of its deletions for people
 * deleting by hand meanwhile.
 */
export function deleteRate(max: number): Rate {
  return { max, perMs: 30 * 60_000, burst: Math.min(5, max) };
}

export function createMastodonChannel({ settings: cfg, library, deps }: ChannelContext<MastodonSettings>): Channel<MastodonMessage> {
  const base = cfg.instanceUrl.replace(/\/+$/, '');
  const auth = { Authorization: `Bearer ${cfg.accessToken}` };
  let limit = { value: DEFAULT_MAX_CHARACTERS, until: 0 };

  /** The instance's max_characters, cached; never throws (a send must not fail over it). */
  async function maxCharacters(): Promise<number> {
    if (Date.now() < limit.until) return limit.value;
    const found = await readInstanceLimit().catch(() => undefined);
    limit = found
      ? { value: found, until: Date.now() + INSTANCE_TTL_MS }
      : { value: limit.value, until: Date.now() + INSTANCE_RETRY_MS };
    return limit.value;
  }

  async function readInstanceLimit(): Promise<number | undefined> {
    const v2 = await request(`${base}/api/v2/instance`, { headers: auth }, INSTANCE_TIMEOUT_MS);
    if (v2.status === 200) return positive((JSON.parse(v2.text) as InstanceV2).configuration?.statuses?.max_characters);
    if (v2.status !== 404) return undefined;
    // Servers older than Mastodon 4.0 (and some forks) only have v1.
    const v1 = await request(`${base}/api/v1/instance`, { headers: auth }, INSTANCE_TIMEOUT_MS);
    if (v1.status !== 200) return undefined;
    const body = JSON.parse(v1.text) as InstanceV1;
    return positive(body.configuration?.statuses?.max_characters ?? body.max_toot_chars);
  }

  // One deletion a second at most (the account's general 300 in 5 minutes), and the window's
  // limit. The per-second slot is also what a 429's hold acts on: the pacer's hold moves a
  // slot's next time, which a bursty slot's stored credit would otherwise let through.
  const deleteLane = { name: 'mastodon:delete', limits: { perSecond: 1, rates: [deleteRate(cfg.deletesPer30Minutes)] } };

  const channel: Channel<MastodonMessage> = {
    name: 'mastodon',
    correctionSupport: { edit: 'in_place', retract: 'in_place' },
    limits: { perSecond: 1, rates: [{ max: cfg.postsPer3Hours, perMs: 3 * 3_600_000, burst: Math.ceil(cfg.postsPer3Hours / 2) }], batchSize: 1, concurrency: 1 },

    async recipientPage(ann: Announcement, cursor: string | null) {
      if (cursor !== null || !topicsMatch(cfg.topics, ann.topics)) return { recipients: [], next: null };
      const language = cfg.language ?? library.defaultLanguage;
      return { recipients: [{ id: 'account', address: base, language }], next: null };
    },

    render(ann, recipient) {
      const parts = statusParts(ann, languagesFor(ann, recipient.language), ann.link ?? newsUrl(library, ann.id));
      // The last known limit (500 before the first lookup); send() re-fits if it changed.
      const maxChars = limit.value;
      return { status: composeStatus(parts, maxChars), visibility: cfg.visibility, language: statusLanguage(parts), maxChars, parts };
    },

    measure(ann, langs) {
      // The desk's counter: the whole status, measured as Mastodon counts (every link 23).
      const link = ann.link ?? `${library.baseUrl.replace(/\/+$/, '')}/feeds/rss.xml`;
      const full = composeStatus(statusParts(ann, langs, link), Number.MAX_SAFE_INTEGER);
      return {
        platform: 'mastodon', label: 'Mastodon', count: mastodonLength(full), max: DEFAULT_MAX_CHARACTERS,
        unit: { en: 'characters (every link counts 23)', zh: '字符（每个链接计 23）' },
        effect: { en: 'shortened, with a link to the full text', zh: '截短，并附全文链接' },
      };
    },

    preview: (m) =>
      [`POST ${base}/api/v1/statuses`, `visibility: ${m.visibility}`, ...(m.language ? [`language: ${m.language}`] : []), `max_characters: ${m.maxChars}`, '', m.status].join('\n'),

    async send(msg, _recipient, delivery) {
      const body = { status: await fitted(msg), visibility: msg.visibility, ...(msg.language ? { language: msg.language } : {}) };
      const res = await postJson(`${base}/api/v1/statuses`, body, { ...auth, 'Idempotency-Key': delivery.id });
      if (res.status < 200 || res.status >= 300) throw classifyMastodon(res);
      let posted: { id?: unknown; url?: unknown };
      try {
        posted = JSON.parse(res.text) as typeof posted;
      } catch {
        // Posted (2xx) but unreadable: do not retry, that could only make a second copy.
        return {};
      }
      const id = typeof posted.id === 'string' ? posted.id : undefined;
      return { externalId: id ?? (typeof posted.url === 'string' ? posted.url : undefined), ...(id ? { ref: { id } } : {}) };
    },

    correct: (task) => correctStatus(task),

    async check() {
      const res = await request(`${base}/api/v1/accounts/verify_credentials`, { headers: auth });
      if (res.status !== 200) throw classifyMastodon(res);
      const account = JSON.parse(res.text) as { acct?: string; username?: string };
      limit.until = 0; // read the limit afresh
      const max = await maxCharacters();
      return `authenticated as @${account.acct ?? account.username} on ${new URL(base).host}; statuses up to ${max} characters`;
    },
  };

  /** The message's status, fitted again when the instance's limit is not the one it was rendered for. */
  async function fitted(msg: MastodonMessage): Promise<string> {
    const max = await maxCharacters();
    return max === msg.maxChars ? msg.status : composeStatus(msg.parts, max);
  }

  async function correctStatus(task: CorrectionTask): Promise<CorrectionResult> {
    const id = mastodonStatusId(task.sent, base);
    if (!id) return sendNotice(channel, task, library, "the original message's id was not recorded");
    const url = `${base}/api/v1/statuses/${encodeURIComponent(id)}`;
    const ref = { id };
    if (task.kind === 'edit') {
      // Edited in place: Mastodon shows it as edited, with its history, so no notice is added.
      const msg = channel.render(task.ann, task.recipient);
      const body = { status: await fitted(msg), ...(msg.language ? { language: msg.language } : {}) };
      const res = await request(url, { method: 'PUT', body: JSON.stringify(body), headers: { ...auth, 'Content-Type': 'application/json; charset=utf-8' } });
      if (res.status === 404) throw ChannelError.permanent(`the status no longer exists (HTTP 404: ${errorText(res)}), so it cannot be edited`);
      if (res.status < 200 || res.status >= 300) throw classifyMastodon(res);
      return { action: 'edit', ref };
    }
    // Deletions have their own limit, apart from the posts the worker paced this call for.
    await deps.pacer.acquire(deleteLane);
    const res = await request(url, { method: 'DELETE', headers: auth });
    if (res.status === 404) return { action: 'retract', ref, note: 'the status was already gone from Mastodon' };
    if (res.status === 429) {
      // The deletion limit is full: hold the deletions (not the posts) until it resets, and
      // let the worker retry this one then.
      const err = classifyMastodon(res);
      if (err.retryAfterMs !== undefined) await deps.pacer.holdOff(deleteLane, task.recipient, err.retryAfterMs, 'channel');
      throw ChannelError.retryable(`deletions ${err.message}`, err.retryAfterMs, undefined, 'recipient');
    }
    if (res.status < 200 || res.status >= 300) throw classifyMastodon(res);
    return { action: 'retract', ref };
  }

  return channel;
}

interface InstanceV2 {
  configuration?: { statuses?: { max_characters?: unknown } };
}
interface InstanceV1 extends InstanceV2 {
  max_toot_chars?: unknown;
}

function positive(n: unknown): number | undefined {
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
}
