// The week on Upcoming's week view: seven civil dates, Monday first, in the library's time zone.
// Announcements are put in a day by their local date (formatInZone), not by comparing with
// midnight instants, so a week that crosses a daylight-saving change (a 23- or 25-hour day) or
// a zone whose change falls at midnight still files each one under the date the library sees.
import { formatInZone } from '../util/time.js';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A civil date as `YYYY-MM-DD`, computed on UTC so no zone or DST shifts it. */
const civil = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The Date.UTC of a valid `YYYY-MM-DD`, or null (2030-02-30 and 2030-2-3 are not dates). */
export function parseDate(s: string): number | null {
  const m = DATE.exec(s);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return civil(ms) === s ? ms : null;
}

/** The library-local date of an instant: 2030-03-24T23:30Z in Berlin is 2030-03-25. */
export const localDate = (instant: number | string, timeZone: string): string => formatInZone(instant, timeZone).slice(0, 10);

/** The Monday of the week holding `date` (a valid YYYY-MM-DD). */
export function mondayOf(date: string): string {
  const ms = parseDate(date)!;
  const back = (new Date(ms).getUTCDay() + 6) % 7; // Sunday is 0 in JS, the 7th day here
  return civil(ms - back * 86_400_000);
}

/** The Monday of this week at the library. */
export const thisMonday = (timeZone: string, now = Date.now()): string => mondayOf(localDate(now, timeZone));

/** `date` moved by `days` whole days (on the calendar, not by 24-hour steps). */
export const addDays = (date: string, days: number): string => civil(parseDate(date)! + days * 86_400_000);

/** The seven dates of the week starting on `monday`. */
export const weekDates = (monday: string): string[] => Array.from({ length: 7 }, (_, i) => addDays(monday, i));

/** Year, month (1–12) and day of a valid date, for the page's own date wording. */
export function ymd(date: string): { y: number; m: number; d: number } {
  const [y, m, d] = date.split('-').map(Number);
  return { y, m, d };
}
