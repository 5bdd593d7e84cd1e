// The Mastodon channel's settings: `channels.mastodon` in the configuration.
import { z } from 'zod';
import { httpUrl, langPref, topicFilter } from '../../src/config/shared.js';

export const mastodonSettings = z
  .strictObject({
    enabled: z.boolean().default(false),
    instanceUrl: httpUrl.default('https://mastodon.example'),
    accessToken: z.string().default(''),
    visibility: z.enum(['public', 'unlisted', 'private', 'direct']).default('public'),
    language: langPref.optional(),
    topics: topicFilter,
    /** Mastodon's default: 300 statuses per account in 3 hours. */
    postsPer3Hours: z.number().int().positive().default(300),
    /**
     * Mastodon's default: 30 deletions (DELETE /api/v1/statuses/:id) per account in 30 minutes
     * (docs.joinmastodon.org/api/rate-limits; Rack::Attack's throttle_api_delete).
     */
    deletesPer30Minutes: z.number().int().positive().default(30),
  })
  .prefault({});

export type MastodonSettings = z.output<typeof mastodonSettings>;
