// Output is inert everywhere: the hostile fixture (markup, script, javascript: links) and a
// variant with typed platform syntax (Slack's <!channel> and masked links, mentions, @all,
// Feishu's <at>, a CR/LF in the title) rendered by EVERY channel, the RSS feed, /news, the
// desk's preview and the delivery CSV. One table: row → the outgoing payload text(s) and the
// checks for that kind of output. A channel module in channels/index.ts without a row fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { CHANNELS } from '../../channels/index.js';
import { buildApp } from '../../src/http/app.js';
import type { Services } from '../../src/services.js';
import type { Announcement, Channel, Recipient } from '../../src/types.js';
import { startWorkers, type RunningWorkers } from '../../workers/index.js';
import { injectSignIn } from '../admin/support.js';
import { ADMIN_TOKEN, disposeServices, finalView, fixture, postFixture, testConfig, testServices } from '../support/harness.js';
import type { FastifyInstance } from 'fastify';

const HOOKS = [
  { name: 'robot-wecom', kind: 'wecom', url: 'http://127.0.0.1:9/wecom', topics: ['*'] },
  { name: 'robot-dingtalk', kind: 'dingtalk', url: 'http://127.0.0.1:9/ding', topics: ['*'] },
  { name: 'robot-feishu', kind: 'feishu', url: 'http://127.0.0.1:9/feishu', topics: ['*'] },
  { name: 'json-hook', kind: 'json', url: 'http://127.0.0.1:9/json', secret: 'json-secret-0123456789', topics: ['*'] },
] as const;

/** Typed text that means something to a platform: must arrive as text. */
const TYPED = '@someone@mastodon.social <!channel> <!here> <!everyone> <@U024BE7LH> <#C024BE7LH> <http://evil.example|click me> @all <@all> <at user_id="all">all</at> @someone@mastodon.social <a href="javascript:alert(1)">x</a> <svg onload=alert(1)>';
const hostile = fixture('hostile-markup') as { title: Record<string, string>; body: Record<string, string>; topics: string[] };
const injected = {
  ...hostile,
  title: { en: `${hostile.title.en}\r\nBcc: victim@example.edu`, zh: `${hostile.title.zh}\n<!channel> @all` },
  body: { en: `${hostile.body.en}\n\n${TYPED}`, zh: `${hostile.body.zh}\n\n${TYPED}` },
};

function asAnn(input: typeof hostile, id: string): Announcement {
  return { ...input, id, priority: 'normal', channels: [], status: 'queued', createdAt: '2026-01-01T00:00:00.000Z', createdBy: 't', publishedAt: '2026-01-01T00:00:00.000Z' } as unknown as Announcement;
}

/** Every string in a value (a rendered message), depth first. */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => strings(x, out));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => strings(x, out));
  return out;
}

// ---- the checks, one per kind of output ------------------------------------------------------

/** HTML a browser or mail client renders: no script, no event handler, no javascript: URL, no frame. */
function inertHtml(html: string): string[] {
  const bad: string[] = [];
  if (/<script\b/i.test(html)) bad.push('<script>');
  if (/<(iframe|object|embed|svg|img)\b[^>]*\son\w+\s*=|<[a-z][^>]*\son[a-z]+\s*=/i.test(html)) bad.push('on*= attribute');
  if (/<(iframe|object|embed|frame)\b/i.test(html)) bad.push('frame/object');
  for (const tag of html.matchAll(/<[a-zA-Z][^>]*>/g)) {
    if (/\b(href|src|action|formaction)\s*=\s*["']?\s*(javascript|vbscript|data:text\/html)/i.test(tag[0])) bad.push('javascript: URL');
  }
  return bad;
}

const TELEGRAM_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler', 'a', 'code', 'pre', 'blockquote', 'tg-emoji']);
/** Telegram's HTML parse mode: only its tags, links only http(s)/tg. */
function telegramHtml(text: string): string[] {
  const bad: string[] = [];
  for (const m of text.matchAll(/<\/?([a-zA-Z][\w-]*)([^>]*)>/g)) {
    if (!TELEGRAM_TAGS.has(m[1].toLowerCase())) bad.push(`tag <${m[1]}>`);
    const href = /href\s*=\s*"([^"]*)"/.exec(m[2])?.[1];
    if (href !== undefined && !/^(https?:|tg:|mailto:)/i.test(href)) bad.push(`link ${href}`);
  }
  return bad;
}

