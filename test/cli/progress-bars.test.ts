// Progress bars of `crier post --wait` and `crier status ID [--watch]`: the pure rendering
// (widths, empty and full bars, CJK names, colour), the throttled live output on a terminal and
// in a log, and the real program: plain lines through a pipe, ANSI redraws in a pseudo-terminal.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BAR, MAX_BAR, MIN_BAR, barCells, countsLine, percentDone, renderBars, renderBlock, type ProgressState,
} from '../../src/cli/progress/bars.js';
import { failureSummaryLines, groupFailures } from '../../src/cli/progress/failures.js';
import { LiveProgress } from '../../src/cli/progress/live.js';
import { colorEnabled, displayWidth, truncateDisplay } from '../../src/cli/progress/terminal.js';
import { configSchema } from '../../src/config/schema.js';
import { createServices, type Services } from '../../src/services.js';
import type { DeliveryCounts } from '../../src/store/deliveries.js';
import type { DeliveryRecord } from '../../src/types.js';
import { silentLogger } from '../../src/util/log.js';
import { startWorkers, type RunningWorkers } from '../../workers/index.js';
import { SHARED, disposeServices, redisUrl, startSmtp, waitFor, type TestSmtp } from '../support/harness.js';
import { CRIER_BIN, CrierProcess, killAll, tempDir, writeConfig } from './crier-process.js';

const counts = (c: Partial<DeliveryCounts>): DeliveryCounts => ({ total: 0, queued: 0, sending: 0, sent: 0, failed: 0, skipped: 0, ...c });
const strip = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
const state = (status: ProgressState['status'], deliveries: Record<string, DeliveryCounts>): ProgressState => ({ status, deliveries, channels: Object.keys(deliveries) });

