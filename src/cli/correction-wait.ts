// `crier edit --wait` and `crier retract --wait`: a correction's per-channel progress, drawn by
// the same LiveProgress and bars as `post --wait` (through followUntil), until every channel's
// fan-out is done and nothing is queued; then its totals and failures grouped by reason.
import type { Services } from '../services.js';
import type { CorrectionProgress } from '../store/corrections.js';
import type { DeliveryCounts } from '../store/deliveries.js';
import { DELIVERY_STATUSES, type DeliveryRecord } from '../types.js';
import type { ProgressState } from './progress/bars.js';
import { failureSummaryLines, groupFailures } from './progress/failures.js';
import type { LiveProgressOptions, ProgressOut } from './progress/live.js';
import { followUntil, MAX_FAILURES_READ } from './wait.js';

/** A correction as the live block shows it: `status: correcting` until finished, then `status: corrected`. */
export interface CorrectionState extends ProgressState {
  revision: number;
  finished: boolean;
}

function correctionState(p: CorrectionProgress, channels: string[]): CorrectionState {
  return { status: p.finished ? 'corrected' : 'correcting', revision: p.revision, finished: p.finished, channels, deliveries: p.channels };
}

export interface CorrectionWaitOptions extends LiveProgressOptions {
  /** Stream position read before the correction began, so none of its events is missed. */
  fromId: string;
  out: ProgressOut;
  /** Re-read this often without events (default 1 s: a fan-out finishing writes no event). */
  safetyMs?: number;
}

type Deps = Pick<Services, 'config' | 'keys' | 'corrections'>;

export async function waitForCorrection(s: Deps, annId: string, revision: number, channels: string[], opts: CorrectionWaitOptions): Promise<CorrectionState> {
  return followUntil(s, {
    ...opts,
    safetyMs: opts.safetyMs ?? 1000,
    read: async () => correctionState(await s.corrections.progress(annId, revision, channels), channels),
    isFinal: (v) => v.finished,
    relevant: (e) => e.ann === annId && e.type === 'correction' && (e.revision === undefined || e.revision === revision),
  });
}

/** `corrected: revision 2, 9 messages, 9 sent, 0 failed, 0 skipped`. */
function correctionTotalsLine(state: CorrectionState): string {
  const sum: DeliveryCounts = { total: 0, queued: 0, sending: 0, sent: 0, failed: 0, skipped: 0 };
  for (const c of Object.values(state.deliveries)) {
    sum.total += c.total;
    for (const st of DELIVERY_STATUSES) sum[st] += c[st];
  }
  const pending = sum.queued + sum.sending;
  const what = `${sum.total} ${sum.total === 1 ? 'message' : 'messages'}`;
  return `${state.status}: revision ${state.revision}, ${what}, ${sum.sent} sent, ${sum.failed} failed, ${sum.skipped} skipped${pending ? `, ${pending} queued` : ''}`;
}

/** The correction's failed records, up to `max`, channel by channel. */
async function readCorrectionFailures(s: Pick<Services, 'corrections'>, annId: string, revision: number, channels: string[], max = MAX_FAILURES_READ): Promise<DeliveryRecord[]> {
  const found: DeliveryRecord[] = [];
  for (const channel of channels) {
    let cursor: string | null = null;
    do {
      const page = await s.corrections.list(annId, revision, channel, { cursor, limit: 500 });
      for (const rec of page.items) {
        if (rec.status !== 'failed') continue;
        found.push(rec);
        if (found.length >= max) return found;
      }
      cursor = page.next;
    } while (cursor);
  }
  return found;
}

export function correctionFailedCount(state: CorrectionState): number {
  return Object.values(state.deliveries).reduce((n, c) => n + c.failed, 0);
}

/** The closing lines: totals, then the failures grouped by reason. */
export async function correctionReport(s: Pick<Services, 'corrections'>, annId: string, state: CorrectionState, limit = 20): Promise<string[]> {
  const lines = [correctionTotalsLine(state)];
  const failed = correctionFailedCount(state);
  if (failed > 0) {
    const records = await readCorrectionFailures(s, annId, state.revision, state.channels);
    lines.push(...failureSummaryLines(groupFailures(records), failed, { limit, scanned: records.length }));
  }
  return lines;
}
