// Slack end to end: producer → dispatch → the real delivery worker → a local Slack Web API over
// HTTP, on real Redis. Retries, Retry-After and permanent failures go through the worker.
import { ctxFor } from '../../support/channel-context.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackChannel } from '../../../channels/slack/channel.js';
import { validateAnnouncement } from '../../../src/announcement/schema.js';
import type { Services } from '../../../src/services.js';
import { startWorkers, type RunningWorkers } from '../../../workers/index.js';
import { disposeServices, finalView, fixture, testConfig, testServices } from '../../support/harness.js';
import { slackReply, startFakeSlack, type FakeSlack } from '../../support/fake-slack.js';

let fake: FakeSlack;
let s: Services;
let workers: RunningWorkers;

async function start(targets: Array<Record<string, unknown>>): Promise<void> {
  s = testServices(testConfig({ channels: { slack: { enabled: true, token: fake.token, apiUrl: fake.apiUrl, targets } } }));
  const ch = createSlackChannel(ctxFor(s.config, 'slack', { redis: s.redis, keys: s.keys, subscribers: s.subscribers, log: s.log }));
  s.channels.set(ch.name, ch);
  workers = await startWorkers(s);
}

async function post(name: string, edit: (a: { title: Record<string, string>; body: Record<string, string> }) => void = () => {}) {
  const input = fixture(name);
  edit(input as Parameters<typeof edit>[0]);
  const v = validateAnnouncement(s.producer.schema, input);
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return s.producer.create(v.value, { createdBy: 'test' });
}

const finished = (id: string) => finalView(s, id);

/** Every text a Slack client would show or parse: the fallback and each block's text. */
function texts(msg: { text?: string; blocks?: Array<Record<string, unknown>> }): string[] {
  const out = [msg.text ?? ''];
  for (const b of msg.blocks ?? []) {
    const t = b.text as { text: string } | undefined;
    if (t) out.push(t.text);
    for (const e of (b.elements as Array<{ text: string }> | undefined) ?? []) out.push(e.text);
  }
  return out;
}

beforeEach(async () => {
  fake = await startFakeSlack();
  for (const id of ['C0HOURS', 'C0OTHER', 'C0FLAKY', 'C0SERVICES']) fake.addChannel(id);
});

afterEach(async () => {
  await workers?.close();
  if (s) await disposeServices(s);
  await fake.close();
});

describe('Slack delivery', () => {
  it('posts one bilingual message, Chinese first, to each matching channel', async () => {
    await start([{ channel: 'C0HOURS', topics: ['hours'] }, { channel: 'C0OTHER', topics: ['training'] }]);
    const { id } = await post('holiday-hours');
    const view = await finished(id);
    expect(view.status).toBe('done');
    expect(view.deliveries.slack).toMatchObject({ total: 1, sent: 1, failed: 0 });

    expect(fake.messages('C0OTHER')).toHaveLength(0);
    const msgs = fake.messages('C0HOURS');
    expect(msgs).toHaveLength(1);
    const [title, ...rest] = msgs[0].blocks!;
    expect(title).toEqual({ type: 'header', text: { type: 'plain_text', text: '国庆假期图书馆开放时间调整' } });
    const all = texts(msgs[0]).join('\n');
    expect(all.indexOf('总馆开放时间调整为')).toBeLessThan(all.indexOf('Central Library opens'));
    expect(rest.some((b) => b.type === 'divider')).toBe(true);
    expect(all).toContain('<https://library.example.edu/news/national-day-hours|查看详情 / Read more>');
    expect(msgs[0].text).toMatch(/^国庆假期图书馆开放时间调整\n\n[\s\S]*Opening hours during the National Day holiday/);

    const rec = await s.deliveries.get(id, 'slack', 'C0HOURS');
    expect(rec).toMatchObject({ status: 'sent', attempts: 1, error: null, externalId: `C0HOURS/${msgs[0].ts}` });
  });

  it('retries 429 (Retry-After) and 500, then posts exactly once', async () => {
    await start([{ channel: 'C0FLAKY', topics: ['*'] }]);
    fake.script('C0FLAKY', slackReply.rateLimited(1), slackReply.serverError(500));
    const { id } = await post('holiday-hours');
    const view = await finished(id);
    expect(view.status).toBe('done');

    expect(fake.callsTo('C0FLAKY').map((c) => c.status)).toEqual([429, 500, 200]);
    expect(fake.messages('C0FLAKY')).toHaveLength(1);
    expect(await s.deliveries.get(id, 'slack', 'C0FLAKY')).toMatchObject({ status: 'sent', attempts: 3, error: null });
  });

  it('fails channel_not_found once, with the reason, and finishes with failures', async () => {
    await start([{ channel: 'C0HOURS', topics: ['*'] }, { channel: 'C0GONE', topics: ['*'] }]);
    const { id } = await post('holiday-hours');
    const view = await finished(id);
    expect(view.status).toBe('done_with_failures');
    expect(view.deliveries.slack).toMatchObject({ total: 2, sent: 1, failed: 1 });

    const rec = await s.deliveries.get(id, 'slack', 'C0GONE');
    expect(rec).toMatchObject({ status: 'failed', attempts: 1 });
    expect(rec!.error).toMatch(/^channel_not_found: /);
    // The failed record is final and its job completed: nothing tries again.
    expect(fake.messages('C0HOURS')).toHaveLength(1);
    expect(fake.callsTo('C0GONE')).toHaveLength(1);
    expect(fake.callsTo('C0GONE')[0].error).toBe('channel_not_found');
  });

  it('sends hostile markup as inert text', async () => {
    await start([{ channel: 'C0SERVICES', topics: ['services'] }]);
    // Slack's own control sequences typed by a librarian, on top of the fixture's HTML and script.
    const { id } = await post('hostile-markup', (a) => {
      a.body.en += '\n\n<!channel> <!here> <@U0123> <#C0123|general> [ping](<!everyone>) [me](<@U0123>)';
      a.title.zh += ' <!channel>';
    });
    expect((await finished(id)).status).toBe('done');

    const [call] = fake.callsTo('C0SERVICES');
    const [msg] = fake.messages('C0SERVICES');
    // The raw form body carries the same texts, URL-encoded; decode and check what Slack parses.
    const params = new URLSearchParams(call.raw);
    expect(params.get('blocks')).toBe(JSON.stringify(msg.blocks));
    for (const text of texts(msg)) {
      for (const seq of text.match(/<[^>]*>?/g) ?? []) expect(seq).toBe('<https://library.example.edu/print|a safe link>');
      expect(text).not.toMatch(/<\s*script/i);
      expect(text).not.toMatch(/<[!@#]/);
      expect(text).not.toMatch(/<javascript:/i);
    }
    const all = texts(msg).join('\n');
    expect(all).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(all).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(all).toContain('<https://library.example.edu/print|a safe link>');
    expect(all).toContain('&lt;!channel&gt; &lt;!here&gt; &lt;@U0123&gt; &lt;#C0123|general&gt;');
    expect(msg.blocks![0]).toMatchObject({ type: 'header', text: { text: expect.stringMatching(/ &lt;!channel&gt;$/) } });
  });
});
