// Reads and validates an announcement file (the same JSON as POST /api/announcements) with
// the schema the producer uses. Nothing here touches Redis.
import { readFileSync } from 'node:fs';
import { makeAnnouncementSchema, MAX_REQUEST_BYTES, parseAnnouncementText } from '../announcement/schema.js';
import { enabledChannelNames, type CrierConfig } from '../config/schema.js';
import { EXIT, ExitError } from '../bootstrap/errors.js';
import type { AnnouncementInput } from '../types.js';

/** `file` may be "-" for standard input. Invalid input: ExitError (exit 1) listing `path: message`. */
export function readAnnouncementFile(file: string, config: CrierConfig): AnnouncementInput {
  let raw: Buffer;
  try {
    raw = readFileSync(file === '-' ? 0 : file);
  } catch (err) {
    throw new ExitError(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, EXIT.failure);
  }
  if (raw.length > MAX_REQUEST_BYTES) {
    throw new ExitError(`${file} is ${raw.length} bytes; an announcement may be at most ${MAX_REQUEST_BYTES} bytes (1 MiB).`, EXIT.failure);
  }
  // Built exactly as the producer builds its own (Producer.schema).
  const schema = makeAnnouncementSchema({ topics: config.topics.map((t) => t.id), channels: enabledChannelNames(config), timezone: config.library.timezone });
  const result = parseAnnouncementText(schema, raw.toString('utf8'));
  if (!result.ok) {
    const lines = result.issues.map((i) => `  ${i.path}: ${i.message}`);
    throw new ExitError(`${file} is not a valid announcement; nothing was stored:\n${lines.join('\n')}`, EXIT.failure);
  }
  return result.value;
}
