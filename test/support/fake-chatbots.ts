// Three small campus chat-robot servers over real HTTP on 127.0.0.1:0, each speaking its
// platform's webhook protocol: WeCom (/cgi-bin/webhook/send?key=…), DingTalk
// (/robot/send?access_token=…&timestamp=…&sign=…) and Feishu (/open-apis/bot/v2/hook/<token>).
// They answer HTTP 200 with the platform's business error bodies, enforce the 20-a-minute
// (Feishu: 100) robot limits and the size limits, and verify signatures with their own
// implementation of each platform's documented algorithm (not the channel's code), refusing
// a timestamp more than an hour off. Scripted replies take precedence over normal handling.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An answer forced onto the next request: a JSON body (HTTP 200 unless `status`). */
export interface ScriptedReply {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface FakeRequest {
  path: string;
  query: Record<string, string>;
  raw: string;
  body: Record<string, unknown> | null;
}

export interface FakeRobot<M> {
  /** The base URL; robot URLs are built from it (see url()). */
  base: string;
  /** A webhook URL for one of the fake's robots. */
  url(id: string): string;
  /** Every request, in order, answered or not. */
  requests: FakeRequest[];
  /** Messages accepted (errcode/code 0), with the robot they went to. */
  messages: { robot: string; message: M }[];
  script: ScriptedReply[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, body: unknown, status = 200, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

function parseJson(raw: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const equalStrings = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** A per-robot sliding-window counter: true when one more message would exceed `max` per `windowMs`. */
function rateWindow(max: number, windowMs: number) {
  const sent = new Map<string, number[]>();
  return (robot: string): boolean => {
    const now = Date.now();
    const recent = (sent.get(robot) ?? []).filter((t) => now - t < windowMs);
    if (recent.length >= max) return true;
    sent.set(robot, [...recent, now]);
    return false;
  };
}

async function serve<M>(
  handle: (req: FakeRequest, res: ServerResponse, fake: FakeRobot<M>) => void,
  url: (base: string, id: string) => string,
): Promise<FakeRobot<M>> {
  const fake = { requests: [], messages: [], script: [] } as unknown as FakeRobot<M>;
  const server = createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', 'http://fake');
    const raw = await readBody(req);
    const request: FakeRequest = { path: u.pathname, query: Object.fromEntries(u.searchParams), raw, body: parseJson(raw) };
    fake.requests.push(request);
    if (req.method !== 'POST') return reply(res, { errcode: 405, errmsg: 'method not allowed' }, 405);
    const scripted = fake.script.shift();
    if (scripted) return reply(res, scripted.body, scripted.status ?? 200, scripted.headers);
    handle(request, res, fake);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  fake.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.url = (id) => url(fake.base, id);
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

// ---------- WeCom ----------

export interface WecomMarkdown {
  msgtype: string;
  markdown?: { content?: string };
}

const wecomError = (errcode: number, errmsg: string) => ({
  errcode,
  errmsg: `${errmsg}, hint: [1714538355214402498975046], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}`,
});

/** WeCom robots, by key. */
export function startFakeWecom(keys: string[] = ['k1']): Promise<FakeRobot<WecomMarkdown>> {
  const limited = rateWindow(20, 60_000);
  return serve<WecomMarkdown>((req, res, fake) => {
    const key = req.query.key ?? '';
    if (req.path !== '/cgi-bin/webhook/send' || !keys.includes(key)) return reply(res, wecomError(93000, 'invalid webhook url'));
    const body = req.body;
    if (!body) return reply(res, wecomError(40035, 'invalid json'));
    if (body.msgtype !== 'markdown') return reply(res, wecomError(40008, 'invalid message type'));
    const content = (body.markdown as { content?: unknown } | undefined)?.content;
    if (typeof content !== 'string' || content === '') return reply(res, wecomError(44004, 'empty content'));
    // WeCom counts the content in bytes of UTF-8.
    if (Buffer.byteLength(content, 'utf8') > 4096) {
      return reply(res, wecomError(40058, 'markdown.content exceed max length 4096. invalid Request Parameter'));
    }
    if (limited(key)) return reply(res, wecomError(45009, 'api freq out of limit'));
    fake.messages.push({ robot: key, message: body as unknown as WecomMarkdown });
    reply(res, { errcode: 0, errmsg: 'ok' });
  }, (base, key) => `${base}/cgi-bin/webhook/send?key=${encodeURIComponent(key)}`);
}

// ---------- DingTalk ----------

export interface DingtalkMarkdown {
  msgtype: string;
  markdown?: { title?: string; text?: string };
}

const DINGTALK_SIGN_MISMATCH =
  'description:机器人发送签名不匹配;solution:请确认签名和生成签名的时间戳必须都放在调用的网址中，请确认机器人的密钥加密和填写正确;link:请参考本接口对应文档获得具体要求，或者在https://open.dingtalk.com/document/  搜索相关文档;';
const DINGTALK_SIGN_EXPIRED =
  'description:机器人发送签名过期;solution:请保证发送时的时间戳和标准时间差在1小时以内;link:请参考本接口对应文档获得具体要求，或者在https://open.dingtalk.com/document/  搜索相关文档;';

/** DingTalk robots: access token → secret ("" for a robot without 加签). */
export function startFakeDingtalk(robots: Record<string, string> = { t1: '' }): Promise<FakeRobot<DingtalkMarkdown>> {
  const limited = rateWindow(20, 60_000);
  return serve<DingtalkMarkdown>((req, res, fake) => {
    const token = req.query.access_token ?? '';
    if (req.path !== '/robot/send' || !(token in robots)) return reply(res, { errcode: 300001, errmsg: 'token is not exist' });
    const secret = robots[token];
    if (secret) {
      // 加签: timestamp in ms; sign = Base64(HmacSHA256(key = secret, data = timestamp + "\n" + secret)).
      const timestamp = req.query.timestamp ?? '';
      const sign = req.query.sign ?? ''; // URLSearchParams has already undone the URL encoding
      if (!/^\d{13}$/.test(timestamp)) return reply(res, { errcode: 310000, errmsg: DINGTALK_SIGN_MISMATCH });
      if (Math.abs(Date.now() - Number(timestamp)) > 3_600_000) return reply(res, { errcode: 310000, errmsg: DINGTALK_SIGN_EXPIRED });
      const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(`${timestamp}\n${secret}`, 'utf8')).digest('base64');
      if (!equalStrings(sign, expected)) return reply(res, { errcode: 310000, errmsg: DINGTALK_SIGN_MISMATCH });
    }
    const body = req.body;
    if (!body) return reply(res, { errcode: 40035, errmsg: '缺少参数 json' });
    const md = body.markdown as { title?: unknown; text?: unknown } | undefined;
    if (body.msgtype !== 'markdown') return reply(res, { errcode: 40035, errmsg: '不支持的消息类型' });
    if (typeof md?.title !== 'string' || md.title === '') return reply(res, { errcode: 40035, errmsg: '缺少参数 markdown.title' });
    if (typeof md.text !== 'string' || md.text === '') return reply(res, { errcode: 40035, errmsg: '缺少参数 markdown.text' });
    // DingTalk publishes no robot text limit; this fake refuses past the 5000 the channel keeps to.
    if (md.text.length > 5000) return reply(res, { errcode: 460101, errmsg: 'message too long' });
    if (limited(token)) return reply(res, { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' });
    fake.messages.push({ robot: token, message: body as unknown as DingtalkMarkdown });
    reply(res, { errcode: 0, errmsg: 'ok' });
  }, (base, token) => `${base}/robot/send?access_token=${encodeURIComponent(token)}`);
}

// ---------- Feishu ----------

export interface FeishuInteractive {
  msg_type: string;
  timestamp?: string;
  sign?: string;
  card?: {
    header?: { title?: { tag?: string; content?: string }; template?: string };
    elements?: { tag: string; text?: { tag: string; content: string } }[];
  };
}

const feishuError = (code: number, msg: string) => ({ code, data: {}, msg });

/** Feishu bots: hook token → secret ("" for a bot without 签名校验). */
export function startFakeFeishu(bots: Record<string, string> = { h1: '' }): Promise<FakeRobot<FeishuInteractive>> {
  const perMinute = rateWindow(100, 60_000);
  const perSecond = rateWindow(5, 1000);
  return serve<FeishuInteractive>((req, res, fake) => {
    const m = /^\/open-apis\/bot\/v2\/hook\/([^/]+)$/.exec(req.path);
    if (!m || !(m[1] in bots)) return reply(res, feishuError(19001, 'param invalid: incoming webhook access token invalid'));
    const token = m[1];
    if (Buffer.byteLength(req.raw, 'utf8') > 20 * 1024) return reply(res, feishuError(9499, 'Bad Request'));
    const body = req.body;
    if (!body) return reply(res, feishuError(9499, 'Bad Request'));
    const secret = bots[token];
    if (secret) {
      // 签名校验: timestamp in s; sign = Base64(HmacSHA256(key = timestamp + "\n" + secret, data = empty)).
      const timestamp = String(body.timestamp ?? '');
      const sign = String(body.sign ?? '');
      const expected = createHmac('sha256', Buffer.from(`${timestamp}\n${secret}`, 'utf8')).update(Buffer.alloc(0)).digest('base64');
      const fresh = /^\d{10}$/.test(timestamp) && Math.abs(Date.now() / 1000 - Number(timestamp)) <= 3600;
      if (!fresh || !equalStrings(sign, expected)) {
        return reply(res, feishuError(19021, 'sign match fail or timestamp is not within one hour from current time'));
      }
    }
    const card = body.card as FeishuInteractive['card'];
    if (body.msg_type !== 'interactive' || !card || !Array.isArray(card.elements)) return reply(res, feishuError(9499, 'Bad Request'));
    if (perMinute(token) || perSecond(token)) return reply(res, feishuError(11232, 'frequency limited psm[lark.oapi.app_platform_runtime]appID[1]'));
    fake.messages.push({ robot: token, message: body as unknown as FeishuInteractive });
    reply(res, { StatusCode: 0, StatusMessage: 'success', code: 0, data: {}, msg: 'success' });
  }, (base, token) => `${base}/open-apis/bot/v2/hook/${encodeURIComponent(token)}`);
}

/** The text a person sees: character references decoded (the three robots render them as characters). */
export function decodeReferences(s: string): string {
  const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
  return s.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (m, ref: string) => {
    if (ref[0] !== '#') return named[ref.toLowerCase()] ?? m;
    const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return String.fromCodePoint(code);
  });
}
