// Feishu (飞书) custom bot. POST the webhook URL (/open-apis/bot/v2/hook/<token>) with an
// interactive card: a header with the title, one lark_md block per language, rules between,
// the link last. A card rather than a "post": lark_md renders the body's bold, italic, links
// and lists as Markdown, and the header gives the title its own line; a post has no lists or
// headings and would flatten the body. Feishu answers {"code":0,"msg":"success","data":{}}
// (older deployments also or only {"StatusCode":0,"StatusMessage":"success"}).
// Signing ("签名校验", open.feishu.cn custom bot guide): timestamp = now in SECONDS, as a
// string; string_to_sign = timestamp + "\n" + secret; sign = Base64(HMAC-SHA256(key =
// string_to_sign, message = empty)); both go in the JSON body. A timestamp more than an hour
// off is refused. Limits: request body at most 20 KB.
import { createHmac } from 'node:crypto';
import type { Announcement, Lang } from '../../src/types.js';
import { ChannelError } from '../../src/types.js';
import { localizedTitle } from '../../src/render/language.js';
import { renderChatbot, type ChatbotParts } from '../../src/render/chatbot.js';
import { utf8Bytes } from '../../src/render/measure.js';
import { classifyBusinessCode, postJson, type HttpResult } from '../../src/platform-http.js';

/** Feishu's limit on a request body is 20 KB; we count 20,000 bytes of the JSON we send. */
export const FEISHU_MAX_BODY_BYTES = 20_000;

type FeishuElement = { tag: 'div'; text: { tag: 'lark_md'; content: string } } | { tag: 'hr' };
export interface FeishuCard {
  header: { title: { tag: 'plain_text'; content: string }; template: 'blue' | 'red' };
  elements: FeishuElement[];
}
export interface FeishuMessage {
  msg_type: 'interactive';
  card: FeishuCard;
}

const block = (content: string): FeishuElement => ({ tag: 'div', text: { tag: 'lark_md', content } });

/** Bytes a string adds inside a JSON string literal (escapes included, quotes not). */
const jsonStringBytes = (s: string): number => utf8Bytes(JSON.stringify(s)) - 2;

function card(title: string, template: FeishuCard['header']['template'], p: ChatbotParts): FeishuCard {
  const elements: FeishuElement[] = [];
  p.bodies.forEach((body, i) => {
    if (i > 0) elements.push({ tag: 'hr' });
    elements.push(block(body || ' '));
  });
  if (p.link) elements.push({ tag: 'hr' }, block(p.link));
  // plain_text is not parsed: the title shows exactly as typed.
  return { header: { title: { tag: 'plain_text', content: title }, template }, elements };
}

export function renderFeishu(
  ann: Pick<Announcement, 'title' | 'body' | 'link' | 'priority'>, langs: readonly Lang[], fullTextUrl?: string,
): FeishuMessage {
  const template = ann.priority === 'urgent' ? 'red' : 'blue';
  const title = localizedTitle(ann, langs);
  // Measured as sent: with a seconds timestamp and a 44-character signature.
  const assemble = (p: ChatbotParts) =>
    JSON.stringify({ timestamp: '0000000000', sign: 'x'.repeat(44), msg_type: 'interactive', card: card(title, template, p) });
  const { parts } = renderChatbot(ann, langs, 'feishu', {
    max: FEISHU_MAX_BODY_BYTES, measure: utf8Bytes, bodyMeasure: jsonStringBytes, assemble, fullTextUrl,
  });
  return { msg_type: 'interactive', card: card(title, template, parts) };
}

export function previewFeishu(m: FeishuMessage): string {
  const blocks = m.card.elements.map((e) => (e.tag === 'hr' ? '---' : e.text.content));
  return [`[${m.card.header.title.content}]`, ...blocks].join('\n\n');
}

/** Feishu's signature of a timestamp (s): Base64(HMAC-SHA256(key = `${timestamp}\n${secret}`, empty message)). */
export function feishuSign(secret: string, timestampSeconds: string): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

/** The request body: the message, signed when the bot has a secret. */
export function feishuBody(msg: FeishuMessage, secret: string | undefined, now = Date.now()): Record<string, unknown> {
  if (!secret) return { ...msg };
  const timestamp = String(Math.floor(now / 1000));
  return { timestamp, sign: feishuSign(secret, timestamp), ...msg };
}

// 11232: frequency limited (the bot's per-minute and per-second caps). Everything else —
// 19021 signature or timestamp mismatch, 19022 IP not allowed, 19024 keyword not found,
// 9499 bad request (malformed or over 20 KB), 19001 invalid hook token — is permanent.
const RETRYABLE = new Set([11232]);

/** Feishu's answer as an error, or null when the message was accepted. */
export function classifyFeishu(res: HttpResult): ChannelError | null {
  return classifyBusinessCode(res, {
    codeName: 'code',
    platform: 'Feishu',
    // Older hooks answer StatusCode/StatusMessage instead of code/msg.
    read: (b) => ({ code: typeof b.code === 'number' ? b.code : b.StatusCode, message: b.msg ?? b.StatusMessage }),
    retry: (code) => (RETRYABLE.has(code) ? {} : null),
  });
}

export async function sendFeishu(msg: FeishuMessage, url: string, secret?: string, timeoutMs?: number): Promise<void> {
  const err = classifyFeishu(await postJson(url, feishuBody(msg, secret), {}, timeoutMs));
  if (err) throw err;
}
