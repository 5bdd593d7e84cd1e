// Adding a channel is a new folder plus one registry line: the noticeboard channel (defined in
// test/architecture/noticeboard/, nowhere in src/ or channels/) is registered by listing it
// beside the registry's, configured from YAML, validated, fanned out to, logged and previewed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS } from '../../channels/index.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { enabledChannelNames } from '../../src/config/schema.js';
import { buildApp } from '../../src/http/app.js';
import { previewAnnouncement, previewChannels } from '../../src/render/channel-preview.js';
import type { Services } from '../../src/services.js';
import { startWorkers, type RunningWorkers } from '../../workers/index.js';
import { ADMIN_TOKEN, disposeServices, redisUrl, testServices, uniquePrefix, waitFor } from '../support/harness.js';
import { noticeboardModule, type Shown } from './noticeboard/index.js';

const shown: Shown = [];
const MODULES = [...CHANNELS, noticeboardModule(shown)];

const yaml = (prefix: string, screens: string) => `
library: { baseUrl: "http://crier.test", defaultLanguage: en }
redis: { url: "${redisUrl()}", prefix: "${prefix}" }
auth:
  tokens: [{ name: admin, role: admin, token: "${ADMIN_TOKEN}" }]
topics:
  - { id: hours, name: { en: Opening hours, zh: 开放时间 } }
  - { id: events, name: { en: Events, zh: 活动 } }
delivery: { attempts: 2, backoffMs: 20 }
channels:
  rss: { enabled: true }
  noticeboard:
    enabled: true
    screens:
${screens}
`;

let dir: string;
let s: Services;
let app: FastifyInstance;
let workers: RunningWorkers;

function load(text: string) {
  const path = join(dir, `crier-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, text);
  return loadConfig({ path, env: {}, channels: MODULES });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crier-channel-'));
  const { config } = load(yaml(uniquePrefix('nb'), [
    '      - { name: lobby, topics: [hours] }',
    '      - { name: stacks, topics: ["*"], language: zh }',
    '      - { name: broken, topics: [hours] }',
  ].join('\n')));
  s = testServices(config);
  app = await buildApp(s);
  workers = await startWorkers(s);
});

afterAll(async () => {
  await workers?.close();
  await app?.close();
  if (s) await disposeServices(s);
  rmSync(dir, { recursive: true, force: true });
});

describe('a channel defined outside src/ and channels/', () => {
  it('is configured from YAML, its settings checked by its own schema with the path named', () => {
    expect(enabledChannelNames(s.config)).toEqual(['rss', 'noticeboard']);
    const bad = (() => {
      try {
        load(yaml(uniquePrefix('nb'), '      - { name: "Lobby Screen", topics: [hours] }'));
      } catch (e) {
        return e;
      }
    })();
    expect(bad).toBeInstanceOf(ConfigError);
    expect((bad as ConfigError).problems).toEqual(['channels.noticeboard.screens.0.name: lower-case letters, digits and -']);
    // Without the module registered, its settings are an unknown key: nothing is silently ignored.
    const path = join(dir, 'unregistered.yaml');
    writeFileSync(path, yaml(uniquePrefix('nb'), '      - { name: lobby, topics: [hours] }'));
    expect(() => loadConfig({ path, env: {} })).toThrow(/- channels\.noticeboard: unknown field/);
  });

  it('is fanned out to through the API and the workers, every recipient in the delivery log', async () => {
    const res = await app.inject({
      method: 'POST', url: '/api/announcements', headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      payload: { title: { en: 'Open until 22:00', zh: '开放至 22:00' }, body: { en: 'Exam weeks.', zh: '考试周。' }, topics: ['hours'], channels: ['noticeboard'] },
    });
    expect(res.statusCode, res.body).toBe(202);
    const id = res.json().id as string;
    const view = await waitFor(async () => {
      const v = (await app.inject({ method: 'GET', url: `/api/announcements/${id}`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
      return ['done', 'done_with_failures'].includes(v.status) ? v : null;
    }, { what: 'the noticeboard fan-out to finish' });
    expect(view.status).toBe('done_with_failures');
    expect(view.deliveries.noticeboard).toMatchObject({ sent: 2, failed: 1 });
    expect(shown.map((x) => [x.screen, x.headline]).sort()).toEqual([['lobby', 'Open until 22:00'], ['stacks', '开放至 22:00']]);

    const log = (await app.inject({ method: 'GET', url: `/api/announcements/${id}/deliveries?channel=noticeboard`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
    const byRecipient = Object.fromEntries(log.items.map((d: { recipient: string }) => [d.recipient, d]));
    expect(byRecipient.broken).toMatchObject({ status: 'failed', error: 'the broken screen is switched off' });
    expect(byRecipient.lobby).toMatchObject({ status: 'sent', externalId: expect.stringMatching(/^lobby#\d$/) });
  });

  it('is previewed like every other channel, with its sample address', () => {
    const ann = previewAnnouncement(s.config, { title: { en: 'Closed Monday' }, body: { en: 'Maintenance.' }, topics: ['events'], priority: 'normal' });
    expect(ann.channels).toEqual(['rss', 'noticeboard']);
    const previews = previewChannels(s.channels, ann, 'en', 'noticeboard');
    expect(previews).toEqual([{ channel: 'noticeboard', language: 'en', text: 'SCREEN lobby: Closed Monday' }]);
  });
});
