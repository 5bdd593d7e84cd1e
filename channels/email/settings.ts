// The e-mail channel's settings: `channels.email` in the configuration.
import { z } from 'zod';

export const emailSettings = z
  .strictObject({
    enabled: z.boolean().default(false),
    smtpUrl: z.string().min(1).optional(),
    outbox: z.string().min(1).optional(),
    from: z.string().min(3).default('Library <library@example.edu>'),
    replyTo: z.string().optional(),
    /** Messages per second over all workers. */
    perSecond: z.number().positive().default(20),
    /** Simultaneous SMTP connections per worker process. */
    poolSize: z.number().int().min(1).max(50).default(5),
  })
  .superRefine((v, ctx) => {
    if (v.enabled && !v.smtpUrl && !v.outbox) {
      ctx.addIssue({ code: 'custom', path: ['smtpUrl'], message: 'set smtpUrl or outbox when e-mail is enabled' });
    }
    if (v.smtpUrl && !/^smtps?:\/\//.test(v.smtpUrl)) {
      ctx.addIssue({ code: 'custom', path: ['smtpUrl'], message: 'must start with smtp:// or smtps://' });
    }
  })
  .prefault({});

export type EmailSettings = z.output<typeof emailSettings>;
