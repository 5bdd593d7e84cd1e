// `crier edit ID FILE.json` and `crier retract ID`, with an optional notice (--notice-en,
// --notice-zh) and --wait: the Corrector straight on Redis, as PUT /api/announcements/:id and
// POST /api/announcements/:id/retract use it. Input is checked before Redis is touched.
import { validateNotice } from '../../announcement/schema.js';
import { loadStartupConfig } from '../../bootstrap/config.js';
import { EXIT, ExitError } from '../../bootstrap/errors.js';
import { lastEventId } from '../../events/watch.js';
import type { Services } from '../../services.js';
import type { Localized } from '../../types.js';
import { readAnnouncementFile } from '../announcement-file.js';
import { withServices } from '../connect.js';
import { correctionFailedCount, correctionReport, waitForCorrection } from '../correction-wait.js';
import { finalReport, waitUntilFinal } from '../wait.js';
import { cliUser } from './post.js';

export interface CorrectionCliOptions {
  config?: string;
  wait?: boolean;
  noticeEn?: string;
  noticeZh?: string;
}

/** The notice from --notice-en / --notice-zh, validated as the API does (≤280 characters each). */
export function noticeFromOptions(opts: CorrectionCliOptions): Localized | undefined {
  if (opts.noticeEn === undefined && opts.noticeZh === undefined) return undefined;
  const notice: Record<string, string> = {};
  if (opts.noticeEn !== undefined) notice.en = opts.noticeEn;
  if (opts.noticeZh !== undefined) notice.zh = opts.noticeZh;
  const r = validateNotice({ notice });
  if (!r.ok) {
    const lines = r.issues.map((i) => `  ${i.path}: ${i.message}`);
    throw new ExitError(`The notice is not valid; nothing was changed:\n${lines.join('\n')}`, EXIT.failure);
  }
  return r.value;
}

function refused(id: string, prefix: string, reason: 'not_found' | 'retracted' | 'cancelled', what: 'an edit' | 'a retraction'): ExitError {
  if (reason === 'not_found') return new ExitError(`No announcement with id "${id}" (key prefix "${prefix}"); nothing was changed.`, EXIT.failure);
  if (reason === 'retracted') {
    const tail = what === 'an edit' ? 'an edit is refused' : 'nothing was changed';
    return new ExitError(`Announcement ${id} was already retracted; ${tail}.`, EXIT.failure);
  }
  return new ExitError(`Announcement ${id} was cancelled before it went out; ${what} is refused (post a new announcement instead).`, EXIT.failure);
}

type Deps = Pick<Services, 'config' | 'keys' | 'corrections' | 'announcements'>;

/** --wait after a correction began: live bars, the report; 0, or 3 when some failed. */
async function waitAndReport(s: Deps, id: string, revision: number, fromId: string): Promise<number> {
  const ann = await s.announcements.get(id);
  const channels = ann?.channels ?? [];
  const state = await waitForCorrection(s, id, revision, channels, { fromId, out: process.stdout });
  for (const line of await correctionReport(s, id, state)) console.log(line);
  return correctionFailedCount(state) > 0 ? EXIT.doneWithFailures : EXIT.ok;
}

export async function editCommand(id: string, file: string, opts: CorrectionCliOptions): Promise<number> {
  const loaded = loadStartupConfig(opts.config);
  const input = readAnnouncementFile(file, loaded.config);
  const notice = noticeFromOptions(opts);
  return withServices(loaded, async ({ s }) => {
    const fromId = opts.wait ? await lastEventId(s.redis, s.keys.events) : '$';
    const r = await s.corrector.edit(id, input, { by: `cli:${cliUser()}`, ...(notice ? { notice } : {}) });
    if (!r.ok) {
      if (r.reason === 'invalid') {
        const lines = r.issues.map((i) => `  ${i.path}: ${i.message}`);
        throw new ExitError(`${file} cannot replace announcement ${id}; nothing was changed:\n${lines.join('\n')}`, EXIT.failure);
      }
      throw refused(id, s.config.redis.prefix, r.reason, 'an edit');
    }
    console.log(`id: ${id}`);
    console.log(`revision: ${r.revision}`);
    console.log(`status: ${r.status}`);
    if (!r.corrected) {
      console.log('Not sent yet: the new content replaced the old, and goes out as the only version (no correction needed).');
      if (!opts.wait) return EXIT.ok;
      const view = await waitUntilFinal(s, id, { fromId, out: process.stdout });
      for (const line of await finalReport(s, view)) console.log(line);
      if (view.status === 'done_with_failures') return EXIT.doneWithFailures;
      if (view.status === 'cancelled') return EXIT.cancelled;
      return EXIT.ok;
    }
    console.log(`Correcting every message already sent${notice ? ' (with the notice where a platform cannot edit)' : ''}.`);
    if (!opts.wait) return EXIT.ok;
    return waitAndReport(s, id, r.revision, fromId);
  });
}

export async function retractCommand(id: string, opts: CorrectionCliOptions): Promise<number> {
  const loaded = loadStartupConfig(opts.config);
  const notice = noticeFromOptions(opts);
  return withServices(loaded, async ({ s }) => {
    const fromId = opts.wait ? await lastEventId(s.redis, s.keys.events) : '$';
    const r = await s.corrector.retract(id, { by: `cli:${cliUser()}`, ...(notice ? { notice } : {}) });
    if (!r.ok) throw refused(id, s.config.redis.prefix, r.reason, 'a retraction');
    console.log(`id: ${id}`);
    console.log(`revision: ${r.revision}`);
    console.log(`status: ${r.status}`);
    if (r.status === 'cancelled') {
      console.log('It had not gone out yet, so it was cancelled: nothing will be sent and there is nothing to withdraw.');
      return EXIT.ok;
    }
    console.log(`Withdrawing every message already sent${notice ? ' (with the notice where a platform cannot delete)' : ''}.`);
    if (!opts.wait) return EXIT.ok;
    return waitAndReport(s, id, r.revision, fromId);
  });
}
