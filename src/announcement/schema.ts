// The announcement request schema (contract: "Announcement"). Built per configuration because
// topics and channels must be known ones.
import { z } from 'zod';
import type { AnnouncementInput, Lang, Localized } from '../types.js';
import { formatIssues, type FieldIssue } from '../util/issues.js';
import { formatInZone, isLocalDateTime, localToInstant } from '../util/time.js';

export const LIMITS = { title: 200, summary: 280, body: 20_000 } as const;
export const MAX_REQUEST_BYTES = 1024 * 1024;

// C0 controls other than tab (\t) and newline (\n), and DEL. CRLF (what a browser's textarea
// sends) and a lone CR are normalised to LF before this check in multi-line fields.
const C0_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F]/;
// A title is one line: no control character at all, newline and tab included.
const ANY_CONTROL = /[\u0000-\u001F\u007F]/;
// Half of a UTF-16 surrogate pair with no other half: not text, and platforms reject it.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Length in characters (code points), as a librarian counts them, not UTF-16 units. */
export const charLength = (s: string): number => [...s].length;

function text(max: number, opts: { oneLine?: boolean } = {}) {
  return z
    .string({ error: 'must be a string' })
    .transform((s) => (opts.oneLine ? s : s.replace(/\r\n?/g, '\n')))
    .check((ctx) => {
      const s = ctx.value;
      if (s.trim() === '') ctx.issues.push({ code: 'custom', input: s, message: 'must not be empty' });
      else if (charLength(s) > max)
        ctx.issues.push({ code: 'custom', input: s, message: `must be at most ${max} characters (has ${charLength(s)})` });
      if (opts.oneLine ? ANY_CONTROL.test(s) : C0_CONTROL.test(s)) {
        const message = opts.oneLine
          ? 'must be one line without control characters (no line break or tab)'
          : 'must not contain control characters (other than newline and tab)';
        ctx.issues.push({ code: 'custom', input: s, message });
      }
      if (LONE_SURROGATE.test(s)) ctx.issues.push({ code: 'custom', input: s, message: 'contains a broken character (a lone UTF-16 surrogate)' });
    });
}

function localized(max: number, opts: { oneLine?: boolean } = {}) {
  return z.strictObject(
    { en: text(max, opts).optional(), zh: text(max, opts).optional() },
    { error: 'must be an object with "en" and/or "zh"' },
  );
}

const langsOf = (o: Partial<Record<Lang, string>> | undefined): Lang[] =>
  o ? (['en', 'zh'] as const).filter((l) => o[l] !== undefined) : [];

const withOffset = z.iso.datetime({ offset: true });

/**
 * The announcement's link is for every reader, so it must name a public host: an IP address
 * (127.0.0.1, 10.x) or a local name (localhost, intranet) would open nothing, or something
 * private, on a reader's device. Each failure says which rule it broke.
 */
const isHttpUrl = (u: string): boolean => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol);

const publicLink = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://library.example.edu/news' })
  .max(2000, 'must be at most 2000 characters')
  .refine((u) => !isHttpUrl(u) || z.regexes.domain.test(new URL(u).hostname), {
    error: 'must name a public host such as library.example.edu; IP addresses and local names (localhost) are refused',
  });

/**
 * A date-time with an offset (2030-01-01T09:00:00+08:00), or without one (2030-01-01T09:00),
 * which is read as the library's local time and given the zone's offset at that date.
 */
function dateTime(timeZone: string | undefined) {
  const example = timeZone ? `2030-01-01T09:00 (library time, ${timeZone}) or ` : '';
  const wrong = `must be a date and time, e.g. ${example}2030-01-01T09:00:00+08:00`;
  return z.string({ error: wrong }).transform((s, ctx) => {
    if (timeZone && isLocalDateTime(s)) {
      const instant = localToInstant(s, timeZone);
      if (instant !== null) return formatInZone(instant, timeZone);
    } else if (withOffset.safeParse(s).success) {
      return s;
    }
    ctx.issues.push({ code: 'custom', input: s, message: wrong });
    return z.NEVER;
  });
}

