// The Slack channel against a local Slack Web API over HTTP: recipients, the request it sends,
// one request per send, and how every kind of failure is classified.
import { ctxFor } from '../../support/channel-context.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { createSlackChannel, slackRecipientId, type SlackMessage } from '../../../channels/slack/channel.js';
import type { ChannelDeps } from '../../../src/channel-module.js';
import { ChannelError, type Announcement, type Channel } from '../../../src/types.js';
import { createLogger, silentLogger } from '../../../src/util/log.js';
import { fixture, testConfig } from '../../support/harness.js';
import { slackReply, startFakeSlack, type FakeSlack } from '../../support/fake-slack.js';

let fake: FakeSlack;
const deps = { log: silentLogger } as unknown as ChannelDeps;

function channel(slack: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Channel<SlackMessage> {
  const config = testConfig({
    channels: { slack: { enabled: true, token: fake.token, apiUrl: fake.apiUrl, targets: [{ channel: 'C0GENERAL', topics: ['*'] }], ...slack } },
    ...extra,
  });
  return createSlackChannel(ctxFor(config, 'slack', deps));
}

function announcement(name = 'holiday-hours'): Announcement {
  return { ...(fixture(name) as object), id: 'ann1', channels: ['slack'], status: 'dispatching', priority: 'normal', createdAt: '', createdBy: 't', publishedAt: '' } as Announcement;
}

/** Sends the fixture to `target` and returns the ChannelError it threw. */
async function failure(ch: Channel<SlackMessage>, target = 'C0GENERAL'): Promise<ChannelError> {
  const r = { id: slackRecipientId(target), address: target, language: 'both' as const };
  const err = await ch.send(ch.render(announcement(), r), r, { id: 'd1', attempt: 1 }).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ChannelError);
  expect((err as Error).message).not.toContain(fake.token);
  return err as ChannelError;
}

beforeEach(async () => {
  fake = await startFakeSlack();
  fake.addChannel('C0GENERAL', { name: 'general' });
});
afterEach(() => fake.close());

describe('recipients', () => {
  it('are the targets whose topics match, once per channel, in their language', async () => {
    const ch = channel({
      language: 'en',
      targets: [
        { channel: 'C0HOURS', topics: ['hours'], language: 'zh' },
        { channel: 'C0EVENTS', topics: ['events'] },
        { channel: 'C0ALL', topics: ['*'] },
        { channel: 'C0HOURS', topics: ['*'], language: 'en' },
        { channel: '#general', topics: ['hours', 'events'] },
      ],
    });
    const page = await ch.recipientPage(announcement('holiday-hours'), null);
    expect(page.next).toBeNull();
    expect(page.recipients).toEqual([
      { id: 'C0HOURS', address: 'C0HOURS', language: 'zh' },
      { id: 'C0ALL', address: 'C0ALL', language: 'en' },
      { id: expect.stringMatching(/^_general-[0-9a-f]{8}$/), address: '#general', language: 'en' },
    ]);
    for (const r of page.recipients) expect(r.id).toMatch(/^[A-Za-z0-9_.-]+$/);
    expect((await ch.recipientPage(announcement(), 'x')).recipients).toEqual([]);
  });

  it('fall back to the library default language', async () => {
    const ch = channel({}, { library: { defaultLanguage: 'zh' } });
    expect((await ch.recipientPage(announcement(), null)).recipients[0].language).toBe('zh');
  });

  it('declares one message a second per channel, one channel per job', () => {
    expect(channel().limits).toMatchObject({ perTargetPerSecond: 1, batchSize: 1 });
  });
});

describe('send', () => {
  it('posts Block Kit with a fallback text over form encoding, with the bearer token', async () => {
    const ch = channel();
    const r = { id: 'C0GENERAL', address: 'C0GENERAL', language: 'both' as const };
    const msg = ch.render(announcement(), r);
    expect(await ch.send(msg, r, { id: 'd1', attempt: 1 })).toEqual({ externalId: 'C0GENERAL/1700000000.000001', ref: { channel: 'C0GENERAL', ts: '1700000000.000001' } });
    expect(fake.calls).toHaveLength(1);
    const call = fake.calls[0];
    expect(call).toMatchObject({ method: 'chat.postMessage', status: 200, authorization: `Bearer ${fake.token}` });
    expect(call.contentType).toContain('application/x-www-form-urlencoded');
    const [posted] = fake.messages('C0GENERAL');
    expect(posted.blocks).toEqual(msg.blocks);
    expect(posted.text).toBe(msg.text);
    expect(posted.params).toMatchObject({ unfurl_links: 'false', unfurl_media: 'false' });
  });

  it('reports the channel ID Slack resolved a name to', async () => {
    const ch = channel();
    const r = { id: slackRecipientId('#general'), address: '#general', language: 'en' as const };
    expect(await ch.send(ch.render(announcement(), r), r, { id: 'd1', attempt: 1 })).toEqual({ externalId: 'C0GENERAL/1700000000.000001', ref: { channel: 'C0GENERAL', ts: '1700000000.000001' } });
  });
});