describe('rendering (pure)', () => {
  it('draws `name  bar  pct  sent/total sent  failed  queued`, the bar taking what the width leaves', () => {
    const c = counts({ total: 1500, sent: 930, failed: 3, queued: 500, sending: 67 });
    const [line] = renderBars([{ channel: 'email', counts: c }], { tty: true, columns: 80 });
    // 80 columns: 79 usable; name 5 + 2 + bar + 2 + 4 + 2 + the widest the text can get
    // ("1500/1500 sent  1500 failed  1500 queued", 40) → a bar of 24 cells that stays put.
    expect(barCells(c, 24)).toEqual({ sent: 14, failed: 0, pending: 10 });
    expect(line).toBe(`email  ${BAR.sent.repeat(14)}${BAR.pending.repeat(10)}   62%  930/1500 sent  3 failed  567 queued`);
    const later = renderBars([{ channel: 'email', counts: counts({ total: 1500, sent: 1496, failed: 4 }) }], { tty: true, columns: 80 })[0];
    expect(later).toBe(`email  ${BAR.sent.repeat(23)}${BAR.failed}  100%  1496/1500 sent  4 failed  0 queued`);
    // With room to spare the bar grows, up to MAX_BAR cells.
    expect(renderBars([{ channel: 'email', counts: c }], { tty: true, columns: 120 })[0]).toBe(
      `email  ${BAR.sent.repeat(24)}${BAR.pending.repeat(16)}   62%  930/1500 sent  3 failed  567 queued`,
    );
  });

  it('never exceeds the width and keeps every column aligned, from 20 to 200 columns', () => {
    const rows = [
      { channel: 'email', counts: counts({ total: 1500, sent: 930, failed: 3, queued: 567 }) },
      { channel: 'rss', counts: counts({ total: 1, sent: 1 }) },
      { channel: 'webhook:eng-faculty', counts: counts({ total: 12, sent: 2, skipped: 1, queued: 9 }) },
    ];
    for (let columns = 20; columns <= 200; columns += 7) {
      const lines = renderBars(rows, { tty: true, columns });
      for (const l of lines) expect(displayWidth(l), `${columns}: ${l}`).toBeLessThanOrEqual(columns - 1);
      if (columns >= 90) {
        // Wide enough for everything: the percentages end in the same column.
        const ends = lines.map((l) => l.indexOf('%'));
        expect(new Set(ends).size, lines.join('\n')).toBe(1);
        // Every bar has the same number of cells: what the width leaves, MIN_BAR..MAX_BAR.
        const cells = lines.map((l) => [...l].filter((ch) => Object.values(BAR).includes(ch as never)).length);
        expect(new Set(cells).size).toBe(1);
        expect(cells[0]).toBeGreaterThanOrEqual(MIN_BAR);
        expect(cells[0]).toBe(Math.min(MAX_BAR, columns - 1 - (19 + 2 + 2 + 4 + 2 + '930/1500 sent  3 failed  567 queued  1 skipped'.length)));
      }
    }
    // Wide terminals: the bar stops growing at MAX_BAR.
    const wide = renderBars(rows.slice(0, 1), { tty: true, columns: 300 })[0];
    expect([...wide].filter((ch) => Object.values(BAR).includes(ch as never))).toHaveLength(MAX_BAR);
  });

  it('shows 0% and an empty bar with nothing counted yet, 100% with a full bar when everything is final', () => {
    const empty = renderBars([{ channel: 'rss', counts: counts({}) }], { tty: true, columns: 60 })[0];
    expect(empty).toMatch(/^rss {2}░+ {4}0% {2}0\/0 sent {2}0 failed {2}0 queued$/);
    expect(percentDone(counts({}))).toBe(0);
    // A channel with no recipients at all, once the announcement is final: nothing left to do.
    expect(percentDone(counts({}), true)).toBe(100);
    expect(renderBars([{ channel: 'rss', counts: counts({}) }], { tty: true, columns: 60, final: true })[0]).toMatch(/^rss {2}█+ {2}100%/);

    const full = renderBars([{ channel: 'email', counts: counts({ total: 3, sent: 3 }) }], { tty: true, columns: 60 })[0];
    expect(full).toMatch(/^email {2}█+ {2}100% {2}3\/3 sent {2}0 failed {2}0 queued$/);
    // 1499 of 1500 final is 99%, and the bar is not full.
    const almost = counts({ total: 1500, sent: 1499, queued: 1 });
    expect(percentDone(almost)).toBe(99);
    expect(barCells(almost, 40)).toEqual({ sent: 39, failed: 0, pending: 1 });
    // Failures and skips complete a bar too, in their own glyph.
    expect(barCells(counts({ total: 4, sent: 2, failed: 1, skipped: 1 }), 20)).toEqual({ sent: 10, failed: 10, pending: 0 });
    expect(renderBars([{ channel: 'email', counts: counts({ total: 4, sent: 2, failed: 1, skipped: 1 }) }], { tty: true, columns: 80 })[0]).toMatch(
      /100% {2}2\/4 sent {2}1 failed {2}0 queued {2}1 skipped$/,
    );
  });

  it('lines up CJK (double-width) channel names and never cuts a character in half', () => {
    expect(displayWidth('webhook:图书馆')).toBe(14);
    expect(displayWidth('📚x')).toBe(3);
    expect(displayWidth('e\u0301')).toBe(1);
    const lines = renderBars(
      [
        { channel: 'email', counts: counts({ total: 10, sent: 5, queued: 5 }) },
        { channel: 'webhook:图书馆', counts: counts({ total: 10, sent: 10 }) },
      ],
      { tty: true, columns: 100 },
    );
    // The bar starts at the same display column on both lines.
    const barStart = (l: string) => displayWidth(l.slice(0, [...l].findIndex((ch) => Object.values(BAR).includes(ch as never))));
    expect(barStart(lines[0])).toBe(16);
    expect(barStart(lines[1])).toBe(16);
    expect(displayWidth(lines[0])).toBe(displayWidth(lines[1]));
    expect(truncateDisplay('图书馆通知', 6)).toBe('图书…');
    expect(truncateDisplay('图书馆通知', 5)).toBe('图书…');
    expect(truncateDisplay('abc', 3)).toBe('abc');
    // Plain lines pad by display width too.
    expect(countsLine('图书', counts({ total: 1 }), 6)).toBe('图书    0/1 sent, 0 failed, 0 queued');
  });

  it('uses colour only on a terminal without NO_COLOR; colour codes take no width', () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '' })).toBe(true); // no-color.org: set and not empty
    expect(colorEnabled({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
    const rows = [{ channel: 'email', counts: counts({ total: 10, sent: 6, failed: 2, queued: 2 }) }];
    const plain = renderBars(rows, { tty: true, columns: 70 })[0];
    const coloured = renderBars(rows, { tty: true, columns: 70, color: true })[0];
    expect(plain).not.toContain('\x1b[');
    expect(coloured).toContain('\x1b[32m'); // sent
    expect(coloured).toContain('\x1b[31m'); // failed
    expect(strip(coloured)).toBe(plain);
    expect(displayWidth(coloured)).toBe(displayWidth(plain));
    // Cut short, a coloured line still ends with a reset.
    expect(renderBars(rows, { tty: true, columns: 30, color: true })[0].endsWith('…\x1b[0m')).toBe(true);
  });

  it('is the plain counts line when not on a terminal, and a status line heads the block', () => {
    const v = state('dispatching', { email: counts({ total: 30, sent: 12, failed: 1, queued: 15, sending: 2 }), rss: counts({ total: 1, queued: 1 }) });
    expect(renderBlock(v, { tty: false })).toEqual(['status: dispatching', '  email  12/30 sent, 1 failed, 17 queued', '  rss    0/1 sent, 0 failed, 1 queued']);
    const tty = renderBlock(v, { tty: true, columns: 60 });
    expect(tty[0]).toBe('status: dispatching');
    expect(tty.slice(1).every((l) => l.startsWith('  ') && displayWidth(l) <= 59)).toBe(true);
  });

  it('groups failures by identical reason, largest first, up to 20 reasons', () => {
    const rec = (channel: string, address: string, error: string) => ({ channel, recipient: address, address, error });
    const records = [
      rec('email', 'a@x.edu', 'bounced: 550 5.1.1 No such user here'),
      rec('email', 'b@x.edu', 'bounced: 550 5.1.1 No such user here'),
      rec('telegram', '42', 'Forbidden: bot was blocked'),
      rec('email', 'c@x.edu', 'bounced: 550 5.1.1\n No such user   here'), // the same reason, reflowed
      rec('email', 'd@x.edu', 'bounced: 550 5.1.1 No such user here'),
      rec('email', 'e@x.edu', 'bounced: 550 5.1.1 No such user here'),
    ];
    const groups = groupFailures(records);
    expect(groups).toEqual([
      { channel: 'email', reason: 'bounced: 550 5.1.1 No such user here', count: 5, examples: ['a@x.edu', 'b@x.edu', 'c@x.edu'] },
      { channel: 'telegram', reason: 'Forbidden: bot was blocked', count: 1, examples: ['42'] },
    ]);
    expect(failureSummaryLines(groups, 6)).toEqual([
      'Failures: 6',
      '  email     5× bounced: 550 5.1.1 No such user here  (a@x.edu, b@x.edu, c@x.edu, +2 more)',
      '  telegram  42: Forbidden: bot was blocked',
    ]);
    expect(failureSummaryLines([], 0)).toEqual([]);

    const many = groupFailures(Array.from({ length: 25 }, (_, i) => rec('email', `u${i}@x.edu`, `reason ${String(i).padStart(2, '0')}`)));
    const lines = failureSummaryLines(many, 1200, { scanned: 25 });
    expect(lines[0]).toBe('Failures: 1200 (the 20 most common of 25 reasons shown; grouped from the first 25)');
    expect(lines).toHaveLength(21);
  });
});

