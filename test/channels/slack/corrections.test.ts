// Slack corrections against the local Web API: an edit is chat.update of the original channel
// and ts with the new render, a retraction chat.delete; Slack's refusals, an already deleted
// message, old records without a ref, and 429s.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackChannel, slackRef, type SlackMessage } from '../../../channels/slack/channel.js';
import type { ChannelDeps } from '../../../src/channel-module.js';
import { ChannelError, type Announcement, type Channel, type CorrectionTask, type Recipient } from '../../../src/types.js';
import { silentLogger } from '../../../src/util/log.js';
import { ctxFor } from '../../support/channel-context.js';
import { slackReply, startFakeSlack, type FakeSlack } from '../../support/fake-slack.js';
import { fixture, testConfig } from '../../support/harness.js';

let fake: FakeSlack;
const deps = { log: silentLogger } as unknown as ChannelDeps;
const R: Recipient = { id: 'C0GENERAL', address: 'C0GENERAL', language: 'en' };

function channel(): Channel<SlackMessage> {
  const config = testConfig({
    channels: { slack: { enabled: true, token: fake.token, apiUrl: fake.apiUrl, targets: [{ channel: 'C0GENERAL', topics: ['*'] }] } },
  });
  return createSlackChannel(ctxFor(config, 'slack', deps));
}

function announcement(extra: Partial<Announcement> = {}): Announcement {
  return { ...(fixture('holiday-hours') as object), id: 'ann1', channels: ['slack'], status: 'done', priority: 'normal', createdAt: '', createdBy: 't', publishedAt: '', ...extra } as Announcement;
}

async function sent(ch: Channel<SlackMessage>): Promise<CorrectionTask['sent']> {
  const res = await ch.send(ch.render(announcement(), R), R, { id: 'ann1.slack.C0GENERAL', attempt: 1 });
  return { ...res, externalId: res.externalId ?? null, sentAt: new Date().toISOString(), revision: 1 };
}

function task(kind: CorrectionTask['kind'], s: CorrectionTask['sent'], extra: Partial<CorrectionTask> = {}): CorrectionTask {
  const ann = kind === 'edit'
    ? announcement({ title: { en: 'Opening hours (corrected)' }, revision: 2 })
    : announcement({ retracted: true, revision: 2 });
  return { kind, ann, sent: s, recipient: R, delivery: { id: `ann1.r2.slack.C0GENERAL`, attempt: 1 }, ...extra };
}

async function failure(p: Promise<unknown>): Promise<ChannelError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ChannelError);
  return err as ChannelError;
}

const methods = () => fake.calls.map((c) => c.method);
const notice = { en: 'The closing time was wrong.' };

beforeEach(async () => {
  fake = await startFakeSlack();
  fake.addChannel('C0GENERAL', { name: 'general' });
});
afterEach(() => fake.close());

describe('edit', () => {
  it('updates the original message in place with the new text and blocks', async () => {
    const ch = channel();
    const s = await sent(ch);
    const res = await ch.correct!(task('edit', s, { notice }));
    expect(res).toMatchObject({ action: 'edit', ref: { channel: 'C0GENERAL', ts: s.ref!.ts } });
    expect(methods()).toEqual(['chat.postMessage', 'chat.update']);
    const msg = fake.find('C0GENERAL', s.ref!.ts as string)!;
    expect(msg.edits).toBe(1);
    expect(JSON.stringify(msg.blocks)).toContain('Opening hours (corrected)');
    expect(msg.text).toContain('Opening hours (corrected)');
    // Slack edits in place: no second message, nothing appended for the notice
    expect(fake.messages('C0GENERAL')).toHaveLength(1);
    expect(msg.text).not.toContain(notice.en);
    const params = new URLSearchParams(fake.calls[1].raw);
    expect(params.get('channel')).toBe('C0GENERAL');
    expect(params.get('ts')).toBe(s.ref!.ts);
  });

  it('is safe to apply twice (a retried job)', async () => {
    const ch = channel();
    const s = await sent(ch);
    await ch.correct!(task('edit', s));
    expect(await ch.correct!(task('edit', s))).toMatchObject({ action: 'edit' });
    expect(fake.messages('C0GENERAL')).toHaveLength(1);
  });

  it('reads an old record\'s "channel/ts" when there is no ref', async () => {
    const ch = channel();
    const s = await sent(ch);
    const res = await ch.correct!(task('edit', { externalId: s.externalId, sentAt: s.sentAt, revision: 1 }));
    expect(res.action).toBe('edit');
    expect(fake.find('C0GENERAL', s.ref!.ts as string)!.edits).toBe(1);
  });

  it('sends the notice when the original id was not recorded, and nothing without one', async () => {
    const ch = channel();
    const unreadable = { externalId: 'C0GENERAL/' as string | null, revision: 1 };
    expect(await ch.correct!(task('edit', unreadable))).toMatchObject({ action: 'none', note: expect.stringContaining('was not recorded') });
    expect(fake.calls).toHaveLength(0);
    const res = await ch.correct!(task('edit', unreadable, { notice }));
    expect(res).toMatchObject({ action: 'notice', note: expect.stringContaining('was not recorded') });
    expect(methods()).toEqual(['chat.postMessage']);
    expect(fake.messages('C0GENERAL')[0].text).toContain('Correction: ');
    expect(fake.messages('C0GENERAL')[0].text).toContain(notice.en);
  });

  it('fails permanently, saying why, when the message is gone', async () => {
    const ch = channel();
    const s = await sent(ch);
    fake.find('C0GENERAL', s.ref!.ts as string)!.deleted = true;
    const err = await failure(ch.correct!(task('edit', s)));
    expect(err.kind).toBe('permanent');
    expect(err.message).toMatch(/^message_not_found: the message no longer exists/);
  });

  it('fails permanently on a message that is not the bot\'s, and when the edit window closed', async () => {
    const ch = channel();
    fake.addMessage('C0GENERAL', '1600000000.000001');
    const other = await failure(ch.correct!(task('edit', { ref: { channel: 'C0GENERAL', ts: '1600000000.000001' }, externalId: null })));
    expect(other.kind).toBe('permanent');
    expect(other.message).toMatch(/^cant_update_message: .*only edit its own/);

    const s = await sent(ch);
    fake.workspace.editWindowMs = -1;
    const closed = await failure(ch.correct!(task('edit', s)));
    expect(closed.kind).toBe('permanent');
    expect(closed.message).toMatch(/^edit_window_closed: .*editing window has closed/);
    // With a notice, the readers are told by a new message instead
    const res = await ch.correct!(task('edit', s, { notice }));
    expect(res).toMatchObject({ action: 'notice', note: expect.stringContaining('Slack refused to edit the message (edit_window_closed') });
    expect(fake.messages('C0GENERAL').filter((m) => !m.deleted)).toHaveLength(3);
  });

  it('passes on a 429 with its Retry-After, as for sends', async () => {
    const ch = channel();
    const s = await sent(ch);
    fake.scriptMethod('chat.update', 'C0GENERAL', slackReply.rateLimited(7));
    const err = await failure(ch.correct!(task('edit', s)));
    expect(err).toMatchObject({ kind: 'retryable', retryAfterMs: 7000 });
    expect(fake.find('C0GENERAL', s.ref!.ts as string)!.edits).toBe(0);
    expect((await ch.correct!(task('edit', s))).action).toBe('edit');
  });
});

