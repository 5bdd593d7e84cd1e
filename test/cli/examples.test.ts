// The example announcements the README tells a new user to post are valid against the demo
// configuration, and say what their names promise (one urgent, one scheduled in library time).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeAnnouncementSchema, parseAnnouncementText } from '../../src/announcement/schema.js';
import { loadConfig } from '../../src/config/load.js';
import { enabledChannelNames } from '../../src/config/schema.js';

const DIR = new URL('../../examples/announcements/', import.meta.url);

describe('examples/announcements', () => {
  const { config } = loadConfig({ env: {}, cwd: '/nonexistent' });
  const schema = makeAnnouncementSchema({
    topics: config.topics.map((t) => t.id), channels: enabledChannelNames(config), timezone: config.library.timezone,
  });
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

  it('has the three the README uses, each valid and bilingual', () => {
    expect(files).toEqual(['database-trial-scheduled.json', 'holiday-hours.json', 'storm-closure-urgent.json']);
    for (const f of files) {
      const r = parseAnnouncementText(schema, readFileSync(new URL(f, DIR), 'utf8'));
      expect(r.ok, `${f}: ${JSON.stringify(!r.ok && r.issues)}`).toBe(true);
      if (r.ok) expect(Object.keys(r.value.title).sort(), f).toEqual(['en', 'zh']);
    }
  });

  it('one is urgent, one is scheduled in library time', () => {
    const read = (f: string) => parseAnnouncementText(schema, readFileSync(new URL(f, DIR), 'utf8'));
    const urgent = read('storm-closure-urgent.json');
    expect(urgent.ok && urgent.value.priority).toBe('urgent');
    const scheduled = read('database-trial-scheduled.json');
    // 09:00 in Asia/Shanghai is 01:00 UTC.
    expect(scheduled.ok && scheduled.value.publishAt).toBe('2030-03-02T01:00:00.000Z');
  });
});
