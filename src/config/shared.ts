// The configuration pieces every part may read, channels included: field rules and the library,
// topic and delivery settings. It imports nothing of Crier's, so a channel's settings schema can
// use it without reaching the whole configuration (src/config/schema.ts merges the channels').
import { z } from 'zod';

export const localizedName = z.strictObject({ en: z.string().min(1), zh: z.string().min(1) });
export const langPref = z.enum(['en', 'zh', 'both']);
/** The topics a target takes; "*" is every topic. */
export const topicFilter = z.array(z.string().min(1)).min(1).default(['*']);
export const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

export const librarySchema = z.strictObject({
  name: localizedName.default({ en: 'University Library', zh: '大学图书馆' }),
  baseUrl: httpUrl.default('http://localhost:8080'),
  timezone: z
    .string()
    .refine(isTimeZone, { error: 'must be an IANA time zone name, e.g. Asia/Shanghai or Europe/Berlin' })
    .default('Asia/Shanghai'),
  defaultLanguage: langPref.default('both'),
});

export const topicSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _'),
  name: localizedName,
});

export const deliverySchema = z.strictObject({
  /** Tries per delivery before it is failed. */
  attempts: z.number().int().min(1).max(50).default(8),
  /** First retry delay; doubles each try, with jitter. */
  backoffMs: z.number().int().min(1).default(2000),
  /** Recipients per delivery job. */
  batchSize: z.number().int().min(1).max(1000).default(50),
  /** Subscribers read per fan-out page. */
  pageSize: z.number().int().min(1).max(10000).default(500),
  /** Days a delivery log and its announcement are kept. */
  retentionDays: z.number().positive().default(30),
  /** A job whose worker died is taken over after this long (BullMQ lock duration). */
  lockMs: z.number().int().min(500).default(30_000),
});

export type LibrarySettings = z.output<typeof librarySchema>;
export type TopicSettings = z.output<typeof topicSchema>;
export type DeliverySettings = z.output<typeof deliverySchema>;

/** Seconds a delivery log (and what is kept beside it) lives: delivery.retentionDays. */
export function retentionSeconds(delivery: Pick<DeliverySettings, 'retentionDays'>): number {
  return Math.round(delivery.retentionDays * 86_400);
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