describe('live output', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function sink(isTTY: boolean, columns = 80) {
    const writes: { at: number; chunk: string }[] = [];
    return { out: { isTTY, columns, write: (chunk: string) => writes.push({ at: Date.now(), chunk }) }, writes };
  }

  it('on a terminal redraws the block in place, only when it changed, at most ~10 times a second', () => {
    const { out, writes } = sink(true);
    const p = new LiveProgress(out, { color: false });
    const at = (sent: number) => state('dispatching', { email: counts({ total: 100, sent, queued: 100 - sent }), rss: counts({ total: 1, queued: 1 }) });
    p.update(at(0));
    expect(writes).toHaveLength(1);
    expect(writes[0].chunk).not.toContain('\x1b[3F'); // the first draw moves nothing
    expect(writes[0].chunk.split('\x1b[2K')).toHaveLength(4); // status + two channels
    p.update(at(0)); // unchanged
    // 100 changes in one second: ~10 redraws, each of the newest state.
    for (let i = 1; i <= 100; i++) {
      vi.advanceTimersByTime(10);
      p.update(at(i < 100 ? i : 99));
    }
    vi.advanceTimersByTime(200);
    const redraws = writes.slice(1);
    expect(redraws.length).toBeGreaterThanOrEqual(9);
    expect(redraws.length).toBeLessThanOrEqual(11);
    for (let i = 1; i < writes.length; i++) expect(writes[i].at - writes[i - 1].at).toBeGreaterThanOrEqual(100);
    for (const w of redraws) expect(w.chunk.startsWith('\x1b[3F\x1b[2Kstatus: dispatching\n\x1b[2K  email ')).toBe(true);
    expect(strip(redraws.at(-1)!.chunk)).toContain('99/100 sent');

    // The final state shows at once, whatever the throttle, and nothing after it.
    const n = writes.length;
    p.finish(state('done', { email: counts({ total: 100, sent: 100 }), rss: counts({ total: 1, sent: 1 }) }));
    expect(writes).toHaveLength(n + 1);
    expect(strip(writes.at(-1)!.chunk)).toMatch(/status: done\n {2}email .*100% {2}100\/100 sent/);
    p.update(at(5));
    vi.advanceTimersByTime(1000);
    expect(writes).toHaveLength(n + 1);
  });

  it('in a log prints a line per channel when it changed, at most one per channel per second, then the final state', () => {
    const { out, writes } = sink(false);
    const p = new LiveProgress(out);
    const at = (sent: number, rssSent = 0) => state('dispatching', { email: counts({ total: 30, sent, queued: 30 - sent }), rss: counts({ total: 1, sent: rssSent, queued: 1 - rssSent }) });
    p.update(at(0));
    expect(writes.map((w) => w.chunk).join('')).toBe('status: dispatching\n  email  0/30 sent, 0 failed, 30 queued\n  rss    0/1 sent, 0 failed, 1 queued\n');
    // Ten changes of e-mail over 2.5 s, the feed once.
    for (let i = 1; i <= 10; i++) {
      vi.advanceTimersByTime(250);
      p.update(at(i, i >= 3 ? 1 : 0));
    }
    const lines = writes.flatMap((w) => w.chunk.trimEnd().split('\n').map((line) => ({ at: w.at, line })));
    const email = lines.filter((l) => l.line.startsWith('  email'));
    const rss = lines.filter((l) => l.line.startsWith('  rss'));
    for (let i = 1; i < email.length; i++) expect(email[i].at - email[i - 1].at).toBeGreaterThanOrEqual(1000);
    expect(email.length).toBeLessThanOrEqual(4);
    expect(rss.map((l) => l.line)).toEqual(['  rss    0/1 sent, 0 failed, 1 queued', '  rss    1/1 sent, 0 failed, 0 queued']);
    // No line twice in a row for a channel; counts only grow.
    const sent = email.map((l) => Number(/(\d+)\/30/.exec(l.line)![1]));
    expect([...sent].sort((a, b) => a - b)).toEqual(sent);
    expect(new Set(sent).size).toBe(sent.length);

    p.finish(state('done', { email: counts({ total: 30, sent: 30 }), rss: counts({ total: 1, sent: 1 }) }));
    expect(writes.at(-1)!.chunk).toBe('status: done\n  email  30/30 sent, 0 failed, 0 queued\n');
    const count = writes.length;
    vi.advanceTimersByTime(5000);
    expect(writes).toHaveLength(count);
  });
});

