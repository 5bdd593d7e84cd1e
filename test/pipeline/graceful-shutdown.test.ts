// Closing the workers (what SIGTERM does) waits for a send in flight, and its outcome is
// written before close returns: a deploy never leaves a delivery stuck in "sending".
import { afterEach, describe, expect, it } from 'vitest';
import type { Services } from '../../src/services.js';
import type { Channel } from '../../src/types.js';
import { startWorkers } from '../../workers/index.js';
import { disposeServices, postFixture, testConfig, testServices, waitFor } from '../support/harness.js';

let s: Services;
afterEach(async () => {
  await disposeServices(s);
});

describe('graceful shutdown', () => {
  it('lets an in-flight send finish and records it before the workers are closed', async () => {
    s = testServices(testConfig({ channels: { email: { enabled: true, outbox: '/nonexistent-held-channel' } } }));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const email = s.channels.get('email')!;
    // The same channel, but its send waits until the test lets it go.
    const slow: Channel<unknown> = { ...email, send: async () => { await held; return { externalId: 'held-1' }; } };
    s.channels.set('email', slow);
    const sub = await s.subscribers.upsert({ channel: 'email', address: 'a@example.edu', topics: ['*'], language: 'en', status: 'active' });
    const workers = await startWorkers(s);
    const { id } = await postFixture(s, 'english-only');
    await waitFor(async () => (await s.deliveries.get(id, 'email', sub.subscriber.id))?.status === 'sending', { what: 'send in flight' });

    let closed = false;
    const closing = workers.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(closed).toBe(false);
    release();
    await closing;
    expect(await s.deliveries.get(id, 'email', sub.subscriber.id)).toMatchObject({ status: 'sent', externalId: 'held-1' });
  });
});
