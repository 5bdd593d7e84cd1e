// The JSON webhook payload of every fixture (golden files), the schema's shape, and typed
// markup carried as data with an inert HTML rendering.
import { describe, expect, it } from 'vitest';
import { createJsonWebhookChannel, signBody } from '../../../channels/webhooks/json.js';
import { availableLanguages } from '../../../src/render/language.js';
import { renderJsonPayload } from '../../../channels/webhooks/json-payload.js';
import type { Announcement, AnnouncementInput } from '../../../src/types.js';
import { testConfig } from '../../support/harness.js';
import { fixtureNames, loadFixture } from '../../render/fixtures.js';
import { verifySignature } from './receiver.js';

function announcement(name: string): Announcement {
  const f = loadFixture(name);
  const input: AnnouncementInput = { ...f, priority: f.priority ?? 'normal' };
  return { ...input, id: `ann-${name}`, channels: ['webhook:website'], status: 'dispatching', createdAt: '2030-01-01T00:00:00.000Z', createdBy: 'test', publishedAt: '2030-01-01T01:00:00.000Z' };
}

describe.each(fixtureNames())('%s', (name) => {
  const ann = announcement(name);
  const payload = renderJsonPayload(ann, ['zh', 'en']);

  it('matches the golden payload', async () => {
    await expect(`${JSON.stringify(payload, null, 2)}\n`).toMatchFileSnapshot(`./__golden__/${name}.json`);
  });

  it('carries every language as typed, and sanitized HTML', () => {
    const langs = availableLanguages(ann);
    expect(Object.keys(payload.titles)).toEqual(langs);
    for (const lang of langs) {
      expect(payload.titles[lang]).toBe(ann.title[lang]);
      expect(payload.bodies[lang]).toBe(ann.body[lang]);
      // Typed tags arrive escaped; an event handler only exists inside a real tag.
      expect(payload.html[lang]).not.toMatch(/<(?:script|img|iframe|style)\b|<[^>]*\son\w+=/i);
    }
    expect(payload).toMatchObject({ id: ann.id, topics: ann.topics, publishedAt: ann.publishedAt, priority: ann.priority });
    expect(payload.link).toBe(ann.link);
  });
});

describe('the payload', () => {
  it('keeps only the languages a target gets', () => {
    const p = renderJsonPayload(announcement('freshman-tour'), ['en']);
    expect(p.titles).toEqual({ en: 'Freshman library tours and student volunteer recruitment' });
    expect(p.summary).toEqual({ en: 'Daily guided tours for freshmen; volunteers wanted.' });
    expect(Object.keys(p.bodies)).toEqual(['en']);
    expect(Object.keys(p.html)).toEqual(['en']);
  });

  it('carries hostile markup as raw Markdown data, with the HTML escaped and no javascript: link', () => {
    const p = renderJsonPayload(announcement('hostile-markup'), ['zh', 'en']);
    expect(p.bodies.en).toContain('<img src=x onerror=alert(1)>');
    expect(p.titles.zh).toContain('<script>alert(1)</script>');
    expect(p.html.en).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(p.html.zh).toContain('&lt;iframe src=');
    expect(p.html.zh).toContain('&gt;&lt;/iframe&gt;。</p>');
    expect(p.html.zh).not.toContain('<iframe');
    expect(p.html.en).toContain('[a link](javascript:alert(1))');
    expect(p.html.en).toContain('<a href="https://library.example.edu/print" rel="noopener noreferrer">a safe link</a>');
    expect(p.html.en).not.toMatch(/<img|<script|href="javascript:/i);
  });

  it('leaves out optional keys that are empty', () => {
    const p = renderJsonPayload(announcement('english-only'), ['zh', 'en']);
    expect(Object.keys(p)).toEqual(['id', 'titles', 'bodies', 'html', 'topics', 'publishedAt', 'priority']);
  });
});

describe('signing and check-config', () => {
  const hook = { name: 'website', kind: 'json' as const, url: 'https://hooks.example.edu/crier?key=secret-in-url', secret: 'whsec-0123', enabled: true, topics: ['*'] };
  const config = testConfig({ channels: { webhooks: [hook] } });
  const ch = createJsonWebhookChannel(config.library, config.channels.webhooks[0]);

  it('signs the exact body bytes, as a receiver verifies them independently', () => {
    const msg = ch.render(announcement('hostile-markup'), { id: 'endpoint', address: 'x', language: 'both' });
    const sig = signBody(hook.secret, msg.body);
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature(hook.secret, Buffer.from(msg.body, 'utf8'), sig)).toBe(true);
    expect(verifySignature('other', Buffer.from(msg.body, 'utf8'), sig)).toBe(false);
  });

  it('says it cannot check, naming only the host (the URL may hold a key)', async () => {
    const text = await ch.check!();
    expect(text).toBe('not checked (no auth endpoint); URL host hooks.example.edu; signed with X-Crier-Signature');
    expect(text).not.toContain('secret-in-url');
  });
});
