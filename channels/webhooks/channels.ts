// Every configured webhook is its own channel, "webhook:<name>": the campus chat robots
// (WeCom, DingTalk, Feishu) built here, and generic JSON receivers (json.ts). A robot is one
// recipient, "robot", that gets an announcement when its topics match.
import type { LibrarySettings } from '../../src/config/shared.js';
import { sendNotice } from '../../src/corrections/notice.js';
import { newsUrl } from '../../src/news/links.js';
import { urlHost } from '../../src/platform-http.js';
import { languagesFor } from '../../src/render/language.js';
import { topicsMatch } from '../../src/store/subscribers.js';
import type { Announcement, Channel, CorrectionTask, Lang } from '../../src/types.js';
import { previewDingtalk, renderDingtalk, sendDingtalk, type DingtalkMessage } from './dingtalk.js';
import { previewFeishu, renderFeishu, sendFeishu, type FeishuMessage } from './feishu.js';
import { createJsonWebhookChannel } from './json.js';
import type { WebhookConfig } from './settings.js';
import { previewWecom, renderWecom, sendWecom, wecomLength, WECOM_MAX_BYTES, type WecomMessage } from './wecom.js';

type BotKindName = Exclude<WebhookConfig['kind'], 'json'>;

/** What differs between the robots: their message, its preview, and one signed request. */
interface BotKind<M> {
  render(ann: Announcement, langs: readonly Lang[], fullTextUrl?: string): M;
  preview(msg: M): string;
  send(msg: M, hook: WebhookConfig): Promise<void>;
}

const BOTS: { wecom: BotKind<WecomMessage>; dingtalk: BotKind<DingtalkMessage>; feishu: BotKind<FeishuMessage> } = {
  wecom: { render: renderWecom, preview: previewWecom, send: (m, hook) => sendWecom(m, hook.url) },
  dingtalk: { render: renderDingtalk, preview: previewDingtalk, send: (m, hook) => sendDingtalk(m, hook.url, hook.secret || undefined) },
  feishu: { render: renderFeishu, preview: previewFeishu, send: (m, hook) => sendFeishu(m, hook.url, hook.secret || undefined) },
};

/**
 * The robots' documented limits, per robot: WeCom and DingTalk 20 messages a minute (DingTalk
 * then blocks the robot for 10 minutes, so the pacer stays under it), Feishu 5 a second and
 * 100 a minute. One message at a time per robot; a webhook's `perMinute` lowers (or raises) it.
 */
export function botLimits(hook: Pick<WebhookConfig, 'kind' | 'perMinute'>): Channel['limits'] {
  const perMinute = hook.perMinute ?? (hook.kind === 'feishu' ? 100 : 20);
  const rates = [{ max: perMinute, perMs: 60_000 }, ...(hook.kind === 'feishu' ? [{ max: 5, perMs: 1000 }] : [])];
  return { targetRates: rates, batchSize: 1, concurrency: 1 };
}

const measureWecom = (ann: Announcement, langs: readonly Lang[]) => ({
  platform: 'wecom', label: 'WeCom (企业微信)', count: wecomLength(ann, langs), max: WECOM_MAX_BYTES,
  unit: { en: 'bytes (a Chinese character counts 3)', zh: '字节（一个汉字计 3）' },
  effect: { en: 'shortened, with a link to the full text', zh: '截短，并附全文链接' },
});

/**
 * Why a robot's message cannot be corrected in place. Each webhook answers only a status
 * ({"errcode":0,"errmsg":"ok"}; Feishu {"code":0,"msg":"success","data":{}}), never a message
 * id, and has no edit or recall call: WeCom 群机器人配置说明 (developer.work.weixin.qq.com/
 * document/path/91770; recall, path/94867, is for an app's messages by their msgid), DingTalk
 * 自定义机器人 (open.dingtalk.com/document/group/custom-robot-access; recall is an enterprise
 * app robot's API, with an access token and the ids its send returns), Feishu 自定义机器人使用指南
 * (open.feishu.cn/document/client-docs/bot-v3/add-custom-bot; DELETE /open-apis/im/v1/
 * messages/:message_id needs an app's tenant_access_token and a message_id). So a correction is a
 * notice, sent (and signed) exactly as a send. A notice retried after a crash may post twice:
 * the robots take no idempotency key.
 */
const CANNOT_CORRECT: Record<BotKindName, string> = {
  wecom: "WeCom cannot edit or recall a robot's message",
  dingtalk: "DingTalk cannot edit or recall a robot's message",
  feishu: "Feishu cannot edit or recall a robot's message",
};

/** A WeCom, DingTalk or Feishu robot as a channel. */
export function createBotChannel(library: LibrarySettings, hook: WebhookConfig & { kind: BotKindName }): Channel {
  const bot = BOTS[hook.kind] as BotKind<unknown>;
  const channel: Channel = {
    name: `webhook:${hook.name}`,
    limits: botLimits(hook),

    async recipientPage(ann: Announcement, cursor: string | null) {
      if (cursor !== null || !topicsMatch(hook.topics, ann.topics)) return { recipients: [], next: null };
      const language = hook.language ?? library.defaultLanguage;
      // The address is the host only: the rest of a robot URL is its secret key.
      return { recipients: [{ id: 'robot', address: urlHost(hook.url), language }], next: null };
    },

    // A cut message sends readers to the announcement's public page when it has no link of its own.
    render: (ann, recipient) => bot.render(ann, languagesFor(ann, recipient.language), newsUrl(library, ann.id)),
    // Only WeCom's byte limit is tight enough for the desk to count it (DingTalk and Feishu cut far later).
    measure: hook.kind === 'wecom' ? measureWecom : undefined,
    preview: (msg) => `POST ${urlHost(hook.url)} (kind ${hook.kind}${hook.secret ? ', signed' : ''})\n\n${bot.preview(msg)}`,

    async send(msg) {
      // One request; the robots return no message id to record.
      await bot.send(msg, hook);
      return {};
    },

    correct: (task: CorrectionTask) => sendNotice(channel, task, library, CANNOT_CORRECT[hook.kind]),

    async check() {
      // Every robot endpoint posts to the group; none checks a key without sending.
      return `not checked without sending (no auth endpoint); URL host ${urlHost(hook.url)}`;
    },
  };
  return channel;
}

/** One channel per enabled webhook, every kind. */
export function createWebhookChannels(library: LibrarySettings, hooks: readonly WebhookConfig[]): Channel[] {
  return hooks
    .filter((hook) => hook.enabled)
    .map((hook) =>
      hook.kind === 'json'
        ? createJsonWebhookChannel(library, hook)
        : createBotChannel(library, hook as WebhookConfig & { kind: BotKindName }),
    );
}