// ---------------------------------------------------------------------------------------------
// The real program

const FIXTURES = `${SHARED}fixtures/`;
const CLEARED = ['CRIER_CONFIG', 'REDIS_URL', 'PORT', 'CRIER_ADMIN_TOKEN', 'CRIER_REDIS_PREFIX', 'CRIER_LIBRARIAN_TOKEN', 'NO_COLOR', 'FORCE_COLOR'];

/** Runs `crier …` inside `script`, so its stdout is a pseudo-terminal of `cols` columns. */
function runInPty(args: string[], opts: { cwd: string; cols: number; env?: Record<string, string> }): Promise<{ code: number | null; out: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of CLEARED) delete env[k];
  Object.assign(env, opts.env ?? {});
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const cmd = `stty cols ${opts.cols} rows 40; exec ${[process.execPath, CRIER_BIN, ...args].map(quote).join(' ')}`;
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

const EMAIL_LINE = /^ {2}email {2}(\d+)\/(\d+) sent, (\d+) failed, (\d+) queued$/;

describe('crier post --wait and crier status ID', { timeout: 180_000 }, () => {
  let dir: ReturnType<typeof tempDir>;
  let s: Services | undefined;
  let workers: RunningWorkers | undefined;
  let smtp: TestSmtp | undefined;

  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(async () => {
    await killAll();
    await workers?.close();
    if (s) await disposeServices(s);
    await smtp?.close();
    s = workers = smtp = undefined;
    dir.remove();
  });

  /** 40 e-mail subscribers at 12 a second (a fan-out of ~3.5 s): 4 bounce, with two reasons. */
  async function slowFanOut() {
    smtp = await startSmtp();
    const gone = ['gone1@example.edu', 'gone2@example.edu', 'gone3@example.edu'];
    for (const a of gone) smtp.replies.set(a, '550 5.1.1 No such user here');
    smtp.replies.set('relay@example.edu', '554 5.7.1 Relaying denied');
    const cfg = writeConfig(dir.path, redisUrl(), { channels: { email: { enabled: true, smtpUrl: smtp.url, perSecond: 12 }, rss: { enabled: true } } });
    s = createServices(configSchema.parse(cfg.raw), { log: silentLogger });
    const addresses = [...Array.from({ length: 36 }, (_, i) => `reader${i}@example.edu`), ...gone, 'relay@example.edu'];
    for (const address of addresses) await s.subscribers.upsert({ channel: 'email', address, topics: ['*'], language: 'en', status: 'active' });
    workers = await startWorkers(s);
    return cfg;
  }

  async function failedRecords(id: string): Promise<DeliveryRecord[]> {
    const out: DeliveryRecord[] = [];
    for await (const r of s!.deliveries.recordsWithStatus(id, 'email', 'failed')) out.push(r);
    return out;
  }

  it('not a terminal: plain lines that only grow, at most one per channel per second, and a summary matching the log', async () => {
    const { path } = await slowFanOut();
    const post = new CrierProcess(['post', `${FIXTURES}announcements/holiday-hours.json`, '--wait', '--config', path], { cwd: dir.path });
    // When each line arrived.
    const arrivals: { at: number; line: string }[] = [];
    let partial = '';
    post.child.stdout!.on('data', (d: string) => {
      const parts = (partial + d).split('\n');
      partial = parts.pop()!;
      for (const line of parts) arrivals.push({ at: Date.now(), line });
    });
    const id = (await post.waitForStdout(/^id: (\S+)$/m))[1];
    // Meanwhile, `status ID --watch` follows the same announcement from another process.
    const watch = new CrierProcess(['status', id, '--watch', '--config', path], { cwd: dir.path });
    const r = await post.exited;
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).not.toContain('\x1b[');

    const email = arrivals.filter((a) => EMAIL_LINE.test(a.line));
    const nums = email.map((a) => EMAIL_LINE.exec(a.line)!.slice(1).map(Number));
    expect(email.length, r.stdout).toBeGreaterThanOrEqual(3); // the progress was visible on the way
    for (let i = 1; i < nums.length; i++) {
      const [sent, total, failed, queued] = nums[i];
      const [pSent, pTotal, pFailed] = nums[i - 1];
      expect(total).toBeGreaterThanOrEqual(pTotal);
      expect(sent, r.stdout).toBeGreaterThanOrEqual(pSent);
      expect(failed).toBeGreaterThanOrEqual(pFailed);
      expect(sent + failed + queued).toBe(total);
      expect(email[i].line).not.toBe(email[i - 1].line);
      // Throttled to one line a second (the final state may follow sooner).
      if (i < nums.length - 1) expect(email[i].at - email[i - 1].at).toBeGreaterThanOrEqual(800);
    }
    expect(nums.at(-1)).toEqual([36, 40, 4, 0]);
    expect(r.stdout).toMatch(/^ {2}rss {4}1\/1 sent, 0 failed, 0 queued$/m);
    expect(r.stdout).toMatch(/^status: done_with_failures$/m);

    // The summary is the delivery log's.
    const view = (await s!.producer.view(id))!;
    expect(view.deliveries.email).toMatchObject({ total: 40, sent: 36, failed: 4 });
    const summary = r.stdout.slice(r.stdout.indexOf('done_with_failures: '));
    const failed = await failedRecords(id);
    const byReason = new Map<string, string[]>();
    for (const f of failed) byReason.set(f.error!, [...(byReason.get(f.error!) ?? []), f.address]);
    expect([...byReason.values()].map((v) => v.length).sort()).toEqual([1, 3]);
    const [[bounce, bounced], [relay, relayed]] = [...byReason].sort((x, y) => y[1].length - x[1].length);
    expect(summary.trimEnd().split('\n')).toEqual([
      'done_with_failures: 41 deliveries, 37 sent, 4 failed, 0 skipped',
      'Failures: 4',
      expect.stringMatching(new RegExp(`^  email  3× ${bounce.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} {2}\\((gone\\d@example\\.edu, ){2}gone\\d@example\\.edu\\)$`)),
      `  email  ${relayed[0]}: ${relay}`,
    ]);
    expect(bounced.sort()).toEqual(['gone1@example.edu', 'gone2@example.edu', 'gone3@example.edu']);
    expect(bounce).toContain('550 5.1.1 No such user here');
    expect(relay).toContain('554 5.7.1 Relaying denied');

    // status --watch: the same ending, the same exit code.
    const w = await watch.exited;
    expect(w.code, w.stdout + w.stderr).toBe(3);
    expect(w.stdout.slice(w.stdout.indexOf('done_with_failures: '))).toBe(summary);
    expect(w.stdout).toMatch(/^ {2}email {2}36\/40 sent, 4 failed, 0 queued$/m);
  });

  it('a terminal: bars redrawn in place with ANSI sequences; status ID draws them once, in colour unless NO_COLOR', async () => {
    const { path } = await slowFanOut();
    const r = await runInPty(['post', `${FIXTURES}announcements/holiday-hours.json`, '--wait', '--config', path], { cwd: dir.path, cols: 100, env: { NO_COLOR: '1' } });
    expect(r.code, r.out).toBe(3);
    const out = r.out.replace(/\r\n/g, '\n');
    const id = /^id: (\S+)$/m.exec(out)![1];
    // The block is status + email + rss: each redraw moves up three lines and erases each one.
    const blockStart = out.indexOf('\x1b[2Kstatus: ');
    expect(blockStart).toBeGreaterThan(0);
    expect(out.slice(0, blockStart)).not.toContain('\x1b[3F'); // the first draw moves nothing
    const redraws = out.split('\x1b[3F').length - 1;
    expect(redraws, out).toBeGreaterThanOrEqual(3);
    // Redraws of the same block; no colour with NO_COLOR.
    expect(out).not.toMatch(/\x1b\[3[0-9]m/);
    const frames = out.split('\x1b[3F').slice(1).map((f) => f.split('\n').slice(0, 3).map((l) => l.replace(/^\x1b\[2K/, '')));
    const sent = frames.map((f) => Number(/ (\d+)\/\d+ sent/.exec(f[1])![1]));
    expect([...sent].sort((x, y) => x - y)).toEqual(sent); // e-mail only moves forward
    const last = frames.at(-1)!;
    expect(last[0]).toBe('status: done_with_failures');
    expect(last[1]).toMatch(/^ {2}email {2}█+▓+ {2}100% {2}36\/40 sent {2}4 failed {2}0 queued$/);
    expect(last[2]).toMatch(/^ {2}rss {4}█+ {2}100% {4}1\/1 sent {2}0 failed {2}0 queued$/);
    for (const f of frames) for (const l of f) expect(displayWidth(l)).toBeLessThanOrEqual(99);
    expect(out).toMatch(/^done_with_failures: 41 deliveries, 37 sent, 4 failed, 0 skipped$/m);
    expect(out).toMatch(/^ {2}email {2}3× bounced: .*550 5\.1\.1 No such user here {2}\(/m);

    // `status ID` on a terminal: the same bars once, in colour.
    const st = await runInPty(['status', id, '--config', path], { cwd: dir.path, cols: 100 });
    expect(st.code, st.out).toBe(0);
    const stOut = st.out.replace(/\r\n/g, '\n');
    expect(stOut).not.toContain('\x1b[3F');
    expect(stOut).toContain('\x1b[32m█');
    expect(stOut).toContain('\x1b[31m▓');
    expect(strip(stOut)).toMatch(/^ {2}email {2}█+▓+ {2}100% {2}36\/40 sent {2}4 failed {2}0 queued$/m);
    expect(strip(stOut)).toMatch(/^Failures: 4$/m);
  });

  it('status ID --watch on a finished announcement prints once and exits at once', async () => {
    const outbox = join(dir.path, 'outbox');
    const cfg = writeConfig(dir.path, redisUrl(), { channels: { email: { enabled: true, outbox }, rss: { enabled: true } } });
    s = createServices(configSchema.parse(cfg.raw), { log: silentLogger });
    workers = await startWorkers(s);
    await s.subscribers.upsert({ channel: 'email', address: 'one@example.edu', topics: ['*'], language: 'en', status: 'active' });
    const post = new CrierProcess(['post', `${FIXTURES}announcements/holiday-hours.json`, '--config', cfg.path], { cwd: dir.path });
    const id = (await post.waitForStdout(/^id: (\S+)$/m))[1];
    await waitFor(async () => (await s!.producer.view(id))?.status === 'done', { what: 'done' });
    const w = await new CrierProcess(['status', id, '--watch', '--config', cfg.path], { cwd: dir.path }).exited;
    expect(w.code, w.stderr).toBe(0);
    expect(w.stdout).toMatch(/^deliveries:\n {2}email {2}1\/1 sent, 0 failed, 0 queued\n {2}rss {4}1\/1 sent, 0 failed, 0 queued\ndone: 2 deliveries, 2 sent, 0 failed, 0 skipped\n$/m);
  });
});
