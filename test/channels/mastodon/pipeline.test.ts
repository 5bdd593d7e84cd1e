// Mastodon end to end: producer → dispatch → the real delivery worker on real Redis → a fake
// Mastodon instance over HTTP. Retries, permanent failures and lost replies as a user sees them.
import { ctxFor } from '../../support/channel-context.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMastodonChannel } from '../../../channels/mastodon/channel.js';
import type { Services } from '../../../src/services.js';
import { startWorkers, type RunningWorkers } from '../../../workers/index.js';
import { countLikeMastodon, startFakeMastodon, type FakeMastodon } from '../../support/fake-mastodon.js';
import { disposeServices, finalView, postFixture, testConfig, testServices } from '../../support/harness.js';

let fake: FakeMastodon;
let s: Services;
let workers: RunningWorkers;

async function start(maxCharacters = 500) {
  fake = await startFakeMastodon({ maxCharacters });
  s = testServices(testConfig({ channels: { mastodon: { enabled: true, instanceUrl: fake.url, accessToken: fake.token } } }));
  const ch = createMastodonChannel(ctxFor(s.config, 'mastodon', { redis: s.redis, keys: s.keys, subscribers: s.subscribers, log: s.log }));
  s.channels.set(ch.name, ch);
  workers = await startWorkers(s);
}

const post = (name: string) => postFixture(s, name);

const final = (id: string) => finalView(s, id);

beforeEach(async () => {
  await start();
});
afterEach(async () => {
  await workers.close();
  await disposeServices(s);
  await fake.close();
});

describe('Mastodon through the delivery worker', () => {
  it('posts holiday-hours as exactly one status with both languages, and the announcement ends done', async () => {
    const { id } = await post('holiday-hours');
    const view = await final(id);
    expect(view.status).toBe('done');
    expect(view.deliveries.mastodon).toMatchObject({ total: 1, sent: 1, failed: 0 });
    expect(fake.statuses).toHaveLength(1);
    const st = fake.statuses[0];
    expect(st.text).toContain('国庆假期图书馆开放时间调整');
    expect(st.text).toContain('Opening hours during the National Day holiday');
    expect(countLikeMastodon(st.text)).toBeLessThanOrEqual(500);
    expect(st.idempotencyKey).toBe(`${id}.mastodon.account`);
    expect(await s.deliveries.get(id, 'mastodon', 'account')).toMatchObject({ status: 'sent', attempts: 1, externalId: st.id });
  });

  it('fits the long notice within 500 characters, URLs counted as 23, ending with its link', async () => {
    const { id } = await post('long-notice');
    expect((await final(id)).status).toBe('done');
    const text = fake.statuses[0].text;
    expect(countLikeMastodon(text)).toBeLessThanOrEqual(500);
    expect(text.endsWith('\n\nhttps://library.example.edu/news/stacks')).toBe(true);
    expect(text).toContain('三至五楼书库调整：读者须知');
    expect(text).toContain('Stack reorganisation on floors 3-5');
  });

  it('retries 429 and 500, then posts exactly one status, with the attempts in the log', async () => {
    fake.script.push({ kind: '429', resetInMs: 50 }, { kind: '500' });
    const { id } = await post('storm-closure');
    expect((await final(id)).status).toBe('done');
    expect(fake.posts).toHaveLength(3);
    expect(fake.statuses).toHaveLength(1);
    expect(await s.deliveries.get(id, 'mastodon', 'account')).toMatchObject({ status: 'sent', attempts: 3, error: null });
  });

  it('does not post twice when the first reply was lost: the retry replays the Idempotency-Key', async () => {
    fake.script.push({ kind: 'lostReply' });
    const { id } = await post('holiday-hours');
    expect((await final(id)).status).toBe('done');
    expect(fake.posts).toHaveLength(2);
    expect(fake.posts[0].idempotencyKey).toBe(fake.posts[1].idempotencyKey);
    expect(fake.statuses).toHaveLength(1);
    expect(await s.deliveries.get(id, 'mastodon', 'account')).toMatchObject({ status: 'sent', attempts: 2, externalId: fake.statuses[0].id });
  });

  it('fails a rejected token once, with the reason, and the announcement ends done_with_failures', async () => {
    fake.script.push({ kind: '401' });
    const { id } = await post('holiday-hours');
    const view = await final(id);
    expect(view.status).toBe('done_with_failures');
    expect(view.deliveries.mastodon).toMatchObject({ total: 1, failed: 1 });
    const rec = await s.deliveries.get(id, 'mastodon', 'account');
    expect(rec).toMatchObject({ status: 'failed', attempts: 1 });
    expect(rec!.error).toBe('invalid access token (HTTP 401: The access token is invalid)');
    expect(fake.posts).toHaveLength(1);
  });

  it('fails a 422 at once with the validation message', async () => {
    fake.script.push({ kind: '422', error: 'Validation failed: Text character limit of 500 exceeded' });
    const { id } = await post('english-only');
    expect((await final(id)).status).toBe('done_with_failures');
    expect((await s.deliveries.get(id, 'mastodon', 'account'))!.error).toContain('Validation failed: Text character limit of 500 exceeded');
  });
});

describe('an instance with max_characters 1000', () => {
  beforeEach(async () => {
    // Replace the default instance with a larger one.
    await workers.close();
    await disposeServices(s);
    await fake.close();
    await start(1000);
  });

  it('allows a longer status', async () => {
    const { id } = await post('long-notice');
    expect((await final(id)).status).toBe('done');
    const n = countLikeMastodon(fake.statuses[0].text);
    expect(n).toBeGreaterThan(900);
    expect(n).toBeLessThanOrEqual(1000);
  });
});
