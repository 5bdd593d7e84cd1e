// The robots' wire protocols against the fake servers: signatures (with known-answer vectors
// computed by Python's hmac, independently of this code), business error codes read from
// HTTP 200 answers, and the channel surface (recipients, limits, check without sending).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, type HttpResult } from '../../../src/platform-http.js';
import { classifyDingtalk, dingtalkSign, DINGTALK_THROTTLE_MS, renderDingtalk, sendDingtalk, signedDingtalkUrl } from '../../../channels/webhooks/dingtalk.js';
import { classifyFeishu, feishuBody, feishuSign, renderFeishu, sendFeishu } from '../../../channels/webhooks/feishu.js';
import { createWebhookChannels } from '../../../channels/webhooks/channels.js';
import { classifyWecom, renderWecom, sendWecom } from '../../../channels/webhooks/wecom.js';
import { ChannelError, type Announcement } from '../../../src/types.js';
import { startFakeDingtalk, startFakeFeishu, startFakeWecom, type FakeRobot, type DingtalkMarkdown, type FeishuInteractive, type WecomMarkdown } from '../../support/fake-chatbots.js';
import { fixture, testConfig } from '../../support/harness.js';

const ann = { ...fixture('holiday-hours'), priority: 'normal', id: 'a1', publishedAt: '2030-01-01T00:00:00Z' } as unknown as Announcement;
const answer = (text: string, status = 200, headers: Record<string, string> = {}): HttpResult => ({ status, headers: new Headers(headers), text });

async function failure(p: Promise<unknown>): Promise<ChannelError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ChannelError);
  return err as ChannelError;
}

describe('signatures, known answers', () => {
  it('DingTalk: Base64(HMAC-SHA256(secret, "<ms>\\n<secret>")), URL-encoded in the query', () => {
    expect(dingtalkSign('SECtest-secret', 1700000000000)).toBe('LC7hxZ4wslL+P7j7gu1hoQ+wzByekL+yWgiUMekZs0g=');
    expect(signedDingtalkUrl('https://oapi.dingtalk.com/robot/send?access_token=t1', 'SECtest-secret', 1700000000000)).toBe(
      'https://oapi.dingtalk.com/robot/send?access_token=t1&timestamp=1700000000000&sign=LC7hxZ4wslL%2BP7j7gu1hoQ%2BwzByekL%2ByWgiUMekZs0g%3D',
    );
    expect(signedDingtalkUrl('https://x.test/robot/send?access_token=t1', undefined)).toBe('https://x.test/robot/send?access_token=t1');
  });

  it('Feishu: Base64(HMAC-SHA256(key "<s>\\n<secret>", empty message)), seconds, in the body', () => {
    expect(feishuSign('fsecret', '1700000000')).toBe('HLzt7YDW5Xjz5Mh4RVOd0NRODMm01O79OcTFVCyWBbQ=');
    const body = feishuBody(renderFeishu(ann, ['en']), 'fsecret', 1700000000999);
    expect(body).toMatchObject({ timestamp: '1700000000', sign: 'HLzt7YDW5Xjz5Mh4RVOd0NRODMm01O79OcTFVCyWBbQ=', msg_type: 'interactive' });
    expect(feishuBody(renderFeishu(ann, ['en']), undefined)).not.toHaveProperty('sign');
  });
});

