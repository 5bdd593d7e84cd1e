// The Mastodon channel against a fake instance over real HTTP: what it posts, the
// Idempotency-Key replay, the instance's max_characters, and how each failure is classified.
import { ctxFor } from '../../support/channel-context.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMastodonChannel } from '../../../channels/mastodon/channel.js';
import type { ChannelDeps } from '../../../src/channel-module.js';
import { ChannelError, type Announcement, type AnnouncementInput, type Recipient } from '../../../src/types.js';
import { countLikeMastodon, startFakeMastodon, type FakeMastodon } from '../../support/fake-mastodon.js';
import { testConfig } from '../../support/harness.js';
import { loadFixture } from '../../render/fixtures.js';

let fake: FakeMastodon;

beforeEach(async () => {
  fake = await startFakeMastodon();
});
afterEach(async () => {
  await fake.close();
});

function channel(mastodon: Record<string, unknown> = {}) {
  const config = testConfig({
    channels: { mastodon: { enabled: true, instanceUrl: fake.url, accessToken: fake.token, visibility: 'unlisted', ...mastodon } },
  });
  return createMastodonChannel(ctxFor(config, 'mastodon', {} as ChannelDeps));
}

function announcement(name: string, extra: Partial<AnnouncementInput> = {}): Announcement {
  const f = loadFixture(name);
  const input: AnnouncementInput = { ...f, priority: f.priority ?? 'normal', ...extra };
  return { ...input, id: `ann-${name}`, channels: ['mastodon'], status: 'dispatching', createdAt: '2030-01-01T00:00:00.000Z', createdBy: 'test', publishedAt: '2030-01-01T00:00:00.000Z' };
}

async function recipient(ch: ReturnType<typeof channel>, ann: Announcement): Promise<Recipient> {
  const page = await ch.recipientPage(ann, null);
  expect(page).toMatchObject({ recipients: [{ id: 'account' }], next: null });
  return page.recipients[0];
}

async function sendFixture(ch: ReturnType<typeof channel>, name: string, id = `d-${name}`) {
  const ann = announcement(name);
  const r = await recipient(ch, ann);
  return ch.send(ch.render(ann, r), r, { id, attempt: 1 });
}

async function failure(p: Promise<unknown>): Promise<ChannelError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ChannelError);
  return err as ChannelError;
}

describe('posting', () => {
  it('posts one status with the bearer token, the delivery id as Idempotency-Key and the configured visibility', async () => {
    const res = await sendFixture(channel(), 'holiday-hours', 'ann1.mastodon.account');
    expect(fake.statuses).toHaveLength(1);
    expect(res.externalId).toBe(fake.statuses[0].id);
    expect(fake.posts[0]).toMatchObject({ authorization: `Bearer ${fake.token}`, idempotencyKey: 'ann1.mastodon.account' });
    const st = fake.statuses[0];
    expect(st.visibility).toBe('unlisted');
    expect(st.language).toBeNull(); // two languages: the server guesses per reader
    expect(st.text).toContain('国庆假期图书馆开放时间调整');
    expect(st.text).toContain('Opening hours during the National Day holiday');
    expect(st.text.endsWith('\n\nhttps://library.example.edu/news/national-day-hours')).toBe(true);
  });

  it('sets the language of a single-language status', async () => {
    await sendFixture(channel({ language: 'en' }), 'holiday-hours');
    expect(fake.statuses[0].language).toBe('en');
    expect(fake.statuses[0].text).not.toContain('国庆');
  });

  it('makes one status when a send is repeated with the same delivery id (a crash-style retry)', async () => {
    const ch = channel();
    const first = await sendFixture(ch, 'storm-closure', 'same-delivery');
    const again = await sendFixture(ch, 'storm-closure', 'same-delivery');
    expect(fake.posts).toHaveLength(2);
    expect(fake.statuses).toHaveLength(1);
    expect(again.externalId).toBe(first.externalId);
    await sendFixture(ch, 'storm-closure', 'another-delivery');
    expect(fake.statuses).toHaveLength(2);
  });

  it('honours the topic filter', async () => {
    const ch = channel({ topics: ['events'] });
    expect(await ch.recipientPage(announcement('holiday-hours'), null)).toEqual({ recipients: [], next: null });
    expect((await ch.recipientPage(announcement('freshman-tour'), null)).recipients).toHaveLength(1);
  });
});

