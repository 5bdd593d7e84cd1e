// What an edit or a retraction asks for, checked the same way wherever it comes from: the API
// (PUT /api/announcements/:id, POST …/retract) and the desk's forms (/admin/announcements/:id/edit,
// …/retract). One place decides which fields are wrong and what a refused correction says.
import { validateAnnouncement, validateNotice, type AnnouncementSchema } from '../announcement/schema.js';
import type { AnnouncementInput, Localized } from '../types.js';
import type { FieldIssue } from '../util/issues.js';

export type CheckedEdit = { ok: true; input: AnnouncementInput; notice?: Localized } | { ok: false; issues: FieldIssue[] };
export type CheckedRetract = { ok: true; notice?: Localized } | { ok: false; issues: FieldIssue[] };

/** A whole announcement plus an optional `notice`: the announcement schema's issues and the notice's, together. */
export function checkEdit(schema: AnnouncementSchema, body: Record<string, unknown>): CheckedEdit {
  const { notice: rawNotice, ...announcement } = body;
  const a = validateAnnouncement(schema, announcement);
  const n = validateNotice({ notice: rawNotice });
  if (!a.ok || !n.ok) return { ok: false, issues: [...(a.ok ? [] : a.issues), ...(n.ok ? [] : n.issues)] };
  return { ok: true, input: a.value, ...(n.value ? { notice: n.value } : {}) };
}

/** `{ notice? }` and nothing else. */
export function checkRetract(body: Record<string, unknown>): CheckedRetract {
  const unknown = Object.keys(body).filter((k) => k !== 'notice');
  const n = validateNotice({ notice: body.notice });
  const issues = [...unknown.map((k) => ({ path: k, message: 'unknown field (a retraction takes only "notice")' })), ...(n.ok ? [] : n.issues)];
  if (issues.length || !n.ok) return { ok: false, issues };
  return { ok: true, ...(n.value ? { notice: n.value } : {}) };
}

/** Why a correction was refused (409), as the API says it. */
export const REFUSED = {
  retracted: 'this announcement was retracted; it can no longer be changed',
  alreadyRetracted: 'this announcement was already retracted',
  cancelled: 'this announcement was cancelled before it went out; post a new one instead',
} as const;
