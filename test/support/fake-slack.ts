// A local Slack Web API over real HTTP (node:http on 127.0.0.1:0): chat.postMessage and
// auth.test with Slack's request formats (form-urlencoded with JSON-encoded `blocks`, or JSON),
// its bearer-token check, its `{ ok: false, error }` answers on HTTP 200, Block Kit limits,
// and scriptable faults per channel (429 + Retry-After, 5xx, any error code). chat.update and
// chat.delete act on the messages it keeps by channel and ts, only the bot's own, with Slack's
// refusals (message_not_found, cant_update_message, edit_window_closed, cant_delete_message,
// compliance_exports_prevent_deletion; docs.slack.dev/reference/methods/chat.update, chat.delete).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as it is (a proxy's error page). */
  body?: unknown;
}

/** Canned answers, shaped as Slack sends them. */
export const slackReply = {
  /** HTTP 429 with Retry-After in seconds (Web API rate limits). */
  rateLimited: (retryAfterSeconds = 1): FakeReply => ({
    status: 429,
    headers: { 'Retry-After': String(retryAfterSeconds) },
    body: { ok: false, error: 'ratelimited' },
  }),
  serverError: (status = 500): FakeReply => ({ status, headers: { 'Content-Type': 'text/html' }, body: '<html><body>Internal Server Error</body></html>' }),
  /** HTTP 200 with `{ ok: false, error }`, how Slack reports every API-level failure. */
  error: (error: string, extra: Record<string, unknown> = {}): FakeReply => ({ body: { ok: false, error, ...extra } }),
};

export interface PostedMessage {
  channel: string;
  ts: string;
  text?: string;
  blocks?: Array<Record<string, unknown>>;
  params: Record<string, unknown>;
  /** Who posted it: the bot (U0CRIER) unless added with addMessage. */
  user: string;
  postedAt: number;
  /** How many times chat.update changed it. */
  edits: number;
  deleted?: true;
}

export interface RecordedCall {
  method: string;
  /** The `channel` parameter as sent. */
  channel?: string;
  status: number;
  /** The answer's `error`, if any. */
  error?: string;
  contentType: string;
  authorization?: string;
  /** The request body exactly as received. */
  raw: string;
}

export interface FakeChannel {
  id: string;
  name: string;
  member: boolean;
  archived: boolean;
}

export interface FakeSlack {
  /** Base URL for `channels.slack.apiUrl` (ends in /api/). */
  apiUrl: string;
  token: string;
  calls: RecordedCall[];
  posted: PostedMessage[];
  messages(channel: string): PostedMessage[];
  callsTo(channel: string): RecordedCall[];
  addChannel(id: string, opts?: Partial<Omit<FakeChannel, 'id'>>): void;
  /** Answers for the next posts to `channel`, in order; after them the normal answer. */
  script(channel: string, ...replies: FakeReply[]): void;
  /** The same for another method (chat.update, chat.delete) on `channel`. */
  scriptMethod(method: string, channel: string, ...replies: FakeReply[]): void;
  /** A message someone else posted (the bot may neither edit nor delete it). */
  addMessage(channel: string, ts: string, opts?: { user?: string; text?: string }): void;
  /** The message at channel + ts, deleted or not. */
  find(channel: string, ts: string): PostedMessage | undefined;
  /** Workspace settings: an edit window (ms after posting) and compliance exports. */
  workspace: { editWindowMs?: number; complianceExports?: boolean };
  close(): Promise<void>;
}

const BOT_USER = 'U0CRIER';
const BLOCK_LIMITS = { blocks: 50, header: 150, section: 3000, contextElements: 10 };
const chars = (s: string): number => [...s].length;

