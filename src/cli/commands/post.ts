// `crier post FILE.json [--wait]`: queues an announcement straight into Redis, as the API does.
import { userInfo } from 'node:os';
import { loadStartupConfig } from '../../bootstrap/config.js';
import { EXIT } from '../../bootstrap/errors.js';
import { lastEventId } from '../../events/watch.js';
import { formatInZone } from '../../util/time.js';
import { readAnnouncementFile } from '../announcement-file.js';
import { withServices } from '../connect.js';
import { finalReport, waitUntilFinal } from '../wait.js';

export function cliUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER || process.env.USERNAME || 'unknown';
  }
}

export async function postCommand(file: string, opts: { config?: string; wait?: boolean }): Promise<number> {
  // The file is checked before Redis is touched: a typo is reported as such.
  const loaded = loadStartupConfig(opts.config);
  const input = readAnnouncementFile(file, loaded.config);
  return withServices(loaded, async ({ s }) => {
    const { config } = s;
    // Read the stream position first, so no event of the new announcement can be missed.
    const fromId = opts.wait ? await lastEventId(s.redis, s.keys.events) : '$';
    const { id, status } = await s.producer.create(input, { createdBy: `cli:${cliUser()}` });
    console.log(`id: ${id}`);
    console.log(`status: ${status}`);
    if (!opts.wait) return EXIT.ok;
    if (status === 'scheduled') {
      const at = (await s.announcements.get(id))?.publishedAt;
      console.log(`Scheduled for ${at ? formatInZone(at, config.library.timezone) : '?'}; waiting until it has gone out (Ctrl-C stops waiting, not the announcement).`);
    }
    const view = await waitUntilFinal(s, id, { fromId, out: process.stdout });
    for (const line of await finalReport(s, view)) console.log(line);
    if (view.status === 'done_with_failures') return EXIT.doneWithFailures;
    if (view.status === 'cancelled') return EXIT.cancelled;
    return EXIT.ok;
  });
}
