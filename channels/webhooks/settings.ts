// The webhooks' settings: `channels.webhooks`, a list; each entry is its own channel
// "webhook:<name>" (a WeCom, DingTalk or Feishu group robot, or a generic JSON receiver).
import { z } from 'zod';
import { httpUrl, langPref, topicFilter } from '../../src/config/shared.js';

export const webhookSettings = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'letters, digits, - and _ only'),
  kind: z.enum(['wecom', 'dingtalk', 'feishu', 'json']),
  url: httpUrl,
  secret: z.string().optional(),
  enabled: z.boolean().default(true),
  language: langPref.optional(),
  topics: topicFilter,
  /** Messages a minute to this robot (default: the platform's, 20 for WeCom and DingTalk, 100 for Feishu). */
  perMinute: z.number().positive().optional(),
});

export const webhooksSettings = z.array(webhookSettings).default([]);

export type WebhookConfig = z.output<typeof webhookSettings>;