/** Slack mrkdwn: no broadcast, no mention, no masked link made from typed text. */
function slackText(text: string): string[] {
  const bad: string[] = [];
  if (/<!(channel|here|everyone)\b/.test(text)) bad.push('broadcast mention');
  if (/<[@#][UWC][A-Z0-9]+/.test(text)) bad.push('user/channel mention');
  for (const m of text.matchAll(/<((?:https?|javascript|mailto):[^|>]*)\|([^>]*)>/gi)) {
    // The author's own Markdown link becomes a masked link: allowed; so is a link labelled with
    // its own address (an autolinked e-mail). Any other label hides a URL made from typed text.
    const shown = m[1].replace(/^mailto:/i, '');
    if (m[1] !== 'https://library.example.edu/print' && m[2] !== shown) bad.push(`masked link ${m[1]}`);
  }
  if (/javascript:/i.test(text.replace(/&[a-z]+;/g, '')) && /<javascript:/i.test(text)) bad.push('javascript: link');
  return bad;
}

/** WeCom / DingTalk robots: no @all, no mention lists, no <@…> mention syntax. */
function robotMentions(msg: unknown): string[] {
  const bad: string[] = [];
  const m = msg as Record<string, unknown>;
  const body = (m.markdown ?? m.text ?? {}) as Record<string, unknown>;
  for (const k of ['mentioned_list', 'mentioned_mobile_list']) if (Array.isArray(body[k]) && (body[k] as unknown[]).length) bad.push(k);
  const at = m.at as { isAtAll?: boolean; atMobiles?: unknown[]; atUserIds?: unknown[] } | undefined;
  if (at?.isAtAll) bad.push('isAtAll');
  if (at?.atMobiles?.length) bad.push('atMobiles');
  if (at?.atUserIds?.length) bad.push('atUserIds');
  for (const s of strings(msg)) if (/<@[^>]*>/.test(s)) bad.push('<@…> mention');
  return bad;
}

/** Feishu cards: no <at …> element from typed text. */
function feishuAt(msg: unknown): string[] {
  return strings(msg).some((s) => /<at\b[^>]*>/i.test(s)) ? ['<at> mention'] : [];
}

/** A header line: no CR or LF (a title with one would start a new header). */
function oneLine(name: string, v: string): string[] {
  return /[\r\n]/.test(v) ? [`CR/LF in ${name}`] : [];
}

/** A CSV cell a spreadsheet would run as a formula. */
function csvCells(csv: string): string[] {
  const bad: string[] = [];
  for (const line of csv.split(/\r\n/).slice(1)) {
    for (const raw of line.match(/("([^"]|"")*"|[^,]*)(,|$)/g) ?? []) {
      const cell = raw.replace(/,$/, '').replace(/^"(.*)"$/s, '$1').replace(/""/g, '"');
      if (/^[=+\-@\t\r]/.test(cell)) bad.push(`formula cell ${JSON.stringify(cell.slice(0, 40))}`);
    }
  }
  return bad;
}

/** Mastodon: plain text, where a typed @user or @user@instance would notify that account. */
function mastodonStatus(status: string): string[] {
  return /(^|[^\w@/])@[a-z0-9_]/i.test(status) ? ['live @mention'] : [];
}

// ---- the table ------------------------------------------------------------------------------

type Row = (ch: Channel, ann: Announcement) => string[];
const recipient: Recipient = { id: 'r1', address: 'reader@example.edu', language: 'both', subscriberId: 's1' };

/** Module key → (for webhooks, kind →) what its channel sends, checked. Every module needs a row. */
const TABLE: Record<string, Row | Record<string, Row>> = {
  email: (ch, ann) => {
    const m = ch.render(ann, recipient) as { subject: string; html: string; text: string; headers?: Record<string, string> };
    return [...oneLine('Subject', m.subject), ...Object.entries(m.headers ?? {}).flatMap(([k, v]) => oneLine(k, v)), ...inertHtml(m.html)];
  },
  rss: (ch, ann) => {
    const m = ch.render(ann, { id: 'feed', address: 'rss', language: 'both' }) as { item: { title: string; html: string } };
    return inertHtml(m.item.html);
  },
  slack: (ch, ann) => strings(ch.render(ann, { id: 'c', address: 'C123', language: 'both' })).flatMap(slackText),
  telegram: (ch, ann) => {
    const m = ch.render(ann, { id: 't', address: '@library', language: 'both' }) as { parts: unknown[] };
    return m.parts.flatMap((p) => strings(p)).flatMap(telegramHtml);
  },
  mastodon: (ch, ann) => mastodonStatus((ch.render(ann, { id: 'm', address: 'public', language: 'both' }) as { status: string }).status),
  webhooks: {
    wecom: (ch, ann) => robotMentions(ch.render(ann, { id: 'w', address: 'hook', language: 'both' })),
    dingtalk: (ch, ann) => robotMentions(ch.render(ann, { id: 'w', address: 'hook', language: 'both' })),
    feishu: (ch, ann) => feishuAt(ch.render(ann, { id: 'w', address: 'hook', language: 'both' })),
    json: (ch, ann) => {
      const body = (ch.render(ann, { id: 'w', address: 'hook', language: 'both' }) as { body: string }).body;
      const payload = JSON.parse(body) as { announcement?: { html?: unknown }; html?: unknown };
      // The typed text travels as data (titles, bodies: the receiver must escape them, as the
      // Markdown source they are); the HTML it carries for the receiver to show must be inert.
      const html = payload.announcement?.html ?? payload.html;
      expect(html, 'the JSON payload carries rendered HTML').toBeDefined();
      return strings(html).flatMap(inertHtml);
    },
  },
};

describe('output is inert everywhere', () => {
  let s: Services;
  let app: FastifyInstance;
  let workers: RunningWorkers;
  let annId: string;

  beforeAll(async () => {
    s = testServices(testConfig({
      channels: {
        email: { enabled: true, smtpUrl: 'smtp://127.0.0.1:9' },
        rss: { enabled: true },
        slack: { enabled: true, token: 'xoxb-test', apiUrl: 'http://127.0.0.1:9', targets: [{ channel: 'C123', topics: ['*'] }] },
        telegram: { enabled: true, token: '123:abc', apiUrl: 'http://127.0.0.1:9', targets: [{ chatId: '@library', topics: ['*'] }], bot: { enabled: false } },
        mastodon: { enabled: true, instanceUrl: 'http://127.0.0.1:9', accessToken: 'x', topics: ['*'] },
        webhooks: HOOKS,
      },
    }));
    app = await buildApp(s);
    workers = await startWorkers(s);
    // Published to the feed and /news only (nothing answers the others' addresses).
    annId = (await postFixture(s, 'hostile-markup', { channels: ['rss'] })).id;
    await finalView(s, annId);
  });
  afterAll(async () => {
    await workers?.close();
    await app?.close();
    if (s) await disposeServices(s);
  });

  it('has a row for every channel module in channels/index.ts, and every built channel is checked', () => {
    expect(CHANNELS.map((m) => m.key).filter((k) => !(k in TABLE))).toEqual([]);
    const kinds = Object.keys(TABLE.webhooks as Record<string, Row>);
    expect(HOOKS.map((h) => h.kind).filter((k) => !kinds.includes(k))).toEqual([]);
    // Every channel the registry built from this configuration is one of the rows below.
    const rowFor = [...s.channels.keys()].map((name) => [name, rowOf(name)] as const);
    expect(rowFor.filter(([, r]) => !r).map(([n]) => n)).toEqual([]);
    expect(s.channels.size).toBe(CHANNELS.length - 1 + HOOKS.length);
  });

  function rowOf(name: string): Row | undefined {
    const hook = HOOKS.find((h) => h.name === name || name.endsWith(h.name));
    if (hook) return (TABLE.webhooks as Record<string, Row>)[hook.kind];
    const direct = TABLE[name];
    return typeof direct === 'function' ? direct : undefined;
  }

  it.each([['hostile-markup', hostile], ['hostile-markup + typed platform syntax', injected]] as const)('every channel renders %s inertly', (_n, input) => {
    const ann = asAnn(input, 'inert1');
    const problems: string[] = [];
    for (const [name, ch] of s.channels) {
      const row = rowOf(name)!;
      problems.push(...row(ch, ann).map((p) => `${name}: ${p}`));
    }
    expect(problems).toEqual([]);
  });

  it('the RSS feed XML: titles are text, descriptions inert HTML', async () => {
    const res = await app.inject({ method: 'GET', url: '/feeds/rss.xml' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Printing');
    const xml = new XMLParser({ ignoreAttributes: false }).parse(res.body) as { rss: { channel: { item: unknown } } };
    const items = [xml.rss.channel.item].flat() as Record<string, unknown>[];
    const problems = items.flatMap((i) => [...strings(i.description ?? ''), ...strings(i['content:encoded'] ?? '')].flatMap(inertHtml));
    // Titles are text: the XML escapes them once (a reader shows "<script>" as typed), never raw.
    expect(res.body).not.toMatch(/<title>[^<]*<script/i);
    expect(problems).toEqual([]);
  });

  it('the public /news page and the announcement page', async () => {
    for (const url of ['/news', `/news/${annId}`]) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain('打印配额');
      expect(inertHtml(res.body.replace(/<script src="\/[^"]*"( defer)?><\/script>/g, '')), url).toEqual([]);
    }
  });

  it("the desk's preview (POST /admin/api/compose/preview)", async () => {
    const sess = await injectSignIn(app, ADMIN_TOKEN);
    // The titles of the fixture (the schema refuses a CR/LF one); the bodies with typed syntax too.
    const body = new URLSearchParams({ _csrf: sess.csrf, 'title.en': hostile.title.en, 'title.zh': hostile.title.zh, 'body.en': injected.body.en, 'body.zh': injected.body.zh, topics: 'services' });
    for (const c of s.channels.keys()) body.append('channels', c);
    const res = await app.inject({ method: 'POST', url: '/admin/api/compose/preview', payload: body.toString(), headers: { cookie: sess.cookie, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' } });
    expect(res.statusCode).toBe(200);
    const r = JSON.parse(res.body) as { issues: unknown[]; html: { previews: string; counters: string } };
    expect(r.issues).toEqual([]);
    expect(r.html.previews).toContain('Printing');
    expect(inertHtml(r.html.previews)).toEqual([]);
    expect(inertHtml(r.html.counters)).toEqual([]);
  });

  it('the delivery CSV export: a formula typed anywhere in a record is neutralised', async () => {
    // Records as a hostile platform or address could leave them: every text field a formula.
    const evil = { channel: 'rss', recipient: '=1+1', address: '+SUM(A1)', status: 'failed', attempts: 1, error: '@cmd|"/c calc"!A1', externalId: '-2+3', updatedAt: '=NOW()' };
    await s.redis.hset(s.keys.deliveries(annId, 'rss'), 'evil', JSON.stringify(evil));
    const sess = await injectSignIn(app, ADMIN_TOKEN);
    const res = await app.inject({ method: 'GET', url: `/admin/announcements/${annId}/deliveries.csv`, headers: { cookie: sess.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("'=1+1");
    expect(csvCells(res.body)).toEqual([]);
  });
});
