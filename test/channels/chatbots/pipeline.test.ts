// WeCom, DingTalk and Feishu end to end: producer → dispatch → the real delivery worker on
// real Redis → the fake robots over HTTP, which check signatures with their own code.
import { afterEach, describe, expect, it } from 'vitest';
import { createWebhookChannels } from '../../../channels/webhooks/channels.js';
import type { Services } from '../../../src/services.js';
import { startWorkers, type RunningWorkers } from '../../../workers/index.js';
import {
  decodeReferences, startFakeDingtalk, startFakeFeishu, startFakeWecom,
  type DingtalkMarkdown, type FakeRobot, type FeishuInteractive, type WecomMarkdown,
} from '../../support/fake-chatbots.js';
import { disposeServices, finalView, postFixture, testConfig, testServices } from '../../support/harness.js';

const DING_SECRET = 'SEC0123456789abcdef-ding';
const FEISHU_SECRET = 'feishu-secret-0123456789';

let wecom: FakeRobot<WecomMarkdown>;
let ding: FakeRobot<DingtalkMarkdown>;
let feishu: FakeRobot<FeishuInteractive>;
let s: Services;
let workers: RunningWorkers;

async function start(opts: { dingSecret?: string } = {}) {
  wecom = await startFakeWecom(['k1']);
  ding = await startFakeDingtalk({ t1: DING_SECRET });
  feishu = await startFakeFeishu({ h1: FEISHU_SECRET });
  s = testServices(testConfig({
    channels: {
      webhooks: [
        { name: 'eng-faculty', kind: 'wecom', url: wecom.url('k1'), topics: ['*'] },
        { name: 'grad-school', kind: 'dingtalk', url: ding.url('t1'), secret: opts.dingSecret ?? DING_SECRET, topics: ['*'] },
        { name: 'staff', kind: 'feishu', url: feishu.url('h1'), secret: FEISHU_SECRET, topics: ['*'] },
        { name: 'events-only', kind: 'wecom', url: wecom.url('k1'), topics: ['events'] },
      ],
    },
  }));
  for (const ch of createWebhookChannels(s.config.library, s.config.channels.webhooks)) s.channels.set(ch.name, ch);
  workers = await startWorkers(s);
}

const post = (name: string) => postFixture(s, name);

const final = (id: string) => finalView(s, id, 25_000);

afterEach(async () => {
  await workers?.close();
  if (s) await disposeServices(s);
  await Promise.all([wecom?.close(), ding?.close(), feishu?.close()]);
});

describe('campus chat robots through the delivery worker', () => {
  it('posts holiday-hours once to each robot, signed, in both languages, and ends done', async () => {
    await start();
    const { id } = await post('holiday-hours');
    const view = await final(id);
    expect(view.status).toBe('done');
    for (const ch of ['webhook:eng-faculty', 'webhook:grad-school', 'webhook:staff']) {
      expect(view.deliveries[ch]).toMatchObject({ total: 1, sent: 1, failed: 0 });
      expect(await s.deliveries.get(id, ch, 'robot')).toMatchObject({ status: 'sent', attempts: 1, error: null });
    }
    // The robot subscribed to "events" only gets nothing about opening hours.
    expect(view.deliveries['webhook:events-only']?.total ?? 0).toBe(0);

    expect(wecom.messages).toHaveLength(1);
    const content = wecom.messages[0].message.markdown!.content!;
    expect(content).toContain('## 国庆假期图书馆开放时间调整');
    expect(content).toContain('## Opening hours during the National Day holiday');
    expect(content.indexOf('总馆')).toBeLessThan(content.indexOf('Central Library'));

    expect(ding.messages).toHaveLength(1);
    expect(ding.requests).toHaveLength(1); // the fake verified its signature: no 310000
    expect(ding.requests[0].query.timestamp).toMatch(/^\d{13}$/);
    const text = ding.messages[0].message.markdown!.text!;
    expect(text).toContain('**10月1日至7日**，总馆开放时间调整为 **09:00–17:00**。');
    expect(text).toContain('From **1 to 7 October** the Central Library opens **09:00–17:00**.');

    expect(feishu.messages).toHaveLength(1);
    const sent = feishu.messages[0].message;
    expect(sent.timestamp).toMatch(/^\d{10}$/);
    expect(sent.card!.header!.title!.content).toBe('国庆假期图书馆开放时间调整 / Opening hours during the National Day holiday');
    const blocks = sent.card!.elements!.flatMap((e) => (e.text ? [e.text.content] : []));
    expect(blocks[0]).toContain('一楼24小时自习室照常开放。');
    expect(blocks[1]).toContain('The 24-hour study room on the ground floor stays open as usual.');
  });

  it('fails a DingTalk robot with the wrong secret once, with the platform reason, and ends done_with_failures', async () => {
    await start({ dingSecret: 'SECnot-the-right-one' });
    const { id } = await post('holiday-hours');
    const view = await final(id);
    expect(view.status).toBe('done_with_failures');
    expect(view.deliveries['webhook:grad-school']).toMatchObject({ total: 1, sent: 0, failed: 1 });
    const rec = await s.deliveries.get(id, 'webhook:grad-school', 'robot');
    expect(rec).toMatchObject({ status: 'failed', attempts: 1 });
    expect(rec!.error).toMatch(/^DingTalk errcode 310000: description:机器人发送签名不匹配/);
    expect(ding.requests).toHaveLength(1); // permanent: never retried
    expect(ding.messages).toHaveLength(0);
    expect(wecom.messages).toHaveLength(1);
    expect(feishu.messages).toHaveLength(1);
  });

  it('retries WeCom after 45009 (frequency limit): exactly one message, two attempts', async () => {
    await start();
    wecom.script.push({ body: { errcode: 45009, errmsg: 'api freq out of limit, hint: [1], from ip: 127.0.0.1' } });
    const { id } = await post('holiday-hours');
    const view = await final(id);
    expect(view.status).toBe('done');
    expect(wecom.requests).toHaveLength(2);
    expect(wecom.messages).toHaveLength(1);
    expect(await s.deliveries.get(id, 'webhook:eng-faculty', 'robot')).toMatchObject({ status: 'sent', attempts: 2, error: null });
  });

  it('fits long-notice into 4096 bytes on WeCom, ending with the link, and within the others limits', async () => {
    await start();
    const { id } = await post('long-notice');
    expect((await final(id)).status).toBe('done');
    const content = wecom.messages[0].message.markdown!.content!;
    expect(Buffer.byteLength(content, 'utf8')).toBeLessThanOrEqual(4096);
    expect(content.endsWith('详情 / Details: [https://library.example.edu/news/stacks](https://library.example.edu/news/stacks)')).toBe(true);
    // Both languages keep their start; each cut one ends with an ellipsis.
    expect(content).toMatch(/^## 三至五楼书库调整：读者须知\n\n为使相关学科图书集中排架/);
    expect(content).toContain('\n\n————————————————————\n\n## Stack reorganisation on floors 3-5: what changes for you\n\nThe library is reorganising');
    expect(decodeReferences(content)).toContain("use the catalogue's location field");
    expect(content.match(/…\n\n/g)).toHaveLength(2);
    expect(ding.messages[0].message.markdown!.text!.length).toBeLessThanOrEqual(5000);
    expect(Buffer.byteLength(feishu.requests[0].raw, 'utf8')).toBeLessThanOrEqual(20_000);
  });
});