/** `timezone`: the library's (library.timezone), for date-times written without an offset. */
export function makeAnnouncementSchema(opts: { topics: string[]; channels: string[]; timezone?: string }) {
  const dateTimeField = dateTime(opts.timezone);
  const topics = new Set(opts.topics);
  const channels = new Set(opts.channels);
  return z
    .strictObject({
      title: localized(LIMITS.title, { oneLine: true }),
      body: localized(LIMITS.body),
      summary: localized(LIMITS.summary).optional(),
      topics: z
        .array(
          z.string({ error: 'must be a string' }).refine((t) => topics.has(t), {
            error: (iss) => `unknown topic "${String(iss.input)}"; known: ${[...topics].join(', ')}`,
          }),
          { error: 'must be an array of topic ids' },
        )
        .min(1, 'must name at least one topic'),
      channels: z
        .array(
          z.string({ error: 'must be a string' }).refine((c) => channels.has(c), {
            error: (iss) => `unknown or disabled channel "${String(iss.input)}"; enabled: ${[...channels].join(', ')}`,
          }),
          { error: 'must be an array of channel names' },
        )
        .min(1, 'must name at least one channel (or leave it out for every enabled channel)')
        .optional(),
      priority: z.enum(['normal', 'urgent'], { error: 'must be "normal" or "urgent"' }).default('normal'),
      publishAt: dateTimeField.optional(),
      expiresAt: dateTimeField.optional(),
      link: publicLink.optional(),
    })
    .superRefine((a, ctx) => {
      const titleLangs = langsOf(a.title);
      const bodyLangs = langsOf(a.body);
      if (titleLangs.length === 0) ctx.addIssue({ code: 'custom', path: ['title'], message: 'needs at least one language ("en" or "zh")' });
      if (bodyLangs.length === 0) ctx.addIssue({ code: 'custom', path: ['body'], message: 'needs at least one language ("en" or "zh")' });
      if (titleLangs.length > 0 && bodyLangs.length > 0 && titleLangs.join() !== bodyLangs.join()) {
        ctx.addIssue({
          code: 'custom',
          path: ['body'],
          message: `must have the same languages as title (title: ${titleLangs.join(', ')}; body: ${bodyLangs.join(', ')})`,
        });
      }
      for (const l of langsOf(a.summary)) {
        if (!titleLangs.includes(l)) ctx.addIssue({ code: 'custom', path: ['summary', l], message: 'has no title in this language' });
      }
      if (a.publishAt && a.expiresAt && Date.parse(a.expiresAt) <= Date.parse(a.publishAt)) {
        ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: 'must be after publishAt' });
      }
      if (!a.publishAt && a.expiresAt && Date.parse(a.expiresAt) <= Date.now()) {
        ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: 'is already in the past' });
      }
      if (new Set(a.topics).size !== a.topics.length) ctx.addIssue({ code: 'custom', path: ['topics'], message: 'lists a topic twice' });
      if (a.channels && new Set(a.channels).size !== a.channels.length) {
        ctx.addIssue({ code: 'custom', path: ['channels'], message: 'lists a channel twice' });
      }
    });
}

export type AnnouncementSchema = ReturnType<typeof makeAnnouncementSchema>;

export type ValidationResult = { ok: true; value: AnnouncementInput } | { ok: false; issues: FieldIssue[] };

/** Validates a parsed JSON body. Never throws. */
export function validateAnnouncement(schema: AnnouncementSchema, input: unknown): ValidationResult {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, issues: [{ path: '(root)', message: 'must be a JSON object' }] };
  }
  const r = schema.safeParse(input);
  if (!r.success) return { ok: false, issues: formatIssues(r.error.issues) };
  const v = r.data;
  const clean: AnnouncementInput = {
    title: dropUndefined(v.title),
    body: dropUndefined(v.body),
    topics: v.topics,
    priority: v.priority,
  };
  if (v.summary) clean.summary = dropUndefined(v.summary);
  if (v.channels) clean.channels = v.channels;
  if (v.publishAt) clean.publishAt = new Date(v.publishAt).toISOString();
  if (v.expiresAt) clean.expiresAt = new Date(v.expiresAt).toISOString();
  if (v.link) clean.link = v.link;
  return { ok: true, value: clean };
}

function dropUndefined(o: Partial<Record<Lang, string | undefined>>): Partial<Record<Lang, string>> {
  const out: Partial<Record<Lang, string>> = {};
  if (o.zh !== undefined) out.zh = o.zh;
  if (o.en !== undefined) out.en = o.en;
  return out;
}

/** Parses raw request text: not-JSON gets the same issue shape as invalid fields. */
export function parseAnnouncementText(schema: AnnouncementSchema, raw: string): ValidationResult {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    return { ok: false, issues: [{ path: '(root)', message: `not valid JSON: ${(err as Error).message}` }] };
  }
  return validateAnnouncement(schema, json);
}

/** A correction's notice: what readers are told where a platform cannot change its message. */
export const NOTICE_MAX = 280;
const noticeSchema = z.object({ notice: localized(NOTICE_MAX, {}).optional() });

/** Validates `{ notice? }` of an edit or a retraction (paths start with "notice"). Never throws. */
export function validateNotice(input: unknown): { ok: true; value: Localized | undefined } | { ok: false; issues: FieldIssue[] } {
  const r = noticeSchema.safeParse(input);
  if (!r.success) return { ok: false, issues: formatIssues(r.error.issues) };
  return { ok: true, value: r.data.notice ? dropUndefined(r.data.notice) : undefined };
}
