// DingTalk (钉钉) custom robot. POST the webhook URL (?access_token=…) with
// {"msgtype":"markdown","markdown":{"title":…,"text":…}}; DingTalk answers HTTP 200 with
// {"errcode":0,"errmsg":"ok"} or a business error code in the same shape.
// Signing ("加签", open.dingtalk.com custom robot security settings): timestamp = now in
// MILLISECONDS, string_to_sign = timestamp + "\n" + secret, sign = Base64(HMAC-SHA256(key =
// secret, message = string_to_sign)), URL-encoded, appended as &timestamp=…&sign=…; DingTalk
// rejects a timestamp more than an hour off. Limit: 20 messages a minute per robot, and a
// robot over it is throttled for 10 minutes.
import { createHmac } from 'node:crypto';
import type { Announcement, Lang } from '../../src/types.js';
import { ChannelError } from '../../src/types.js';
import { localizedTitle } from '../../src/render/language.js';
import { renderChatbot, type ChatbotParts } from '../../src/render/chatbot.js';
import { utf16Length } from '../../src/render/measure.js';
import { classifyBusinessCode, postJson, type HttpResult } from '../../src/platform-http.js';

/**
 * The longest text we send. DingTalk's robot page gives no figure; its server-API error table
 * (34016) caps a markdown field at 5000 characters, so we stay within that, counted in UTF-16
 * units (never fewer than DingTalk's characters).
 */
export const DINGTALK_MAX_CHARS = 5000;
/** How long DingTalk throttles a robot that sent more than 20 messages in a minute. */
export const DINGTALK_THROTTLE_MS = 10 * 60_000;

export interface DingtalkMessage {
  msgtype: 'markdown';
  markdown: { title: string; text: string };
}

function assemble(p: ChatbotParts): string {
  const blocks = p.langs.map((_, i) => `## ${p.titles[i]}\n\n${p.bodies[i]}`);
  // A blank line before "---" makes it a rule, never a setext heading underline.
  return [blocks.join('\n\n---\n\n'), ...(p.link ? [p.link] : [])].join('\n\n');
}

export function renderDingtalk(ann: Pick<Announcement, 'title' | 'body' | 'link'>, langs: readonly Lang[], fullTextUrl?: string): DingtalkMessage {
  const { parts, text } = renderChatbot(ann, langs, 'dingtalk', {
    max: DINGTALK_MAX_CHARS, measure: utf16Length, bodyMeasure: utf16Length, assemble, fullTextUrl,
  });
  // The title is what the chat list and the notification show: plain text, never parsed.
  return { msgtype: 'markdown', markdown: { title: localizedTitle(ann, parts.langs), text } };
}

export const previewDingtalk = (m: DingtalkMessage): string => `Title: ${m.markdown.title}\n\n${m.markdown.text}`;

/** DingTalk's signature of a timestamp (ms): Base64(HMAC-SHA256(secret, `${timestamp}\n${secret}`)). */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

/** The webhook URL with timestamp and sign appended (URLSearchParams percent-encodes + / =). */
export function signedDingtalkUrl(url: string, secret: string | undefined, now = Date.now()): string {
  if (!secret) return url;
  const u = new URL(url);
  u.searchParams.set('timestamp', String(now));
  u.searchParams.set('sign', dingtalkSign(secret, now));
  return u.toString();
}

// 130101: "send too fast, exceed 20 times per minute" (throttled for 10 minutes); -1: system
// busy. 410100 is the newer table's "发送速度太快而限流". Everything else — 310000 (signature,
// keyword or IP security check failed), 300001 / 400101 (token not found), 400102 (robot
// stopped), 400106 (robot not found), 430101-430104 (unsafe content) — needs a person: permanent.
const THROTTLED = new Set([130101, 410100]);

/** DingTalk's answer as an error, or null when the message was accepted. */
export function classifyDingtalk(res: HttpResult): ChannelError | null {
  return classifyBusinessCode(res, {
    codeName: 'errcode',
    platform: 'DingTalk',
    read: (b) => ({ code: b.errcode, message: b.errmsg }),
    retry: (code) => (THROTTLED.has(code) ? { retryAfterMs: DINGTALK_THROTTLE_MS } : code === -1 ? {} : null),
  });
}

export async function sendDingtalk(msg: DingtalkMessage, url: string, secret?: string, timeoutMs?: number): Promise<void> {
  const err = classifyDingtalk(await postJson(signedDingtalkUrl(url, secret), msg, {}, timeoutMs));
  if (err) throw err;
}