describe('failures: exactly one request, classified', () => {
  it('429 → retryable with Retry-After in ms', async () => {
    fake.script('C0GENERAL', slackReply.rateLimited(7));
    const err = await failure(channel());
    expect(err).toMatchObject({ kind: 'retryable', retryAfterMs: 7000 });
    expect(err.message).toContain('ratelimited');
    expect(fake.calls).toHaveLength(1);
  });

  it.each([500, 502, 503, 504])('HTTP %i → retryable', async (status) => {
    fake.script('C0GENERAL', slackReply.serverError(status));
    const err = await failure(channel());
    expect(err).toMatchObject({ kind: 'retryable', retryAfterMs: undefined });
    expect(err.message).toContain(`HTTP ${status}`);
    expect(fake.calls).toHaveLength(1);
  });

  it.each(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited'])('%s → retryable', async (code) => {
    fake.script('C0GENERAL', slackReply.error(code));
    expect(await failure(channel())).toMatchObject({ kind: 'retryable', message: expect.stringContaining(code) });
    expect(fake.calls).toHaveLength(1);
  });

  it('a network failure → retryable', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const err = await failure(channel({ apiUrl: `http://127.0.0.1:${port}/api/` }));
    expect(err).toMatchObject({ kind: 'retryable', message: expect.stringContaining('could not reach Slack') });
  });

  it.each([
    ['channel_not_found', () => {}, 'C0NOPE', 'channel_not_found: no such channel'],
    ['not_in_channel', () => fake.addChannel('C0PRIVATE', { member: false }), 'C0PRIVATE', 'not_in_channel: invite the bot to the channel'],
    ['is_archived', () => fake.addChannel('C0OLD', { archived: true }), 'C0OLD', 'is_archived: the channel is archived'],
  ])('%s → permanent with a hint', async (_code, setup, target, expected) => {
    setup();
    const err = await failure(channel(), target);
    expect(err.kind).toBe('permanent');
    expect(err.message).toContain(expected);
    expect(fake.callsTo(target)).toHaveLength(1);
  });

  it('a wrong token → permanent invalid_auth', async () => {
    fake.token = 'xoxb-the-real-one';
    const err = await failure(channel({ token: 'xoxb-wrong' }));
    expect(err).toMatchObject({ kind: 'permanent', message: expect.stringMatching(/^invalid_auth: .*SLACK_BOT_TOKEN/) });
    expect(err.message).not.toContain('xoxb-wrong');
  });

  it.each([
    [slackReply.error('missing_scope', { needed: 'chat:write', provided: 'channels:read' }), /^missing_scope: .*\(needs chat:write\)/],
    [slackReply.error('invalid_blocks', { errors: ['must be less than 3001 characters [json-pointer:/blocks/1/text/text]'] }), /^invalid_blocks: .*\[must be less than 3001 characters \[json-pointer:\/blocks\/1\/text\/text\]\]/],
    [slackReply.error('token_revoked'), /^token_revoked: /],
    [slackReply.error('some_new_error'), /^some_new_error$/],
    [{ status: 404, body: 'Not Found' }, /HTTP 404.*apiUrl/],
  ])('%j → permanent', async (reply, expected) => {
    fake.script('C0GENERAL', reply);
    const err = await failure(channel());
    expect(err.kind).toBe('permanent');
    expect(err.message).toMatch(expected);
    expect(fake.calls).toHaveLength(1);
  });
});

it('never writes the token to the log', async () => {
  const lines: string[] = [];
  const log = createLogger('t', 'debug', (l) => lines.push(l));
  const config = testConfig({ channels: { slack: { enabled: true, token: fake.token, apiUrl: fake.apiUrl, targets: [{ channel: 'C0GENERAL' }] } } });
  const ch = createSlackChannel(ctxFor(config, 'slack', { log } as unknown as ChannelDeps));
  const r = { id: 'C0GENERAL', address: 'C0GENERAL', language: 'both' as const };
  await ch.send(ch.render(announcement(), r), r, { id: 'd1', attempt: 1 });
  fake.script('C0GENERAL', slackReply.serverError(503), slackReply.error('invalid_auth'));
  for (let i = 0; i < 2; i++) await ch.send(ch.render(announcement(), r), r, { id: 'd1', attempt: 1 }).catch(() => {});
  await ch.check!();
  expect(fake.calls).toHaveLength(4);
  expect(lines.join('\n')).not.toContain(fake.token);
});

describe('check', () => {
  it('calls auth.test and names the bot and workspace, sending nothing', async () => {
    expect(await channel().check!()).toBe('authenticated as crier in Crier Test Workspace');
    expect(fake.calls.map((c) => c.method)).toEqual(['auth.test']);
    expect(fake.posted).toHaveLength(0);
  });

  it('fails with invalid_auth for a wrong token, and without a request for none', async () => {
    await expect(channel({ token: 'xoxb-wrong' }).check!()).rejects.toMatchObject({ kind: 'permanent', message: expect.stringContaining('invalid_auth') });
    await expect(channel({ token: '' }).check!()).rejects.toThrow(/channels\.slack\.token is empty/);
    expect(fake.calls).toHaveLength(1);
  });
});
