// Robot corrections against the fake robot servers: the webhooks return no message id and
// cannot edit or recall, so a correction is a notice, posted (and signed) exactly like a send;
// without a notice nothing is posted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookChannels } from '../../../channels/webhooks/channels.js';
import type { Announcement, Channel, CorrectionTask } from '../../../src/types.js';
import {
  startFakeDingtalk, startFakeFeishu, startFakeWecom, type DingtalkMarkdown, type FakeRobot, type FeishuInteractive, type WecomMarkdown,
} from '../../support/fake-chatbots.js';
import { fixture, testConfig } from '../../support/harness.js';

let wecom: FakeRobot<WecomMarkdown>;
let dingtalk: FakeRobot<DingtalkMarkdown>;
let feishu: FakeRobot<FeishuInteractive>;
let channels: Map<string, Channel>;

const ann = {
  ...fixture('holiday-hours'), priority: 'normal', id: 'a1', channels: [], status: 'done',
  createdAt: '2030-01-01T00:00:00Z', createdBy: 't', publishedAt: '2030-01-01T00:00:00Z', revision: 2,
} as unknown as Announcement;

beforeAll(async () => {
  wecom = await startFakeWecom(['k1']);
  dingtalk = await startFakeDingtalk({ t1: 'SECding' });
  feishu = await startFakeFeishu({ h1: 'fsecret' });
  const config = testConfig({
    library: { defaultLanguage: 'en' },
    channels: {
      webhooks: [
        { name: 'wc', kind: 'wecom', url: wecom.url('k1'), topics: ['*'] },
        { name: 'dt', kind: 'dingtalk', url: dingtalk.url('t1'), secret: 'SECding', topics: ['*'] },
        { name: 'fs', kind: 'feishu', url: feishu.url('h1'), secret: 'fsecret', topics: ['*'] },
        { name: 'fs-wrong', kind: 'feishu', url: feishu.url('h1'), secret: 'not-the-secret', topics: ['*'] },
      ],
    },
  });
  channels = new Map(createWebhookChannels(config.library, config.channels.webhooks).map((c) => [c.name, c]));
});
afterAll(async () => {
  await Promise.all([wecom.close(), dingtalk.close(), feishu.close()]);
});

const task = (over: Partial<CorrectionTask> = {}): CorrectionTask => ({
  kind: 'edit', ann, notice: { en: 'The closing time is 17:00, not 18:00.' }, sent: { externalId: null, sentAt: '2030-01-01T00:00:01Z', revision: 1 },
  recipient: { id: 'robot', address: 'x', language: 'en' }, delivery: { id: 'a1.r2.robot', attempt: 1 }, ...over,
});

describe.each([
  ['webhook:wc', 'WeCom', () => wecom.messages.map((m) => m.message.markdown?.content ?? '')],
  ['webhook:dt', 'DingTalk', () => dingtalk.messages.map((m) => `${m.message.markdown?.title}\n${m.message.markdown?.text}`)],
  ['webhook:fs', 'Feishu', () => feishu.messages.map((m) => JSON.stringify(m.message.card))],
] as const)('%s', (name, platform, texts) => {
  it('an edit posts the notice (signed where the robot signs), saying why', async () => {
    const before = texts().length;
    const out = await channels.get(name)!.correct!(task());
    expect(out).toMatchObject({ action: 'notice', note: `${platform} cannot edit or recall a robot's message; the notice was sent as a new message` });
    const posted = texts().slice(before);
    expect(posted).toHaveLength(1);
    expect(posted[0]).toContain('Correction: ');
    expect(posted[0]).toContain('The closing time is 17:00, not 18:00.');
    expect(posted[0]).toContain(ann.link!); // the corrected text
  });

  it('a retraction posts a Withdrawn notice', async () => {
    const before = texts().length;
    const out = await channels.get(name)!.correct!(task({ kind: 'retract', ann: { ...ann, retracted: true }, notice: { en: 'Posted in error.' } }));
    expect(out.action).toBe('notice');
    const posted = texts().slice(before);
    expect(posted[0]).toContain('Withdrawn: ');
    expect(posted[0]).not.toContain(ann.link!);
  });

  it('without a notice posts nothing', async () => {
    const before = texts().length;
    const out = await channels.get(name)!.correct!(task({ notice: undefined }));
    expect(out).toEqual({ action: 'none', note: `${platform} cannot edit or recall a robot's message; no notice was given, so readers were not told` });
    expect(texts()).toHaveLength(before);
  });
});

describe('signing', () => {
  it('the DingTalk notice carries timestamp and sign in the URL, checked by the fake', async () => {
    await channels.get('webhook:dt')!.correct!(task());
    const last = dingtalk.requests.at(-1)!;
    expect(last.query.timestamp).toMatch(/^\d{13}$/);
    expect(last.query.sign).toBeTruthy();
  });

  it('a Feishu notice signed with the wrong secret is refused as a send would be', async () => {
    await expect(channels.get('webhook:fs-wrong')!.correct!(task())).rejects.toMatchObject({ kind: 'permanent', message: expect.stringContaining('19021') });
    const last = feishu.requests.at(-1)!;
    expect(last.body).toMatchObject({ timestamp: expect.stringMatching(/^\d{10}$/), sign: expect.any(String) });
  });

  it('a throttled robot makes the notice retryable', async () => {
    dingtalk.script.push({ body: { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' } });
    await expect(channels.get('webhook:dt')!.correct!(task())).rejects.toMatchObject({ kind: 'retryable', retryAfterMs: 600_000 });
  });
});
