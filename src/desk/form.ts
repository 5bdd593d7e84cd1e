// The compose form and the announcement JSON: field names are the JSON paths (`title.zh`,
// `body.en`, `topics`, `priority`, `publishAt`, …). Publish and expiry times are typed as
// `datetime-local` in the library's time zone and become ISO strings with that zone's offset.
import type { FormFields } from './drafts.js';
import { formatInZone, localToInstant } from '../util/time.js';

export const TEXT_FIELDS = ['title.zh', 'title.en', 'summary.zh', 'summary.en', 'body.zh', 'body.en'] as const;
export const FORM_FIELDS = [...TEXT_FIELDS, 'topics', 'channels', 'priority', 'publishAt', 'expiresAt', 'link'] as const;

/** Only the form's own fields, as strings or string lists (the CSRF token and buttons dropped). */
export function pickFields(body: unknown): FormFields {
  const out: FormFields = {};
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  for (const name of FORM_FIELDS) {
    const v = b[name];
    if (typeof v === 'string') out[name] = name === 'topics' || name === 'channels' ? [v] : v;
    else if (Array.isArray(v)) out[name] = v.filter((x): x is string => typeof x === 'string');
  }
  return out;
}

export const one = (f: FormFields, name: string): string => {
  const v = f[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? (v[0] ?? '') : '';
};
export const many = (f: FormFields, name: string): string[] => {
  const v = f[name];
  return Array.isArray(v) ? v : typeof v === 'string' && v !== '' ? [v] : [];
};

/** "2030-01-01T09:00" in `timeZone` → "2030-01-01T09:00:00+08:00"; anything else is returned as typed. */
export function localToIso(local: string, timeZone: string): string {
  const instant = localToInstant(local.trim(), timeZone);
  return instant === null ? local : formatInZone(instant, timeZone);
}

/** An ISO instant → the `datetime-local` value of it in `timeZone` (for editing a stored time). */
export function isoToLocal(iso: string, timeZone: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? '' : formatInZone(ms, timeZone).slice(0, 16);
}

/** The request body the announcement schema validates: empty fields left out, as the API expects. */
export function fieldsToInput(f: FormFields, timeZone: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const group of ['title', 'summary', 'body'] as const) {
    const o: Record<string, string> = {};
    for (const lang of ['zh', 'en'] as const) {
      const v = one(f, `${group}.${lang}`);
      if (v.trim() !== '') o[lang] = v;
    }
    if (group !== 'summary' || Object.keys(o).length > 0) out[group] = o;
  }
  out.topics = many(f, 'topics');
  const channels = many(f, 'channels');
  out.channels = channels; // an empty list gets the schema's own message: pick at least one
  if (one(f, 'priority') === 'urgent') out.priority = 'urgent';
  for (const t of ['publishAt', 'expiresAt'] as const) {
    const v = one(f, t).trim();
    if (v) out[t] = localToIso(v, timeZone);
  }
  const link = one(f, 'link').trim();
  if (link) out.link = link;
  return out;
}

/** The form field beside which a schema issue is shown (`topics.0` → topics, `title` → title.zh). */
export function fieldOfIssue(path: string): string | undefined {
  const names: readonly string[] = FORM_FIELDS;
  if (names.includes(path)) return path;
  const parent = names.find((n) => path.startsWith(`${n}.`));
  if (parent) return parent;
  return names.find((n) => n.startsWith(`${path}.`));
}

/** A stored announcement as the form's fields, for editing it (times in library time). */
export function announcementToFields(ann: { title: Record<string, string | undefined>; summary?: Record<string, string | undefined>; body: Record<string, string | undefined>; topics: string[]; channels: string[]; priority?: string; publishedAt?: string; expiresAt?: string; link?: string }, timeZone: string, opts: { publishAt: boolean }): FormFields {
  const out: FormFields = { topics: [...ann.topics], channels: [...ann.channels] };
  for (const group of ['title', 'summary', 'body'] as const) {
    for (const lang of ['zh', 'en'] as const) {
      const v = ann[group]?.[lang];
      if (v) out[`${group}.${lang}`] = v;
    }
  }
  if (ann.priority === 'urgent') out.priority = 'urgent';
  if (opts.publishAt && ann.publishedAt) out.publishAt = isoToLocal(ann.publishedAt, timeZone);
  if (ann.expiresAt) out.expiresAt = isoToLocal(ann.expiresAt, timeZone);
  if (ann.link) out.link = ann.link;
  return out;
}
