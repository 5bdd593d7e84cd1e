// `crier edit` and `crier retract` against the real Redis, with the workers running in this
// test process and Telegram, Slack and SMTP as local fakes: the librarian correcting from a
// terminal. The real `crier` process for the happy paths; the program in this process for the
// refusals (a process each would be slow), with one real process among them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { configSchema } from '../../src/config/schema.js';
import { createServices, type Services } from '../../src/services.js';
import { silentLogger } from '../../src/util/log.js';
import { startWorkers, type RunningWorkers } from '../../workers/index.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { startFakeTelegram, TG, type FakeTelegram } from '../support/fake-telegram.js';
import { disposeServices, finalView, fixture, postFixture, redisUrl, startSmtp, type TestSmtp } from '../support/harness.js';
import { killAll, runCrier, tempDir, writeConfig } from './crier-process.js';

const NOTICE_EN = 'Correction: the library closes at 16:00, not 17:00.';
const CHAT = '@example_library';

let dir: ReturnType<typeof tempDir>;
let s: Services;
let workers: RunningWorkers;
let slack: FakeSlack, telegram: FakeTelegram, smtp: TestSmtp;
let config: string;

beforeEach(async () => {
  dir = tempDir();
  [slack, telegram, smtp] = await Promise.all([startFakeSlack(), startFakeTelegram(), startSmtp()]);
  slack.addChannel('C0LIBRARY');
  const cfg = writeConfig(dir.path, redisUrl(), {
    channels: {
      email: { enabled: true, smtpUrl: smtp.url },
      slack: { enabled: true, token: slack.token, apiUrl: slack.apiUrl, targets: [{ channel: 'C0LIBRARY', topics: ['*'] }] },
      telegram: { enabled: true, token: telegram.token, apiUrl: telegram.url, targets: [{ chatId: CHAT, topics: ['*'] }] },
    },
  });
  config = cfg.path;
  s = createServices(configSchema.parse(cfg.raw), { log: silentLogger });
  await s.subscribers.upsert({ channel: 'email', address: 'reader@example.edu', topics: ['*'], language: 'en', status: 'active' });
  workers = await startWorkers(s);
});

afterEach(async () => {
  await killAll();
  await workers.close();
  await disposeServices(s);
  await Promise.all([slack.close(), telegram.close(), smtp.close()]);
  dir.remove();
});

/** Posted and sent on every channel: one e-mail, one Slack message, one Telegram message. */
async function sentAnnouncement(): Promise<string> {
  const { id } = await postFixture(s, 'holiday-hours');
  const v = await finalView(s, id);
  expect(v.status).toBe('done');
  expect(telegram.sent).toHaveLength(1);
  expect(slack.messages('C0LIBRARY')).toHaveLength(1);
  expect(smtp.received).toHaveLength(1);
  return id;
}

function editedFile(): string {
  const edited = fixture('holiday-hours') as { body: Record<string, string> };
  edited.body = { en: 'The library is open **09:00–16:00** every day of the holiday.', zh: '假期每天开放时间为 **09:00–16:00**。' };
  const file = join(dir.path, 'edited.json');
  writeFileSync(file, JSON.stringify(edited));
  return file;
}

/** What a refused command must leave alone: the record, its history, the counters, the events. */
async function snapshot(id: string): Promise<unknown> {
  const r = new Redis(redisUrl());
  try {
    const ann = await s.announcements.get(id);
    return { ann, revisions: ann && (await s.announcements.revisions(ann)), counters: await r.hgetall(s.keys.counters(id)), events: await r.xlen(s.keys.events) };
  } finally {
    r.disconnect();
  }
}

