// Library-local times: the offset of the zone at that date, daylight saving included.
import { describe, expect, it } from 'vitest';
import { formatInZone, isLocalDateTime, localToInstant } from '../../src/util/time.js';

describe('library-local date-times', () => {
  it('reads a time without an offset in the given zone', () => {
    expect(new Date(localToInstant('2026-12-10T09:00', 'Asia/Shanghai')!).toISOString()).toBe('2026-12-10T01:00:00.000Z');
    expect(new Date(localToInstant('2026-12-10T09:00:30', 'UTC')!).toISOString()).toBe('2026-12-10T09:00:30.000Z');
  });

  it('applies the offset in force at that date (summer and winter time)', () => {
    expect(formatInZone(localToInstant('2026-07-01T12:00', 'Europe/Berlin')!, 'Europe/Berlin')).toBe('2026-07-01T12:00:00+02:00');
    expect(formatInZone(localToInstant('2026-01-15T12:00', 'Europe/Berlin')!, 'Europe/Berlin')).toBe('2026-01-15T12:00:00+01:00');
    expect(formatInZone(localToInstant('2026-07-01T12:00', 'America/New_York')!, 'America/New_York')).toBe('2026-07-01T12:00:00-04:00');
  });

  it('moves a time in the spring-forward gap to the offset after the change', () => {
    // 02:30 does not exist in Berlin on 29 March 2026; it becomes 03:30 summer time.
    expect(formatInZone(localToInstant('2026-03-29T02:30', 'Europe/Berlin')!, 'Europe/Berlin')).toBe('2026-03-29T03:30:00+02:00');
  });

  it('refuses what is not a calendar date and time', () => {
    expect(localToInstant('2026-02-30T09:00', 'UTC')).toBeNull();
    expect(localToInstant('2026-12-10T25:00', 'UTC')).toBeNull();
    expect(localToInstant('next tuesday', 'UTC')).toBeNull();
    expect(isLocalDateTime('2026-12-10T09:00+08:00')).toBe(false);
    expect(isLocalDateTime('2026-12-10T09:00')).toBe(true);
  });

  it('formats UTC with Z', () => {
    expect(formatInZone('2026-12-10T01:00:00.000Z', 'UTC')).toBe('2026-12-10T01:00:00Z');
  });
});
