// The RSS feed's settings: `channels.rss` in the configuration.
import { z } from 'zod';

export const rssSettings = z
  .strictObject({
    enabled: z.boolean().default(false),
    /** Items in /feeds/rss.xml. */
    items: z.number().int().min(1).max(1000).default(50),
  })
  .prefault({});

export type RssSettings = z.output<typeof rssSettings>;