describe('retract', () => {
  it('deletes the original message', async () => {
    const ch = channel();
    const s = await sent(ch);
    expect(await ch.correct!(task('retract', s))).toEqual({ action: 'retract', ref: s.ref });
    expect(methods()).toEqual(['chat.postMessage', 'chat.delete']);
    expect(fake.find('C0GENERAL', s.ref!.ts as string)!.deleted).toBe(true);
  });

  it('ends as success with a note when the message is already gone (a retried job)', async () => {
    const ch = channel();
    const s = await sent(ch);
    await ch.correct!(task('retract', s));
    const again = await ch.correct!(task('retract', s));
    expect(again).toMatchObject({ action: 'retract', note: 'the message was already gone from Slack' });
    expect(fake.calls.at(-1)).toMatchObject({ method: 'chat.delete', error: 'message_not_found' });
  });

  it('fails permanently when Slack refuses, or posts the notice instead when one is given', async () => {
    const ch = channel();
    fake.addMessage('C0GENERAL', '1600000000.000002');
    const foreign = { ref: { channel: 'C0GENERAL', ts: '1600000000.000002' }, externalId: null };
    const err = await failure(ch.correct!(task('retract', foreign)));
    expect(err.kind).toBe('permanent');
    expect(err.message).toMatch(/^cant_delete_message: .*only delete its own/);
    expect(fake.find('C0GENERAL', '1600000000.000002')!.deleted).toBeUndefined();

    const res = await ch.correct!(task('retract', foreign, { notice: { en: 'Posted by mistake.' } }));
    expect(res).toMatchObject({ action: 'notice', note: expect.stringContaining('Slack refused to delete the message (cant_delete_message') });
    const posted = fake.messages('C0GENERAL').filter((m) => m.user === 'U0CRIER');
    expect(posted).toHaveLength(1);
    expect(posted[0].text).toContain('Withdrawn: ');
    expect(posted[0].text).toContain('Posted by mistake.');
  });

  it('fails permanently when compliance exports prevent deletion', async () => {
    const ch = channel();
    const s = await sent(ch);
    fake.workspace.complianceExports = true;
    const err = await failure(ch.correct!(task('retract', s)));
    expect(err.kind).toBe('permanent');
    expect(err.message).toMatch(/^compliance_exports_prevent_deletion: /);
  });

  it('is retryable on a 429 (with Retry-After) and a 5xx', async () => {
    const ch = channel();
    const s = await sent(ch);
    fake.scriptMethod('chat.delete', 'C0GENERAL', slackReply.rateLimited(3), slackReply.serverError(503));
    expect(await failure(ch.correct!(task('retract', s)))).toMatchObject({ kind: 'retryable', retryAfterMs: 3000 });
    expect((await failure(ch.correct!(task('retract', s)))).kind).toBe('retryable');
    expect((await ch.correct!(task('retract', s))).action).toBe('retract');
  });
});

describe('slackRef', () => {
  it('prefers the ref, reads "channel/ts", and refuses what it cannot read', () => {
    expect(slackRef({ ref: { channel: 'C1', ts: '1.2' }, externalId: 'C9/9.9' })).toEqual({ channel: 'C1', ts: '1.2' });
    expect(slackRef({ externalId: 'C0ABC/1700000000.000100' })).toEqual({ channel: 'C0ABC', ts: '1700000000.000100' });
    expect(slackRef({ externalId: 'C0ABC/' })).toBeUndefined();
    expect(slackRef({ externalId: null })).toBeUndefined();
    expect(slackRef({ ref: { channel: 'C1' }, externalId: null })).toBeUndefined();
  });
});