describe('business codes in HTTP 200 answers', () => {
  it.each([
    ['{"errcode":0,"errmsg":"ok"}', null],
    ['{"errcode":45009,"errmsg":"api freq out of limit"}', 'retryable'],
    ['{"errcode":-1,"errmsg":"system busy"}', 'retryable'],
    ['{"errcode":93000,"errmsg":"invalid webhook url"}', 'permanent'],
    ['{"errcode":40058,"errmsg":"markdown.content exceed max length 4096"}', 'permanent'],
    ['{"errcode":40008,"errmsg":"invalid message type"}', 'permanent'],
    ['{"errcode":93004,"errmsg":"robot disabled"}', 'permanent'],
    ['<html>gateway</html>', 'permanent'],
  ])('WeCom %s → %s', (text, kind) => {
    const err = classifyWecom(answer(text));
    expect(err?.kind ?? null).toBe(kind);
    if (err && text.startsWith('{')) expect(err.message).toMatch(/^WeCom errcode -?\d+: /);
  });

  it.each([
    ['{"errcode":0,"errmsg":"ok"}', null],
    ['{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}', 'retryable'],
    ['{"errcode":-1,"errmsg":"系统繁忙"}', 'retryable'],
    ['{"errcode":310000,"errmsg":"sign not match"}', 'permanent'],
    ['{"errcode":300001,"errmsg":"token is not exist"}', 'permanent'],
    ['{"errcode":400102,"errmsg":"机器人已停用"}', 'permanent'],
  ])('DingTalk %s → %s', (text, kind) => {
    expect(classifyDingtalk(answer(text))?.kind ?? null).toBe(kind);
  });

  it('DingTalk throttling waits out its 10 minutes', () => {
    expect(classifyDingtalk(answer('{"errcode":130101,"errmsg":"send too fast"}'))?.retryAfterMs).toBe(DINGTALK_THROTTLE_MS);
  });

  it.each([
    ['{"StatusCode":0,"StatusMessage":"success","code":0,"data":{},"msg":"success"}', null],
    ['{"StatusCode":0,"StatusMessage":"success"}', null],
    ['{"code":11232,"data":{},"msg":"frequency limited"}', 'retryable'],
    ['{"code":19021,"data":{},"msg":"sign match fail or timestamp is not within one hour from current time"}', 'permanent'],
    ['{"code":19022,"msg":"Ip Not Allowed"}', 'permanent'],
    ['{"code":19024,"msg":"Key Words Not Found"}', 'permanent'],
    ['{"code":9499,"msg":"Bad Request","data":{}}', 'permanent'],
    ['{"StatusCode":19021,"StatusMessage":"sign match fail"}', 'permanent'],
  ])('Feishu %s → %s', (text, kind) => {
    expect(classifyFeishu(answer(text))?.kind ?? null).toBe(kind);
  });

  it('treats HTTP 429 and 5xx as retryable with the retry-after, on every robot', () => {
    for (const classify of [classifyWecom, classifyDingtalk, classifyFeishu]) {
      const err = classify(answer('busy', 429, { 'retry-after': '7' }));
      expect(err).toMatchObject({ kind: 'retryable', retryAfterMs: 7000 });
      expect(classify(answer('<html>502</html>', 502))?.kind).toBe('retryable');
      expect(classify(answer('not found', 404))?.kind).toBe('permanent');
    }
  });
});

