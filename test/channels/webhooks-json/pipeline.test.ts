// The JSON webhook end to end: producer → dispatch → the real delivery worker on real Redis →
// a receiver over HTTP that verifies X-Crier-Signature on its own.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJsonWebhookChannel } from '../../../channels/webhooks/json.js';
import type { Services } from '../../../src/services.js';
import { startWorkers, type RunningWorkers } from '../../../workers/index.js';
import { disposeServices, finalView, postFixture, testConfig, testServices } from '../../support/harness.js';
import { startJsonReceiver, type JsonReceiver } from './receiver.js';

const SECRET = 'whsec-test-0123456789';
let rx: JsonReceiver;
let s: Services;
let workers: RunningWorkers;

async function start(hook: Record<string, unknown> = {}) {
  rx = await startJsonReceiver(SECRET);
  s = testServices(testConfig({ channels: { webhooks: [{ name: 'website', kind: 'json', url: rx.url, secret: SECRET, ...hook }] } }));
  const ch = createJsonWebhookChannel(s.config.library, s.config.channels.webhooks[0]);
  s.channels.set(ch.name, ch);
  workers = await startWorkers(s);
}

const post = (name: string) => postFixture(s, name);

const final = (id: string) => finalView(s, id);

afterEach(async () => {
  await workers.close();
  await disposeServices(s);
  await rx.close();
});

describe('JSON webhook through the delivery worker', () => {
  beforeEach(async () => {
    await start();
  });

  it('delivers holiday-hours once, signed, with both languages, and the announcement ends done', async () => {
    const { id } = await post('holiday-hours');
    const view = await final(id);
    expect(view.status).toBe('done');
    expect(view.deliveries['webhook:website']).toMatchObject({ total: 1, sent: 1 });
    expect(rx.requests).toHaveLength(1);
    const got = rx.requests[0];
    expect(got.signatureValid).toBe(true);
    expect(got.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(got.headers['x-crier-delivery']).toBe(`${id}.webhook.website.endpoint`);
    expect(got.json).toMatchObject({
      id,
      titles: { zh: '国庆假期图书馆开放时间调整', en: 'Opening hours during the National Day holiday' },
      topics: ['hours'],
      link: 'https://library.example.edu/news/national-day-hours',
      priority: 'normal',
    });
    const json = got.json as { bodies: Record<string, string>; html: Record<string, string>; publishedAt: string };
    expect(json.bodies.zh).toContain('**10月1日至7日**');
    expect(json.html.en).toContain('<strong>09:00–17:00</strong>');
    expect(Date.parse(json.publishedAt)).not.toBeNaN();
    expect(await s.deliveries.get(id, 'webhook:website', 'endpoint')).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('retries a 500, then counts one delivery with 2 attempts', async () => {
    rx.script.push({ status: 500, body: 'upstream exploded' });
    const { id } = await post('storm-closure');
    expect((await final(id)).status).toBe('done');
    expect(rx.requests.map((r) => r.answered)).toEqual([500, 204]);
    expect(rx.accepted()).toHaveLength(1);
    // The retry is the same delivery: same id header, same signed bytes.
    expect(rx.requests[1].headers['x-crier-delivery']).toBe(rx.requests[0].headers['x-crier-delivery']);
    expect(rx.requests[1].raw.equals(rx.requests[0].raw)).toBe(true);
    expect(await s.deliveries.get(id, 'webhook:website', 'endpoint')).toMatchObject({ status: 'sent', attempts: 2, error: null });
  });

  it('honours 429 with Retry-After, then delivers', async () => {
    rx.script.push({ status: 429, headers: { 'Retry-After': '0' }, body: 'slow down' });
    const { id } = await post('english-only');
    expect((await final(id)).status).toBe('done');
    expect(rx.requests.map((r) => r.answered)).toEqual([429, 204]);
  });

  it('fails a 404 permanently at once, with the status and body in the reason', async () => {
    rx.script.push({ status: 404, body: '{"message":"no such hook"}' });
    const { id } = await post('holiday-hours');
    const view = await final(id);
    expect(view.status).toBe('done_with_failures');
    expect(rx.requests).toHaveLength(1);
    const rec = await s.deliveries.get(id, 'webhook:website', 'endpoint');
    expect(rec).toMatchObject({ status: 'failed', attempts: 1 });
    expect(rec!.error).toBe('HTTP 404 Not Found: {"message":"no such hook"}');
  });

  it('carries hostile markup as data, with the html escaped', async () => {
    const { id } = await post('hostile-markup');
    expect((await final(id)).status).toBe('done');
    const json = rx.requests[0].json as { titles: Record<string, string>; bodies: Record<string, string>; html: Record<string, string> };
    expect(json.titles.zh).toContain('<script>alert(1)</script>');
    expect(json.bodies.en).toContain('<img src=x onerror=alert(1)>');
    expect(json.html.en).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(json.html.zh).toContain('&lt;iframe src=');
    for (const html of Object.values(json.html)) expect(html).not.toMatch(/<(?:script|img|iframe)\b|href="javascript:/i);
    expect(rx.requests[0].signatureValid).toBe(true); // non-ASCII and emoji signed byte for byte
  });
});

describe('JSON webhook configuration', () => {
  it('skips an announcement outside its topics', async () => {
    await start({ topics: ['events'] });
    const { id } = await post('holiday-hours');
    const view = await final(id);
    expect(view.status).toBe('done');
    expect(view.deliveries['webhook:website']?.total ?? 0).toBe(0);
    expect(rx.requests).toHaveLength(0);
  });

  it('sends only the configured language', async () => {
    await start({ language: 'zh' });
    const { id } = await post('holiday-hours');
    await final(id);
    expect(Object.keys(rx.requests[0].json.titles as object)).toEqual(['zh']);
  });

  it('a wrong secret is refused by the receiver and fails permanently', async () => {
    await start({ secret: 'not-the-receivers-secret' });
    const { id } = await post('english-only');
    expect((await final(id)).status).toBe('done_with_failures');
    expect((await s.deliveries.get(id, 'webhook:website', 'endpoint'))!.error).toBe('HTTP 401 Unauthorized: bad signature');
  });
});
