// What the public may see: the one rule behind /news, /news/:id (and the links that cut
// messages carry to them). An announcement is public once it is published (not scheduled for
// later, not cancelled), until it expires, and never once it is retracted. Corrections add the
// `retracted` flag to stored announcements; it is read here, so that feature changes nothing
// else on these pages.
import type { Announcement } from '../types.js';

export function isPublic(ann: Announcement & { retracted?: boolean }, nowMs = Date.now()): boolean {
  if (ann.status === 'cancelled' || ann.status === 'scheduled') return false;
  if (ann.retracted === true) return false;
  if (Date.parse(ann.publishedAt) > nowMs) return false;
  if (ann.expiresAt && Date.parse(ann.expiresAt) <= nowMs) return false;
  return true;
}
