// The compose form and the announcement JSON: field names are the JSON paths (`title.zh`,
// `body.en`, `topics`, `priority`, `publishAt`, …). Publish and expiry times are typed as
// `datetime-local` in the library's time zone and become ISO strings with that zone's offset.
import type { FormFields } from './drafts.js';

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

/** Offset of `timeZone` at instant `ms`, in minutes east of UTC. */
function offsetMinutes(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** "2030-01-01T09:00" in `timeZone` → "2030-01-01T09:00:00+08:00"; anything else is returned as typed. */
export function localToIso(local: string, timeZone: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local.trim());
  if (!m) return local;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0));
  // Two passes find the offset in force at that wall time (DST changes move it).
  let off = offsetMinutes(wall, timeZone);
  off = offsetMinutes(wall - off * 60_000, timeZone);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** An ISO instant → the `datetime-local` value of it in `timeZone` (for editing a stored time). */
export function isoToLocal(iso: string, timeZone: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  const d = new Date(ms + offsetMinutes(ms, timeZone) * 60_000);
  return d.toISOString().slice(0, 16);
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