/** runCli in this process, with what it prints. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    const code = await runCli(['node', 'crier', ...args, '--config', config]);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    vi.restoreAllMocks();
  }
}

describe('crier edit and crier retract', { timeout: 120_000 }, () => {
  it('edit --notice-en --wait edits Telegram and Slack in place, mails the notice, shows the progress and exits 0', async () => {
    const id = await sentAnnouncement();
    const tgFirst = telegram.sent[0];
    const slackTs = slack.messages('C0LIBRARY')[0].ts;

    const r = await runCrier(['edit', id, editedFile(), '--notice-en', NOTICE_EN, '--wait', '--config', config], { cwd: dir.path });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^revision: 2$/m);
    expect(r.stdout).toMatch(/^status: done$/m);
    expect(r.stdout).toMatch(/^status: corrected$/m);
    for (const ch of ['email', 'slack', 'telegram']) expect(r.stdout).toMatch(new RegExp(`^ {2}${ch} +1/1 sent, 0 failed, 0 queued$`, 'm'));
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('corrected: revision 2, 3 messages, 3 sent, 0 failed, 0 skipped');
    expect(r.stdout).not.toContain('\x1b[');

    // Telegram: editMessageText of the original message, no new message.
    const edits = telegram.calls.filter((c) => c.method === 'editMessageText');
    expect(edits).toHaveLength(1);
    expect(Number(edits[0].params.message_id)).toBe(tgFirst.messageId);
    expect(telegram.sent).toHaveLength(1);
    expect(telegram.message(tgFirst.chatId, tgFirst.messageId)!.text).toContain('09:00–16:00');
    // Slack: chat.update of the original ts.
    expect(slack.calls.filter((c) => c.method === 'chat.update')).toHaveLength(1);
    expect(slack.messages('C0LIBRARY')).toHaveLength(1);
    expect(slack.find('C0LIBRARY', slackTs)!.edits).toBe(1);
    // E-mail: the notice, as a second message.
    expect(smtp.received).toHaveLength(2);
    expect(smtp.received[1].parsed.text).toContain(NOTICE_EN);

    const ann = (await s.announcements.get(id))!;
    expect(ann.revision).toBe(2);
    const revisions = await s.announcements.revisions(ann);
    expect(revisions.at(-1)).toMatchObject({ revision: 2, kind: 'edit', notice: { en: NOTICE_EN } });
    expect(revisions.at(-1)!.by).toMatch(/^cli:.+/);

    const status = await runCrier(['status', id, '--config', config], { cwd: dir.path });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^revision +2$/m);
    expect(status.stdout).toMatch(/^retracted +no$/m);
    expect(status.stdout).toMatch(/^correction \(revision 2\): finished$/m);
    expect(status.stdout).toMatch(/^ {2}telegram +1\/1 sent, 0 failed, 0 queued$/m);
  });

  it('edit --wait lists a failed correction with its reason and exits 3', async () => {
    const id = await sentAnnouncement();
    telegram.failNextCall('editMessageText', CHAT, TG.kicked, TG.kicked, TG.kicked);
    const r = await runCrier(['edit', id, editedFile(), '--wait', '--config', config], { cwd: dir.path });
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toMatch(/^ {2}telegram +0\/1 sent, 1 failed, 0 queued$/m);
    // No notice given: the e-mail, which cannot be edited, is skipped (and not failed).
    expect(r.stdout).toMatch(/^ {2}email +0\/1 sent, 0 failed, 0 queued, 1 skipped$/m);
    expect(r.stdout).toContain('corrected: revision 2, 3 messages, 1 sent, 1 failed, 1 skipped');
    expect(r.stdout).toMatch(/^Failures: 1$/m);
    expect(r.stdout).toMatch(/^ {2}telegram {2}@example_library: .*bot was kicked from the channel chat$/m);
    expect(slack.calls.filter((c) => c.method === 'chat.update')).toHaveLength(1);
    expect(smtp.received).toHaveLength(1);
  });

  it('retract --wait deletes on Telegram and Slack, mails the notice, exits 0; a later edit is refused and changes nothing', async () => {
    const id = await sentAnnouncement();
    const r = await runCrier(['retract', id, '--notice-en', 'This announcement was withdrawn.', '--wait', '--config', config], { cwd: dir.path });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^revision: 2$/m);
    expect(r.stdout).toMatch(/^status: retracted$/m);
    expect(r.stdout).toMatch(/^ {2}slack +1\/1 sent, 0 failed, 0 queued$/m);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('corrected: revision 2, 3 messages, 3 sent, 0 failed, 0 skipped');
    expect(telegram.calls.filter((c) => c.method === 'deleteMessage')).toHaveLength(1);
    expect(telegram.message(telegram.sent[0].chatId, telegram.sent[0].messageId)).toBeUndefined();
    expect(slack.calls.filter((c) => c.method === 'chat.delete')).toHaveLength(1);
    expect(smtp.received).toHaveLength(2);
    expect(smtp.received[1].parsed.text).toContain('This announcement was withdrawn.');
    expect((await s.announcements.get(id))!.retracted).toBe(true);

    const before = await snapshot(id);
    const calls = telegram.calls.length + slack.calls.length;
    const again = await runCrier(['edit', id, editedFile(), '--notice-en', NOTICE_EN, '--wait', '--config', config], { cwd: dir.path });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`Announcement ${id} was already retracted; an edit is refused.`);
    expect(again.stdout).toBe('');
    const twice = await cli(['retract', id]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('was already retracted');
    await new Promise((res) => setTimeout(res, 300)); // a wrongly queued correction would show by now
    expect(await snapshot(id)).toEqual(before);
    expect(telegram.calls.length + slack.calls.length).toBe(calls);
    expect(smtp.received).toHaveLength(2);

    const status = await cli(['status', id]);
    expect(status.stdout).toMatch(/^retracted +yes$/m);
    expect(status.stdout).toMatch(/^correction \(revision 2\): finished$/m);
  });

  it('retract of a scheduled announcement says it was cancelled; edits of retracted or cancelled ones are refused', async () => {
    const { id, status } = await postFixture(s, 'holiday-hours', { publishAt: '2030-03-02T09:00:00+08:00' });
    expect(status).toBe('scheduled');
    const r = await cli(['retract', id]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^status: cancelled$/m);
    expect(r.stdout).toContain('it was cancelled');
    expect((await s.announcements.get(id))!.status).toBe('cancelled');

    const retracted = await cli(['edit', id, editedFile()]);
    expect(retracted.code).toBe(1);
    expect(retracted.stderr).toContain(`Announcement ${id} was already retracted; an edit is refused.`);

    // Cancelled (crier cancel) rather than retracted: refused too, and said so.
    const other = await postFixture(s, 'holiday-hours', { publishAt: '2030-03-02T09:00:00+08:00' });
    expect((await cli(['cancel', other.id])).code).toBe(0);
    const before = await snapshot(other.id);
    const edit = await cli(['edit', other.id, editedFile(), '--notice-en', NOTICE_EN]);
    expect(edit.code).toBe(1);
    expect(edit.stderr).toContain(`Announcement ${other.id} was cancelled before it went out; an edit is refused`);
    const retract = await cli(['retract', other.id]);
    expect(retract.code).toBe(1);
    expect(retract.stderr).toContain('was cancelled before it went out; a retraction is refused');
    expect(await snapshot(other.id)).toEqual(before);
    expect((await s.announcements.get(other.id))!.revision ?? 1).toBe(1);
  });

  it('refuses a bad file naming the field, a notice over 280 characters naming notice.en, and an unknown id; nothing changes', async () => {
    const id = await sentAnnouncement();
    const before = await snapshot(id);

    const bad = join(dir.path, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...fixture('holiday-hours'), priority: 'whenever' }));
    const badFile = await cli(['edit', id, bad]);
    expect(badFile.code).toBe(1);
    expect(badFile.stderr).toContain('is not a valid announcement');
    expect(badFile.stderr).toMatch(/^ {2}priority: /m);

    const long = 'x'.repeat(281);
    const editLong = await cli(['edit', id, editedFile(), '--notice-en', long]);
    expect(editLong.code).toBe(1);
    expect(editLong.stderr).toMatch(/^ {2}notice\.en: .*280/m);
    // The real program says the same, and prints nothing on stdout.
    const retractLong = await runCrier(['retract', id, '--notice-zh', '好'.repeat(281), '--config', config], { cwd: dir.path });
    expect(retractLong.code).toBe(1);
    expect(retractLong.stderr).toMatch(/^ {2}notice\.zh: .*280/m);
    expect(retractLong.stdout).toBe('');

    const unknownEdit = await cli(['edit', 'a-no-such-id', editedFile()]);
    expect(unknownEdit.code).toBe(1);
    expect(unknownEdit.stderr).toContain('No announcement with id "a-no-such-id"');
    const unknownRetract = await cli(['retract', 'a-no-such-id']);
    expect(unknownRetract.code).toBe(1);
    expect(unknownRetract.stderr).toContain('No announcement with id "a-no-such-id"');

    await new Promise((res) => setTimeout(res, 300));
    expect(await snapshot(id)).toEqual(before);
    expect(telegram.calls.filter((c) => c.method !== 'sendMessage' && c.method !== 'getMe')).toEqual([]);
    expect(smtp.received).toHaveLength(1);
  });
});
