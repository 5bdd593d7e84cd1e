// JSON webhook corrections against a receiver that checks X-Crier-Signature itself: a send is
// the event "announcement.published"; an edit posts "announcement.updated" with the new
// payload, a retraction "announcement.retracted", signed alike, X-Crier-Delivery = the
// correction's delivery id.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createJsonWebhookChannel } from '../../../channels/webhooks/json.js';
import type { Announcement, Channel, CorrectionTask } from '../../../src/types.js';
import { fixture, testConfig } from '../../support/harness.js';
import { startJsonReceiver, verifySignature, type JsonReceiver } from './receiver.js';

const SECRET = 'whsec-test-0123456789';
let rx: JsonReceiver;
let ch: Channel;
const recipient = { id: 'endpoint', address: '127.0.0.1', language: 'both' as const };
const ann = {
  ...fixture('holiday-hours'), priority: 'normal', id: 'a1', channels: ['webhook:website'], status: 'done',
  createdAt: '2030-01-01T00:00:00.000Z', createdBy: 't', publishedAt: '2030-01-01T00:00:00.000Z', revision: 1,
} as unknown as Announcement;
const edited: Announcement = { ...ann, revision: 2, updatedAt: '2030-01-02T00:00:00.000Z', title: { ...ann.title, en: 'Opening hours (corrected)' } };

beforeAll(async () => {
  rx = await startJsonReceiver(SECRET);
  const config = testConfig({ channels: { webhooks: [{ name: 'website', kind: 'json', url: rx.url, secret: SECRET }] } });
  ch = createJsonWebhookChannel(config.library, config.channels.webhooks[0]);
});
afterAll(() => rx.close());
beforeEach(() => {
  rx.requests.length = 0;
  rx.script.length = 0;
});

const task = (over: Partial<CorrectionTask> = {}): CorrectionTask => ({
  kind: 'edit', ann: edited, sent: { ref: { id: 'a1' }, externalId: null, sentAt: '2030-01-01T00:00:01Z', revision: 1 }, recipient,
  delivery: { id: 'a1.r2.webhook.website.endpoint', attempt: 1 }, ...over,
});

function lastRequest() {
  const got = rx.requests.at(-1)!;
  // Checked here too, independently of the receiver's own refusal of a bad one.
  expect(verifySignature(SECRET, got.raw, got.headers['x-crier-signature'] as string)).toBe(true);
  return got;
}

describe('JSON webhook events', () => {
  it('a send is announcement.published at its revision, with a ref', async () => {
    const res = await ch.send(ch.render(ann, recipient), recipient, { id: 'a1.webhook.website.endpoint', attempt: 1 });
    expect(res.ref).toEqual({ id: 'a1' });
    const got = lastRequest();
    expect(got.json).toMatchObject({ event: 'announcement.published', revision: 1, id: 'a1', titles: { en: 'Opening hours during the National Day holiday' } });
    expect(Object.keys(got.json).slice(0, 3)).toEqual(['event', 'revision', 'id']);
  });

  it('an edit posts announcement.updated with the new payload, signed, under the correction delivery id', async () => {
    const out = await ch.correct!(task({ notice: { en: 'The English title was wrong.' } }));
    expect(out).toEqual({ action: 'edit', ref: { id: 'a1' } });
    const got = lastRequest();
    expect(got.signatureValid).toBe(true);
    expect(got.headers['x-crier-delivery']).toBe('a1.r2.webhook.website.endpoint');
    expect(got.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(got.json).toMatchObject({
      event: 'announcement.updated', revision: 2, id: 'a1', updatedAt: '2030-01-02T00:00:00.000Z',
      titles: { zh: '国庆假期图书馆开放时间调整', en: 'Opening hours (corrected)' },
      notice: { en: 'The English title was wrong.' }, topics: ['hours'], priority: 'normal',
    });
    expect((got.json.html as Record<string, string>).en).toContain('<strong>09:00–17:00</strong>');
  });

  it('a retraction posts announcement.retracted with only the id, revision and notice', async () => {
    const out = await ch.correct!(task({ kind: 'retract', ann: { ...ann, revision: 3, retracted: true }, notice: { zh: '误发，已撤回。' } }));
    expect(out).toEqual({ action: 'retract', ref: { id: 'a1' } });
    const got = lastRequest();
    expect(got.json).toEqual({ event: 'announcement.retracted', revision: 3, id: 'a1', notice: { zh: '误发，已撤回。' } });
  });

  it('a record without ref is corrected all the same (the receiver keys on the id)', async () => {
    const out = await ch.correct!(task({ sent: { externalId: null } }));
    expect(out.action).toBe('edit');
    expect(lastRequest().json).toMatchObject({ event: 'announcement.updated', id: 'a1' });
  });

  it('a retraction the receiver no longer has (404, 410) is done, with a note', async () => {
    rx.script.push({ status: 410 });
    const out = await ch.correct!(task({ kind: 'retract', ann: { ...ann, retracted: true } }));
    expect(out).toMatchObject({ action: 'retract', note: 'the receiver answered 410: it no longer has the announcement' });
    rx.script.push({ status: 404 });
    expect((await ch.correct!(task({ kind: 'retract', ann: { ...ann, retracted: true } }))).action).toBe('retract');
  });

  it('fails as sends do: 429 with Retry-After is retryable, an edit answered 404 is permanent', async () => {
    rx.script.push({ status: 429, headers: { 'Retry-After': '3' } });
    await expect(ch.correct!(task())).rejects.toMatchObject({ kind: 'retryable', retryAfterMs: 3000 });
    rx.script.push({ status: 404 });
    await expect(ch.correct!(task())).rejects.toMatchObject({ kind: 'permanent' });
  });
});
