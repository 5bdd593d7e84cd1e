// Shared HTTP plumbing of the channels that speak plain HTTP (the webhooks, Mastodon):
// one request attempt with a timeout, and one way to turn an HTTP failure into a ChannelError.
// No retries here: the delivery worker owns them.
import { STATUS_CODES } from 'node:http';
import { graphemes } from './render/measure.js';
import { ChannelError } from './types.js';

/** Default time one request may take, connection included. */
export const DEFAULT_TIMEOUT_MS = 15_000;

/** Longest body excerpt put into an error message (and so into the delivery log). */
export const SNIPPET_MAX = 200;

/** What came back from one request. `text` is the raw body (read fully, even on errors). */
export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * One HTTP request attempt with a hard timeout (AbortSignal.timeout). Resolves with whatever
 * status the server answered, 2xx or not — callers decide (DingTalk and Feishu answer 200 on
 * errors). Throws ChannelError.retryable only when no answer arrived (network error, timeout).
 * Redirects are not followed: a 3xx comes back as a status, for classifyHttp to refuse.
 */
export async function request(
  url: string,
  init: { method?: string; body?: string; headers?: Record<string, string> },
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<HttpResult> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method ?? 'GET',
      body: init.body,
      headers: init.headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw ChannelError.retryable(`${new URL(url).host}: ${networkReason(err, timeoutMs)}`, undefined, err);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    throw ChannelError.retryable(`${new URL(url).host}: response cut off: ${networkReason(err, timeoutMs)}`, undefined, err);
  }
  return { status: res.status, headers: res.headers, text };
}

/**
 * POSTs a JSON body. `body` may be a string, sent byte for byte (sign exactly these bytes),
 * or any value, serialized with JSON.stringify. Adds `Content-Type: application/json;
 * charset=utf-8` unless `headers` sets a content type. Same outcome rules as `request`.
 */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<HttpResult> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const hasType = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type');
  const all = hasType ? headers : { 'Content-Type': 'application/json; charset=utf-8', ...headers };
  return request(url, { method: 'POST', body: raw, headers: all }, timeoutMs);
}

/**
 * A Retry-After-style value in milliseconds from now: delta-seconds ("30"), an HTTP date, or
 * an ISO 8601 date (Mastodon's X-RateLimit-Reset). Undefined when absent or unreadable;
 * never negative.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (/^\d+(?:\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A body excerpt fit for a log line: whitespace collapsed, at most SNIPPET_MAX characters. */
export function snippet(text: string, max = SNIPPET_MAX): string {
  // Only the head matters; a 1 MB error page is not segmented whole.
  const flat = text.slice(0, max * 4).replace(/\s+/g, ' ').trim();
  if (flat.length <= max && text.length <= max * 4) return flat;
  let cut = '';
  for (const g of graphemes(flat)) {
    if (cut.length + g.length > max - 1) break;
    cut += g;
  }
  return `${cut}…`;
}

/**
 * A non-2xx HTTP answer as a ChannelError: 429, 408 and 5xx retryable (with the retry-after
 * when given), 3xx and other 4xx permanent. The message reads "HTTP 404 Not Found: <body
 * snippet>" and becomes the delivery's recorded reason.
 */
export function classifyHttp(status: number, retryAfterHeader: string | null | undefined, bodySnippet: string): ChannelError {
  const detail = snippet(bodySnippet);
  const message = `HTTP ${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ''}${detail ? `: ${detail}` : ''}`;
  if (status === 429 || status === 408 || status >= 500) {
    return ChannelError.retryable(message, parseRetryAfter(retryAfterHeader));
  }
  if (status >= 300 && status < 400) return ChannelError.permanent(`${message} (redirects are not followed; fix the URL)`);
  return ChannelError.permanent(message);
}

/** The host of a URL, for check() and log lines that must not show a webhook's secret key. */
export function urlHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}

function networkReason(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = e?.cause?.code ?? e?.cause?.message;
  return cause ? `${e?.message ?? 'network error'} (${cause})` : (e?.message ?? String(err));
}

/** How one chat-robot platform reports the outcome inside its HTTP-200 JSON. */
export interface BusinessCodeRules {
  platform: string;
  /** What the platform calls its code, for the reason in the delivery log ("errcode 45009"). */
  codeName: string;
  /** The business code and message of a parsed body (undefined code: not a platform answer). */
  read(body: Record<string, unknown>): { code: unknown; message: unknown };
  /** null: permanent. Otherwise retry, after retryAfterMs when given. */
  retry(code: number): { retryAfterMs?: number } | null;
}

/**
 * WeCom, DingTalk and Feishu answer HTTP 200 with a code in the JSON: 0 is success, the rest
 * is an error the platform names. Transport failures (429, 5xx, a non-2xx without a code)
 * go through classifyHttp. Returns null when the message was accepted.
 */
export function classifyBusinessCode(res: HttpResult, rules: BusinessCodeRules): ChannelError | null {
  if (res.status === 429 || res.status >= 500) return classifyHttp(res.status, res.headers.get('retry-after'), res.text);
  let body: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(res.text);
    body = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    body = undefined;
  }
  const { code, message: text } = body ? rules.read(body) : { code: undefined, message: undefined };
  if (typeof code !== 'number') {
    if (res.status < 200 || res.status >= 300) return classifyHttp(res.status, res.headers.get('retry-after'), res.text);
    return ChannelError.permanent(`${rules.platform}: unexpected answer (HTTP ${res.status}): ${snippet(res.text)}`);
  }
  if (code === 0) return null;
  const message = `${rules.platform} ${rules.codeName} ${code}: ${snippet(String(text ?? ''))}`;
  const retry = rules.retry(code);
  return retry ? ChannelError.retryable(message, retry.retryAfterMs) : ChannelError.permanent(message);
}