describe('against the fake robots', () => {
  let wecom: FakeRobot<WecomMarkdown>;
  let ding: FakeRobot<DingtalkMarkdown>;
  let feishu: FakeRobot<FeishuInteractive>;
  beforeAll(async () => {
    wecom = await startFakeWecom(['k1']);
    ding = await startFakeDingtalk({ t1: 'SECright', open: '' });
    feishu = await startFakeFeishu({ h1: 'fright' });
  });
  afterAll(async () => {
    await Promise.all([wecom.close(), ding.close(), feishu.close()]);
  });

  it('WeCom: accepts, refuses an unknown key and an oversized content, reports rate limits', async () => {
    await sendWecom(renderWecom(ann, ['zh', 'en']), wecom.url('k1'));
    expect(wecom.messages.at(-1)?.message.markdown?.content).toContain('## 国庆假期图书馆开放时间调整');
    expect(await failure(sendWecom(renderWecom(ann, ['en']), wecom.url('nope')))).toMatchObject({ kind: 'permanent', message: expect.stringMatching(/^WeCom errcode 93000: invalid webhook url/) });
    const huge = { msgtype: 'markdown' as const, markdown: { content: '书'.repeat(1366) } }; // 4098 bytes
    expect(await failure(sendWecom(huge, wecom.url('k1')))).toMatchObject({ kind: 'permanent', message: expect.stringContaining('40058') });
    wecom.script.push({ body: { errcode: 45009, errmsg: 'api freq out of limit' } }, { status: 502, body: { error: 'bad gateway' } });
    expect((await failure(sendWecom(renderWecom(ann, ['en']), wecom.url('k1')))).kind).toBe('retryable');
    expect((await failure(sendWecom(renderWecom(ann, ['en']), wecom.url('k1')))).kind).toBe('retryable');
  });

  it('DingTalk: signs with the right secret; a wrong or missing secret, or a stale timestamp, is 310000', async () => {
    await sendDingtalk(renderDingtalk(ann, ['zh', 'en']), ding.url('t1'), 'SECright');
    const sent = ding.requests.at(-1)!;
    expect(Math.abs(Number(sent.query.timestamp) - Date.now())).toBeLessThan(60_000); // milliseconds
    expect(ding.messages.at(-1)?.message.markdown?.title).toBe('国庆假期图书馆开放时间调整 / Opening hours during the National Day holiday');

    for (const secret of ['SECwrong', undefined]) {
      const err = await failure(sendDingtalk(renderDingtalk(ann, ['en']), ding.url('t1'), secret));
      expect(err).toMatchObject({ kind: 'permanent', message: expect.stringMatching(/^DingTalk errcode 310000: description:机器人发送签名不匹配/) });
    }
    const stale = await postJson(signedDingtalkUrl(ding.url('t1'), 'SECright', Date.now() - 2 * 3_600_000), renderDingtalk(ann, ['en']));
    expect(classifyDingtalk(stale)?.message).toMatch(/310000: description:机器人发送签名过期/);

    expect((await failure(sendDingtalk(renderDingtalk(ann, ['en']), ding.url('gone')))).message).toBe('DingTalk errcode 300001: token is not exist');
    await sendDingtalk(renderDingtalk(ann, ['en']), ding.url('open')); // a robot without 加签 needs no signature
  });

  it('DingTalk: the 21st message in a minute is throttled and retried later', async () => {
    const msg = renderDingtalk(ann, ['en']);
    ding.script.push({ body: { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' } });
    expect(await failure(sendDingtalk(msg, ding.url('open')))).toMatchObject({ kind: 'retryable', retryAfterMs: DINGTALK_THROTTLE_MS });
  });

  it('Feishu: signs in seconds; a wrong secret or a millisecond timestamp is 19021; 11232 is retried', async () => {
    await sendFeishu(renderFeishu(ann, ['zh', 'en']), feishu.url('h1'), 'fright');
    const body = feishu.requests.at(-1)!.body!;
    expect(body.timestamp).toMatch(/^\d{10}$/);
    expect(feishu.messages.at(-1)?.message.card?.header?.title?.content).toContain('Opening hours');

    const wrong = await failure(sendFeishu(renderFeishu(ann, ['en']), feishu.url('h1'), 'fwrong'));
    expect(wrong).toMatchObject({ kind: 'permanent', message: 'Feishu code 19021: sign match fail or timestamp is not within one hour from current time' });
    const ms = String(Date.now());
    const res = await postJson(feishu.url('h1'), { ...renderFeishu(ann, ['en']), timestamp: ms, sign: feishuSign('fright', ms) });
    expect(classifyFeishu(res)?.message).toMatch(/^Feishu code 19021/);

    feishu.script.push({ body: { code: 11232, data: {}, msg: 'frequency limited psm[lark.oapi.app_platform_runtime]appID[1]' } });
    expect((await failure(sendFeishu(renderFeishu(ann, ['en']), feishu.url('h1'), 'fright'))).kind).toBe('retryable');
    expect((await failure(sendFeishu(renderFeishu(ann, ['en']), feishu.url('nope'), 'fright'))).message).toMatch(/^Feishu code 19001/);
  });

  it('builds one channel per webhook, one recipient by topic, and checks without sending', async () => {
    const config = testConfig({
      library: { defaultLanguage: 'both' },
      channels: {
        webhooks: [
          { name: 'eng', kind: 'wecom', url: wecom.url('k1'), topics: ['*'] },
          { name: 'grad', kind: 'dingtalk', url: ding.url('t1'), secret: 'SECright', topics: ['events'], language: 'en' },
          { name: 'staff', kind: 'feishu', url: feishu.url('h1'), secret: 'fright', topics: ['hours'] },
          { name: 'off', kind: 'feishu', url: feishu.url('h1'), enabled: false },
          { name: 'site', kind: 'json', url: 'http://127.0.0.1:9/hook' },
        ],
      },
    });
    const channels = createWebhookChannels(config.library, config.channels.webhooks);
    expect(channels.map((c) => c.name)).toEqual(['webhook:eng', 'webhook:grad', 'webhook:staff', 'webhook:site']);
    const [eng, grad, staff] = channels;
    // As documented per robot: WeCom and DingTalk 20 a minute, Feishu 100 a minute and 5 a second.
    for (const c of [eng, grad]) expect(c.limits).toEqual({ targetRates: [{ max: 20, perMs: 60_000 }], batchSize: 1, concurrency: 1 });
    expect(staff.limits).toEqual({ targetRates: [{ max: 100, perMs: 60_000 }, { max: 5, perMs: 1000 }], batchSize: 1, concurrency: 1 });

    expect(await eng.recipientPage(ann, null)).toEqual({ recipients: [{ id: 'robot', address: new URL(wecom.base).host, language: 'both' }], next: null });
    expect(await eng.recipientPage(ann, 'x')).toEqual({ recipients: [], next: null });
    expect((await grad.recipientPage(ann, null)).recipients).toEqual([]); // holiday-hours is about "hours"
    const events = { ...ann, topics: ['events'] };
    const [r] = (await grad.recipientPage(events, null)).recipients;
    expect(r.language).toBe('en');
    expect((grad.render(events, r) as { markdown: { text: string } }).markdown.text).not.toContain('总馆');
    expect((await staff.recipientPage(ann, null)).recipients).toHaveLength(1);

    const before = wecom.requests.length + ding.requests.length + feishu.requests.length;
    for (const [c, fake] of [[eng, wecom], [grad, ding], [staff, feishu]] as const) {
      expect(await c.check!()).toBe(`not checked without sending (no auth endpoint); URL host ${new URL(fake.base).host}`);
    }
    expect(wecom.requests.length + ding.requests.length + feishu.requests.length).toBe(before);

    const preview = eng.preview(eng.render(ann, { id: 'robot', address: 'x', language: 'both' }));
    expect(preview).toMatch(/^POST 127\.0\.0\.1:\d+ \(kind wecom\)\n\n## 国庆假期/);
    expect(preview).not.toContain('k1'); // the key is the robot's secret
  });
});
