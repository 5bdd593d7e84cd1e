// WeCom (企业微信) group robot. POST the webhook URL (it carries ?key=…) with
// {"msgtype":"markdown","markdown":{"content":…}}. WeCom answers HTTP 200 with
// {"errcode":0,"errmsg":"ok"}, or a business error code in the same shape.
// Limits (WeCom "群机器人配置说明", developer.work.weixin.qq.com/document/path/91770):
// content at most 4096 bytes of UTF-8; 20 messages a minute per robot.
import type { Announcement, Lang } from '../../src/types.js';
import { ChannelError } from '../../src/types.js';
import { TEXT_SEPARATOR } from '../../src/render/language.js';
import { renderChatbot, type ChatbotParts } from '../../src/render/chatbot.js';
import { utf8Bytes } from '../../src/render/measure.js';
import { classifyBusinessCode, postJson, type HttpResult } from '../../src/platform-http.js';

export const WECOM_MAX_BYTES = 4096;

export interface WecomMessage {
  msgtype: 'markdown';
  markdown: { content: string };
}

/** Headings and bold are in WeCom's Markdown subset; a rule is not, so languages are set off by a dash line. */
function assemble(p: ChatbotParts): string {
  const blocks = p.langs.map((_, i) => `## ${p.titles[i]}\n\n${p.bodies[i]}`);
  return [blocks.join(`\n\n${TEXT_SEPARATOR}\n\n`), ...(p.link ? [p.link] : [])].join('\n\n');
}

export function renderWecom(ann: Pick<Announcement, 'title' | 'body' | 'link'>, langs: readonly Lang[], fullTextUrl?: string): WecomMessage {
  const { text } = renderChatbot(ann, langs, 'wecom', {
    max: WECOM_MAX_BYTES, measure: utf8Bytes, bodyMeasure: utf8Bytes, assemble, fullTextUrl,
  });
  return { msgtype: 'markdown', markdown: { content: text } };
}

/** The uncut message's length as WeCom counts it (UTF-8 bytes), for the desk's counters. */
export function wecomLength(ann: Pick<Announcement, 'title' | 'body' | 'link'>, langs: readonly Lang[]): number {
  const { text } = renderChatbot(ann, langs, 'wecom', { max: Infinity, measure: utf8Bytes, bodyMeasure: utf8Bytes, assemble });
  return utf8Bytes(text);
}

export const previewWecom = (m: WecomMessage): string => m.markdown.content;

// Retried: -1 system busy, 45009 API frequency limit (the robot's 20 a minute), 45033 too
// many concurrent calls. Everything else (93000 invalid webhook URL, 40058 bad parameter,
// 40008 bad message type, 93004 robot disabled, …) is our setup or message: permanent.
const RETRYABLE = new Set([-1, 45009, 45033]);

/** WeCom's answer as an error, or null when the message was accepted. */
export function classifyWecom(res: HttpResult): ChannelError | null {
  return classifyBusinessCode(res, {
    codeName: 'errcode',
    platform: 'WeCom',
    read: (b) => ({ code: b.errcode, message: b.errmsg }),
    retry: (code) => (RETRYABLE.has(code) ? {} : null),
  });
}

export async function sendWecom(msg: WecomMessage, url: string, timeoutMs?: number): Promise<void> {
  const err = classifyWecom(await postJson(url, msg, {}, timeoutMs));
  if (err) throw err;
}
