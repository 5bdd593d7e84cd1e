// The Slack channel's settings: `channels.slack` in the configuration.
import { z } from 'zod';
import { httpUrl, langPref, topicFilter } from '../../src/config/shared.js';

export const slackSettings = z
  .strictObject({
    enabled: z.boolean().default(false),
    token: z.string().default(''),
    apiUrl: httpUrl.default('https://slack.com/api/'),
    language: langPref.optional(),
    /** Slack allows about one message a second to one channel (chat.postMessage), short bursts aside. */
    perChannelPerSecond: z.number().positive().default(1),
    targets: z
      .array(z.strictObject({ channel: z.string().min(1), topics: topicFilter, language: langPref.optional() }))
      .default([]),
  })
  .prefault({});

export type SlackSettings = z.output<typeof slackSettings>;
