// Rendering once per revision must never show one announcement's text for another: previews
// (always id "preview") are rendered afresh, a stored announcement again when its revision moves.
import { describe, expect, it } from 'vitest';
import { createChannels } from '../../src/channel-builder.js';
import type { ChannelDeps } from '../../src/channel-module.js';
import { previewAnnouncement, previewChannels } from '../../src/render/channel-preview.js';
import { RenderMemo } from '../../src/render/memo.js';
import type { Announcement, Lang } from '../../src/types.js';
import { testConfig } from '../support/harness.js';

const config = testConfig({ channels: { email: { enabled: true, outbox: '/tmp/crier-memo-unused' }, telegram: { enabled: true, token: 'x' } } });
const channels = createChannels(config, { emailExtras: {} } as unknown as ChannelDeps);
const preview = (body: string) =>
  previewChannels(channels, previewAnnouncement(config, { title: { en: 'Hours' }, body: { en: body }, topics: ['hours'], priority: 'normal' }), 'en');

describe('render memo', () => {
  it('shows each preview its own text, on every channel that memoises', () => {
    expect(preview('Open until 22:00 on Thursday.').map((p) => p.text).join('\n')).toContain('Thursday');
    const second = preview('Open until 20:00 on Friday.');
    for (const p of second) {
      expect(p.text, p.channel).toContain('Friday');
      expect(p.text, p.channel).not.toContain('Thursday');
    }
    expect(second.map((p) => p.channel).sort()).toEqual(['email', 'telegram']);
  });

  it('renders a stored announcement once per revision and language', () => {
    let renders = 0;
    const memo = new RenderMemo((ann: Announcement, langs: readonly Lang[]) => `${renders++}:${ann.body.en}:${langs.join()}`);
    const ann = { id: 'a1', version: 0, body: { en: 'old' } } as unknown as Announcement;
    expect(memo.get(ann, ['en'])).toBe('0:old:en');
    expect(memo.get({ ...ann }, ['en'])).toBe('0:old:en');
    expect(memo.get(ann, ['zh', 'en'])).toBe('1:old:zh,en');
    expect(memo.get({ ...ann, version: 1, body: { en: 'new' } }, ['en'])).toBe('2:new:en');
  });
});
