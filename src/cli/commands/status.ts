// `crier status [ID] [--watch]`: queue depths and the newest announcements, or one announcement
// in detail with a progress bar per channel (followed live until it is final with --watch),
// its revision, and the newest correction's bars when it was edited or retracted after sending.
import { EXIT, ExitError } from '../../bootstrap/errors.js';
import { lastEventId } from '../../events/watch.js';
import { enabledChannelNames } from '../../config/schema.js';
import { deliverQueueName } from '../../queue/queues.js';
import { localizedTitle } from '../../render/language.js';
import type { Services } from '../../services.js';
import type { Announcement } from '../../types.js';
import { withServices } from '../connect.js';
import { renderBars, rowsOf, zeroCounts } from '../progress/bars.js';
import { colorEnabled } from '../progress/terminal.js';
import { FINAL_ANNOUNCEMENT_STATUSES, finalReport, waitUntilFinal } from '../wait.js';

const COUNTS = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;

export async function statusCommand(id: string | undefined, opts: { config?: string; watch?: boolean }): Promise<number> {
  return withServices(opts.config, async ({ s }) => {
    if (id) return printOne(s, id, opts.watch === true);
    await printOverview(s);
    return EXIT.ok;
  });
}

function when(s: Pick<Services, 'config'>, iso: string): string {
  // sv-SE formats as "2030-01-01 09:00:00": sortable and unambiguous.
  return new Date(iso).toLocaleString('sv-SE', { timeZone: s.config.library.timezone }).slice(0, 16);
}

function title(s: Pick<Services, 'config'>, ann: Announcement): string {
  const pref = s.config.library.defaultLanguage;
  return localizedTitle(ann, pref === 'both' ? ['zh', 'en'] : [pref]);
}

/** Columns padded to line up; a column of numbers (below its header) is right-aligned. */
export function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const numeric = rows[0].map((_, i) => rows.length > 1 && rows.slice(1).every((r) => /^\d+$/.test(r[i])));
  return rows.map((r) =>
    r
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]) : i === r.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd(),
  );
}

async function printOverview(s: Pick<Services, 'config' | 'queues' | 'announcements'>): Promise<void> {
  const queues = [
    { label: 'dispatch', queue: s.queues.dispatch },
    ...enabledChannelNames(s.config).map((ch) => ({ label: deliverQueueName(ch), queue: s.queues.deliver(ch) })),
  ];
  const rows = [['queue', ...COUNTS]];
  for (const { label, queue } of queues) {
    const counts = await queue.getJobCounts(...COUNTS);
    rows.push([label, ...COUNTS.map((c) => String(counts[c] ?? 0))]);
  }
  console.log(`Queues (${s.config.redis.prefix}):`);
  for (const line of table(rows)) console.log(`  ${line}`);

  const { items } = await s.announcements.list({ limit: 10 });
  console.log('');
  if (items.length === 0) {
    console.log('No announcements yet. Queue one with: crier post FILE.json');
    return;
  }
  console.log(`Newest announcements (times in ${s.config.library.timezone}):`);
  const annRows = [['id', 'status', 'created', 'title'], ...items.map((a) => [a.id, a.status, when(s, a.createdAt), title(s, a)])];
  for (const line of table(annRows)) console.log(`  ${line}`);
}

/** The newest correction (an edit or retraction of what was sent), when there is one: its bars. */
async function printCorrection(s: Pick<Services, 'corrector'>, ann: Announcement): Promise<void> {
  const { correction } = await s.corrector.view(ann);
  if (!correction) return;
  const out = process.stdout;
  console.log(`correction (revision ${correction.revision}): ${correction.finished ? 'finished' : 'in progress'}`);
  const rows = ann.channels.map((channel) => ({ channel, counts: correction.channels[channel] ?? zeroCounts() }));
  const bars = renderBars(rows, { tty: Boolean(out.isTTY), color: colorEnabled(out), columns: (out.columns || 80) - 2, final: correction.finished });
  for (const line of bars) console.log(`  ${line}`);
}

/** Exit code: 0; with --watch the same as post --wait (3 some failed, 4 cancelled). */
async function printOne(s: Pick<Services, 'config' | 'redis' | 'keys' | 'producer' | 'deliveries' | 'corrector'>, id: string, watch: boolean): Promise<number> {
  // The stream position before the first read, so no event after it can be missed.
  const fromId = watch ? await lastEventId(s.redis, s.keys.events) : '$';
  let view = await s.producer.view(id);
  if (!view) throw new ExitError(`No announcement with id "${id}" (key prefix "${s.config.redis.prefix}").`, EXIT.failure);
  const tz = s.config.library.timezone;
  const rows = [
    ['id', view.id],
    ['title', title(s, view)],
    ['status', view.status],
    ['created', `${when(s, view.createdAt)} (${tz}) by ${view.createdBy}`],
    ['published', `${when(s, view.publishedAt)} (${tz})`],
    ['topics', view.topics.join(', ')],
    ['priority', view.priority],
    ['revision', String(view.revision ?? 1)],
    ['retracted', view.retracted ? 'yes' : 'no'],
  ];
  if (view.expiresAt) rows.push(['expires', `${when(s, view.expiresAt)} (${tz})`]);
  for (const line of table(rows)) console.log(line);
  const final = FINAL_ANNOUNCEMENT_STATUSES.includes(view.status);
  if (watch && !final) {
    view = await waitUntilFinal(s, id, { fromId, out: process.stdout });
  } else {
    const out = process.stdout;
    console.log('deliveries:');
    const bars = renderBars(rowsOf(view), { tty: Boolean(out.isTTY), color: colorEnabled(out), columns: (out.columns || 80) - 2, final });
    for (const line of bars) console.log(`  ${line}`);
  }
  for (const line of await finalReport(s, view)) console.log(line);
  await printCorrection(s, view);
  if (!watch) return EXIT.ok;
  if (view.status === 'done_with_failures') return EXIT.doneWithFailures;
  if (view.status === 'cancelled') return EXIT.cancelled;
  return EXIT.ok;
}