/** Slack's checks of `blocks`, with its error strings and JSON pointers. */
function blockErrors(blocks: unknown): string[] {
  if (!Array.isArray(blocks)) return ['must be an array [json-pointer:/blocks]'];
  const errors: string[] = [];
  if (blocks.length > BLOCK_LIMITS.blocks) errors.push(`no more than ${BLOCK_LIMITS.blocks} items allowed [json-pointer:/blocks]`);
  const textErr = (t: unknown, path: string, max: number, types: string[]): void => {
    const o = t as { type?: string; text?: unknown } | undefined;
    if (!o || !types.includes(String(o.type))) errors.push(`must be one of ${types.join(', ')} [json-pointer:${path}/type]`);
    else if (typeof o.text !== 'string' || o.text.length === 0) errors.push(`must be more than 0 characters [json-pointer:${path}/text]`);
    else if (chars(o.text) > max) errors.push(`must be less than ${max + 1} characters [json-pointer:${path}/text]`);
  };
  blocks.forEach((b: Record<string, unknown>, i) => {
    const at = `/blocks/${i}`;
    if (b.type === 'header') textErr(b.text, `${at}/text`, BLOCK_LIMITS.header, ['plain_text']);
    else if (b.type === 'section') textErr(b.text, `${at}/text`, BLOCK_LIMITS.section, ['plain_text', 'mrkdwn']);
    else if (b.type === 'context') {
      const els = b.elements as unknown[];
      if (!Array.isArray(els) || els.length === 0 || els.length > BLOCK_LIMITS.contextElements) errors.push(`invalid elements [json-pointer:${at}/elements]`);
      else els.forEach((e, j) => textErr(e, `${at}/elements/${j}`, BLOCK_LIMITS.section, ['plain_text', 'mrkdwn']));
    } else if (b.type !== 'divider') errors.push(`unsupported type: ${String(b.type)} [json-pointer:${at}/type]`);
  });
  return errors;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Request parameters: form fields (with `blocks` as a JSON string, as Slack takes them) or JSON. */
function parseParams(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.startsWith('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const params: Record<string, unknown> = Object.fromEntries(new URLSearchParams(raw));
  for (const key of ['blocks', 'attachments', 'metadata']) {
    if (typeof params[key] === 'string') {
      try {
        params[key] = JSON.parse(params[key] as string);
      } catch {
        params[key] = Symbol.for('invalid_json');
      }
    }
  }
  return params;
}

export async function startFakeSlack(opts: { token?: string } = {}): Promise<FakeSlack> {
  const channels = new Map<string, FakeChannel>();
  const scripts = new Map<string, FakeReply[]>();
  const calls: RecordedCall[] = [];
  const posted: PostedMessage[] = [];
  let seq = 0;

  const fake: FakeSlack = {
    apiUrl: '',
    token: opts.token ?? 'xoxb-test-0000-secret',
    calls,
    posted,
    messages: (channel) => posted.filter((m) => m.channel === channel),
    callsTo: (channel) => calls.filter((c) => c.channel === channel),
    addChannel(id, o = {}) {
      channels.set(id, { id, name: o.name ?? id.toLowerCase(), member: o.member ?? true, archived: o.archived ?? false });
    },
    script(channel, ...replies) {
      fake.scriptMethod('chat.postMessage', channel, ...replies);
    },
    scriptMethod(method, channel, ...replies) {
      const key = `${method} ${channel}`;
      scripts.set(key, [...(scripts.get(key) ?? []), ...replies]);
    },
    addMessage(channel, ts, o = {}) {
      posted.push({ channel, ts, text: o.text ?? 'hello', params: {}, user: o.user ?? 'U0SOMEONE', postedAt: Date.now(), edits: 0 });
    },
    find: (channel, ts) => posted.find((m) => m.channel === channel && m.ts === ts),
    workspace: {},
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // the client keeps connections alive
      }),
  };

  const resolveChannel = (ref: string): FakeChannel | undefined =>
    channels.get(ref) ?? [...channels.values()].find((c) => `#${c.name}` === ref || c.name === ref);

  function postMessage(params: Record<string, unknown>): FakeReply {
    const channel = resolveChannel(String(params.channel ?? ''));
    if (!params.channel || !channel) return slackReply.error('channel_not_found');
    if (channel.archived) return slackReply.error('is_archived');
    if (!channel.member) return slackReply.error('not_in_channel');
    const bad = contentError(params);
    if (bad) return bad;
    seq += 1;
    const ts = `1700000000.${String(seq).padStart(6, '0')}`;
    const msg: PostedMessage = {
      channel: channel.id, ts, params, user: BOT_USER, postedAt: Date.now(), edits: 0,
      text: params.text as string | undefined,
      blocks: params.blocks as PostedMessage['blocks'],
    };
    posted.push(msg);
    return {
      body: {
        ok: true, channel: channel.id, ts,
        message: { type: 'message', subtype: 'bot_message', bot_id: 'B0CRIER', user: 'U0CRIER', text: msg.text ?? '', blocks: msg.blocks, ts },
      },
    };
  }

  /** The checks chat.postMessage makes of text and blocks, for chat.update too. */
  function contentError(params: Record<string, unknown>): FakeReply | undefined {
    if (params.blocks === Symbol.for('invalid_json')) return slackReply.error('invalid_blocks_format');
    if (params.blocks !== undefined) {
      const errors = blockErrors(params.blocks);
      if (errors.length > 0) return slackReply.error('invalid_blocks', { errors, response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } });
    } else if (!params.text) return slackReply.error('no_text');
    if (typeof params.text === 'string' && params.text.length > 40_000) return slackReply.error('msg_too_long');
    return undefined;
  }

  /** The bot's own live message at params.channel + params.ts, or Slack's refusal. */
  function target(params: Record<string, unknown>, refusal: string): PostedMessage | FakeReply {
    const channel = resolveChannel(String(params.channel ?? ''));
    if (!channel) return slackReply.error('channel_not_found');
    const msg = fake.find(channel.id, String(params.ts ?? ''));
    if (!msg || msg.deleted) return slackReply.error('message_not_found');
    if (msg.user !== BOT_USER) return slackReply.error(refusal);
    return msg;
  }

  function updateMessage(params: Record<string, unknown>): FakeReply {
    const msg = target(params, 'cant_update_message');
    if (!('ts' in msg)) return msg;
    const { editWindowMs } = fake.workspace;
    if (editWindowMs !== undefined && Date.now() - msg.postedAt > editWindowMs) return slackReply.error('edit_window_closed');
    const bad = contentError(params);
    if (bad) return bad;
    msg.text = params.text as string | undefined;
    if (params.blocks !== undefined) msg.blocks = params.blocks as PostedMessage['blocks'];
    msg.edits += 1;
    return { body: { ok: true, channel: msg.channel, ts: msg.ts, text: msg.text ?? '', message: { type: 'message', bot_id: 'B0CRIER', user: BOT_USER, text: msg.text ?? '', blocks: msg.blocks, edited: { user: BOT_USER, ts: `${Math.floor(Date.now() / 1000)}.000000` } } } };
  }

  function deleteMessage(params: Record<string, unknown>): FakeReply {
    const msg = target(params, 'cant_delete_message');
    if (!('ts' in msg)) return msg;
    if (fake.workspace.complianceExports) return slackReply.error('compliance_exports_prevent_deletion');
    msg.deleted = true;
    return { body: { ok: true, channel: msg.channel, ts: msg.ts } };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const contentType = String(req.headers['content-type'] ?? '');
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0];
    let params: Record<string, unknown>;
    try {
      params = parseParams(raw, contentType);
    } catch {
      params = {}; // a body Slack could not read: answered as if no parameter was sent
    }
    const call: RecordedCall = { method, status: 200, contentType, authorization: req.headers.authorization, raw };
    if (typeof params.channel === 'string') call.channel = params.channel;
    calls.push(call);

    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? (params.token as string | undefined);
    let reply: FakeReply;
    if (req.method !== 'POST' || !['chat.postMessage', 'chat.update', 'chat.delete', 'auth.test'].includes(method)) {
      reply = slackReply.error('unknown_method', { req_method: method });
    } else if (!bearer) reply = slackReply.error('not_authed');
    else if (bearer !== fake.token) reply = slackReply.error('invalid_auth');
    else if (method === 'auth.test') {
      reply = { body: { ok: true, url: 'https://crier-test.slack.com/', team: 'Crier Test Workspace', user: 'crier', team_id: 'T0CRIER', user_id: 'U0CRIER', bot_id: 'B0CRIER', is_enterprise_install: false } };
    } else {
      const queue = scripts.get(`${method} ${String(params.channel ?? '')}`);
      const normal = method === 'chat.update' ? updateMessage : method === 'chat.delete' ? deleteMessage : postMessage;
      reply = queue && queue.length > 0 ? queue.shift()! : normal(params);
    }

    call.status = reply.status ?? 200;
    const body = reply.body ?? '';
    if (typeof body === 'object' && body && 'error' in body) call.error = String((body as { error: unknown }).error);
    const isJson = typeof body !== 'string';
    res.writeHead(call.status, { 'Content-Type': isJson ? 'application/json; charset=utf-8' : 'text/plain', ...reply.headers });
    res.end(isJson ? JSON.stringify(body) : body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      res.writeHead(500);
      res.end(String(err.message));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  fake.apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
  return fake;
}