describe("the instance's max_characters", () => {
  it('fits the long notice into 500 by default, the link last', async () => {
    await sendFixture(channel(), 'long-notice');
    const text = fake.statuses[0].text;
    expect(countLikeMastodon(text)).toBeLessThanOrEqual(500);
    expect(text.endsWith('\n\nhttps://library.example.edu/news/stacks')).toBe(true);
  });

  it('uses a larger limit read from /api/v2/instance, re-fitting a message rendered before it was known', async () => {
    fake.instance.maxCharacters = 1000;
    const ch = channel();
    const ann = announcement('long-notice');
    const r = await recipient(ch, ann);
    const msg = ch.render(ann, r);
    expect(msg.maxChars).toBe(500);
    await ch.send(msg, r, { id: 'd1', attempt: 1 });
    const text = fake.statuses[0].text;
    expect(countLikeMastodon(text)).toBeGreaterThan(900);
    expect(countLikeMastodon(text)).toBeLessThanOrEqual(1000);
    // The limit is cached: later renders use it, and the instance is not asked again.
    expect(ch.render(ann, r).maxChars).toBe(1000);
    await sendFixture(ch, 'holiday-hours');
    expect(fake.instanceRequests).toBe(1);
  });

  it('still sends, within 500, when the instance endpoint is down', async () => {
    fake.instance = { maxCharacters: 1000, failWith: 503 };
    await sendFixture(channel(), 'long-notice');
    expect(fake.statuses).toHaveLength(1);
    expect(countLikeMastodon(fake.statuses[0].text)).toBeLessThanOrEqual(500);
  });
});

describe('failures', () => {
  it('a bad token is permanent, with the server reason', async () => {
    const err = await failure(sendFixture(channel({ accessToken: 'wrong' }), 'holiday-hours'));
    expect(err.kind).toBe('permanent');
    expect(err.message).toBe('invalid access token (HTTP 401: The access token is invalid)');
  });

  it('403 and 422 are permanent with the error text', async () => {
    fake.script.push({ kind: '403' }, { kind: '422', error: 'Validation failed: Text character limit of 500 exceeded' });
    const ch = channel();
    const forbidden = await failure(sendFixture(ch, 'holiday-hours'));
    expect(forbidden).toMatchObject({ kind: 'permanent', message: 'forbidden (HTTP 403: This action is outside the authorized scopes)' });
    const invalid = await failure(sendFixture(ch, 'holiday-hours'));
    expect(invalid.kind).toBe('permanent');
    expect(invalid.message).toContain('Validation failed: Text character limit of 500 exceeded');
  });

  it('429 is retryable after X-RateLimit-Reset; 5xx and a dead server are retryable', async () => {
    fake.script.push({ kind: '429', resetInMs: 60_000 }, { kind: '500' });
    const ch = channel();
    const limited = await failure(sendFixture(ch, 'holiday-hours'));
    expect(limited.kind).toBe('retryable');
    expect(limited.message).toContain('Too many requests');
    expect(limited.retryAfterMs).toBeGreaterThan(50_000);
    expect(limited.retryAfterMs).toBeLessThanOrEqual(60_000);
    const broken = await failure(sendFixture(ch, 'holiday-hours'));
    expect(broken.kind).toBe('retryable');
    expect(broken.message).toMatch(/^HTTP 500 Internal Server Error: .*something went wrong/);
    expect(fake.statuses).toHaveLength(0);

    await fake.close();
    const down = await failure(sendFixture(ch, 'holiday-hours'));
    expect(down.kind).toBe('retryable');
    expect(down.message).toMatch(/^127\.0\.0\.1:\d+: fetch failed \((?:ECONNREFUSED|UND_ERR_SOCKET)\)/);
  });
});

describe('check-config', () => {
  it('verifies the credentials without posting', async () => {
    fake.instance.maxCharacters = 5000;
    expect(await channel().check!()).toBe(`authenticated as @library on ${new URL(fake.url).host}; statuses up to 5000 characters`);
    expect(fake.posts).toHaveLength(0);
  });

  it('reports a bad token', async () => {
    const err = await failure(channel({ accessToken: 'nope' }).check!());
    expect(err.message).toContain('invalid access token');
  });
});

describe('preview', () => {
  it('shows the request and the exact status', () => {
    const ch = channel();
    const ann = announcement('english-only');
    const text = ch.preview(ch.render(ann, { id: 'account', address: fake.url, language: 'both' }));
    expect(text).toBe(
      `POST ${fake.url}/api/v1/statuses\nvisibility: unlisted\nlanguage: en\nmax_characters: 500\n\n` +
        `${ann.title.en}\n${ann.body.en}\n\nhttp://crier.test/news/${ann.id}`,
    );
  });
});

