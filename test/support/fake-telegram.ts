// A local Telegram Bot API server over real HTTP (node:http on 127.0.0.1:0): /bot<token>/<method>
// with JSON, form or query parameters, the { ok, result } / { ok:false, error_code,
// description, parameters } envelopes, HTTP status = error_code as Telegram does, long-polled
// getUpdates, and an HTML parse_mode parser that rejects what Telegram rejects (unsupported or
// unbalanced tags, texts over 4,096 UTF-16 units after parsing).
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const TOKEN = '123456:TEST-token_abcdefghijklmnopqrstuv';

export interface TgError {
  status: number;
  body: Record<string, unknown> | string;
}

/** Error answers exactly as api.telegram.org sends them. */
export const TG = {
  chatNotFound: { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: chat not found' } },
  blocked: { status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } },
  kicked: { status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was kicked from the channel chat' } },
  tooMany: (s = 1): TgError => ({
    status: 429,
    body: { ok: false, error_code: 429, description: `Too Many Requests: retry after ${s}`, parameters: { retry_after: s } },
  }),
  serverError: { status: 500, body: { ok: false, error_code: 500, description: 'Internal Server Error' } },
  badGateway: { status: 502, body: '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>' },
  unauthorized: { status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } },
  // editMessageText / deleteMessage refusals, as api.telegram.org words them.
  notModified: {
    status: 400,
    body: { ok: false, error_code: 400, description: 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message' },
  },
  editNotFound: { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: message to edit not found' } },
  deleteNotFound: { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: message to delete not found' } },
  cantDelete: { status: 400, body: { ok: false, error_code: 400, description: "Bad Request: message can't be deleted" } },
} satisfies Record<string, TgError | ((s?: number) => TgError)>;

export interface Entity {
  type: string;
  offset: number;
  length: number;
  url?: string;
}

export interface SentMessage {
  chatId: string;
  messageId: number;
  /** The text as sent (HTML source when parse_mode is HTML). */
  source: string;
  /** The text after entity parsing: what the reader sees and Telegram counts. */
  text: string;
  entities: Entity[];
  params: Record<string, unknown>;
  /** When Telegram took it (ms); tests move it back with backdate(). */
  at: number;
  /** Set by a successful editMessageText. */
  editedAt?: number;
}

const TAGS: Record<string, string> = {
  b: 'bold', strong: 'bold', i: 'italic', em: 'italic', u: 'underline', ins: 'underline',
  s: 'strikethrough', strike: 'strikethrough', del: 'strikethrough', 'tg-spoiler': 'spoiler', span: 'spoiler',
  a: 'text_link', code: 'code', pre: 'pre', blockquote: 'blockquote', 'tg-emoji': 'custom_emoji',
};
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

/** Telegram's HTML parse mode: visible text + entities, or the error description it answers. */
export function parseTelegramHtml(src: string): { text: string; entities: Entity[] } | { error: string } {
  let text = '';
  const entities: Entity[] = [];
  const stack: { tag: string; offset: number; url?: string }[] = [];
  const bytes = (i: number) => Buffer.byteLength(src.slice(0, i));
  for (let i = 0; i < src.length; ) {
    const c = src[i];
    if (c === '<') {
      const m = /^<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+))?)*)\s*>/.exec(src.slice(i));
      if (!m) return { error: `Bad Request: can't parse entities: Unclosed start tag at byte offset ${bytes(i)}` };
      const [whole, close, rawName, attrs] = m;
      const name = rawName.toLowerCase();
      if (!TAGS[name]) return { error: `Bad Request: can't parse entities: Unsupported start tag "${name}" at byte offset ${bytes(i)}` };
      if (close) {
        const top = stack.pop();
        if (!top || top.tag !== name) {
          return { error: `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "${top?.tag ?? name}"` };
        }
        entities.push({ type: TAGS[name], offset: top.offset, length: text.length - top.offset, ...(top.url ? { url: top.url } : {}) });
      } else {
        const href = /href\s*=\s*"([^"]*)"/.exec(attrs)?.[1];
        if (name === 'a' && !href) return { error: `Bad Request: can't parse entities: Tag "a" must have "href" attribute` };
        stack.push({ tag: name, offset: text.length, url: href ? decode(href) : undefined });
      }
      i += whole.length;
    } else if (c === '&') {
      const m = /^&(?:#(\d+)|#x([0-9a-fA-F]+)|([a-z]+));/.exec(src.slice(i));
      const ch = m ? (m[1] ? String.fromCodePoint(Number(m[1])) : m[2] ? String.fromCodePoint(parseInt(m[2], 16)) : NAMED[m[3]]) : undefined;
      if (m && ch !== undefined) {
        text += ch;
        i += m[0].length;
      } else {
        text += c;
        i++;
      }
    } else if (c === '>') {
      return { error: `Bad Request: can't parse entities: Unexpected end tag at byte offset ${bytes(i)}` };
    } else {
      text += c;
      i++;
    }
  }
  if (stack.length) return { error: `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "${stack.at(-1)!.tag}"` };
  return { text, entities: entities.sort((a, b) => a.offset - b.offset) };
}

function decode(s: string): string {
  const r = parseTelegramHtml(s);
  return 'text' in r ? r.text : s;
}

type Reply = TgError | ((params: Record<string, unknown>) => TgError | undefined);

export interface FakeTelegram {
  url: string;
  token: string;
  /** Every request: method and parameters, in order. */
  calls: { method: string; params: Record<string, unknown>; at: number }[];
  /** sendMessage calls that succeeded. */
  sent: SentMessage[];
  /** Answers for the next sendMessage calls to a chat, one each, in order. */
  failNext(chatId: string | number, ...replies: Reply[]): void;
  /** Answers for the next calls of another method (editMessageText, deleteMessage) to a chat. */
  failNextCall(method: string, chatId: string | number, ...replies: Reply[]): void;
  /** A message as it stands now (edits applied), or undefined once deleted or never sent. */
  message(chatId: string | number, messageId: number): SentMessage | undefined;
  /** Moves a message's send time back by `ms`, so it is older than Telegram's 48-hour deletion window. */
  backdate(chatId: string | number, messageId: number, ms: number): void;
  /** An answer for every sendMessage to a chat until cleared. */
  failAlways(chatId: string | number, reply: TgError | null): void;
  /** Queues an update for getUpdates (update_id assigned). */
  pushUpdate(update: Record<string, unknown>): number;
  /** A private-chat text message from user `chatId`. */
  say(chatId: number, text: string): number;
  /** A tap on an inline button of message `messageId`. */
  tap(chatId: number, messageId: number, data: string): number;
  /** getUpdates requests being held open right now. */
  pendingPolls(): number;
  /** sendMessage attempts (successful or not) to a chat. */
  attemptsTo(chatId: string | number): number;
  close(): Promise<void>;
}

export async function startFakeTelegram(opts: { token?: string; username?: string } = {}): Promise<FakeTelegram> {
  const token = opts.token ?? TOKEN;
  const calls: FakeTelegram['calls'] = [];
  const sent: SentMessage[] = [];
  const next = new Map<string, Reply[]>();
  const nextCall = new Map<string, Reply[]>();
  // Every message the bot sent and not deleted, by chat and id: what edits and deletions act on.
  const live = new Map<string, SentMessage>();
  const mkey = (chatId: unknown, id: unknown) => `${String(chatId)}:${Number(id)}`;
  const injected = (method: string, p: Record<string, unknown>) => {
    const rule = nextCall.get(`${method}:${String(p.chat_id)}`)?.shift();
    return typeof rule === 'function' ? rule(p) : rule;
  };
  const always = new Map<string, TgError>();
  const updates: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  let updateId = 100;
  let messageId = 1;

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/html' : 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  const ok = (res: ServerResponse, result: unknown) => send(res, 200, { ok: true, result });
  const bad = (res: ServerResponse, description: string, code = 400) => send(res, code, { ok: false, error_code: code, description });

  const methods: Record<string, (p: Record<string, unknown>, res: ServerResponse) => void> = {
    getMe: (_p, res) => ok(res, { id: 123456, is_bot: true, first_name: 'Library', username: opts.username ?? 'library_test_bot' }),
    deleteWebhook: (_p, res) => ok(res, true),
    setWebhook: (p, res) => (typeof p.url === 'string' && p.url.startsWith('https://') ? ok(res, true) : bad(res, 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook')),
    answerCallbackQuery: (p, res) => (p.callback_query_id ? ok(res, true) : bad(res, 'Bad Request: query is too old and response timeout expired or query ID is invalid')),
    // https://core.telegram.org/bots/api#editmessagetext: the bot's own messages, no age limit;
    // the same content and markup again answers "message is not modified".
    editMessageText: (p, res) => {
      const err = injected('editMessageText', p);
      if (err) return send(res, err.status, err.body);
      const m = live.get(mkey(p.chat_id, p.message_id));
      if (!m) return send(res, TG.editNotFound.status, TG.editNotFound.body);
      const source = String(p.text ?? '');
      const parsed = p.parse_mode === 'HTML' ? parseTelegramHtml(source) : { text: source, entities: [] };
      if ('error' in parsed) return bad(res, parsed.error);
      if (parsed.text.trim() === '') return bad(res, 'Bad Request: message text is empty');
      if (parsed.text.length > 4096) return bad(res, 'Bad Request: MESSAGE_TOO_LONG');
      const same = parsed.text === m.text && JSON.stringify(parsed.entities) === JSON.stringify(m.entities)
        && JSON.stringify(p.reply_markup ?? null) === JSON.stringify(m.params.reply_markup ?? null);
      if (same) return send(res, TG.notModified.status, TG.notModified.body);
      Object.assign(m, { source, text: parsed.text, entities: parsed.entities, params: { ...m.params, ...p }, editedAt: Date.now() });
      ok(res, { message_id: m.messageId, chat: { id: Number(m.chatId) || m.chatId, type: 'private' }, date: Math.floor(m.at / 1000), edit_date: now(), text: m.text });
    },
    // https://core.telegram.org/bots/api#deletemessage: "A message can only be deleted if it was
    // sent less than 48 hours ago."
    deleteMessage: (p, res) => {
      const err = injected('deleteMessage', p);
      if (err) return send(res, err.status, err.body);
      const k = mkey(p.chat_id, p.message_id);
      const m = live.get(k);
      if (!m) return send(res, TG.deleteNotFound.status, TG.deleteNotFound.body);
      if (Date.now() - m.at >= 48 * 3600_000) return send(res, TG.cantDelete.status, TG.cantDelete.body);
      live.delete(k);
      ok(res, true);
    },
    sendMessage: (p, res) => {
      const chatId = String(p.chat_id ?? '');
      if (!chatId) return bad(res, 'Bad Request: chat_id is empty');
      const queued = next.get(chatId);
      const rule = queued?.shift() ?? always.get(chatId);
      const err = typeof rule === 'function' ? rule(p) : rule;
      if (err) return send(res, err.status, err.body);
      const source = String(p.text ?? '');
      const parsed = p.parse_mode === 'HTML' ? parseTelegramHtml(source) : { text: source, entities: [] };
      if ('error' in parsed) return bad(res, parsed.error);
      if (parsed.text.trim() === '') return bad(res, 'Bad Request: message text is empty');
      if (parsed.text.length > 4096) return bad(res, 'Bad Request: message is too long');
      const m: SentMessage = { chatId, messageId: messageId++, source, text: parsed.text, entities: parsed.entities, params: p, at: Date.now() };
      sent.push(m);
      live.set(mkey(chatId, m.messageId), { ...m });
      ok(res, { message_id: m.messageId, chat: { id: Number(chatId) || chatId, type: 'private' }, date: now(), text: m.text, entities: m.entities });
    },
    getUpdates: (p, res) => {
      const offset = Number(p.offset ?? 0);
      // Confirming an offset forgets every earlier update, as Telegram does.
      while (updates.length && (updates[0].update_id as number) < offset) updates.shift();
      const answer = () => ok(res, updates.slice(0, Number(p.limit ?? 100)));
      const timeout = Number(p.timeout ?? 0);
      if (updates.length || timeout <= 0) return answer();
      const wake = () => {
        clearTimeout(timer);
        waiters.delete(wake);
        if (!res.writableEnded) answer();
      };
      const timer = setTimeout(wake, timeout * 1000);
      waiters.add(wake);
      // The client gave up (aborted poll): forget the waiter. (req 'close' fires as soon as the body is read.)
      res.on('close', () => {
        clearTimeout(timer);
        waiters.delete(wake);
      });
    },
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const m = /^\/bot([^/]+)\/(\w+)$/.exec(url.pathname);
      if (!m) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      if (m[1] !== token) return send(res, 401, TG.unauthorized.body);
      const params = readParams(req.headers['content-type'] ?? '', Buffer.concat(chunks).toString('utf8'), url.searchParams);
      calls.push({ method: m[2], params, at: Date.now() });
      const handler = methods[m[2]];
      if (!handler) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      handler(params, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const push = (u: Record<string, unknown>) => {
    const id = ++updateId;
    updates.push({ update_id: id, ...u });
    for (const w of [...waiters]) w();
    return id;
  };
  const user = (id: number) => ({ id, is_bot: false, first_name: `User${id}`, language_code: 'zh-hans' });

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    calls,
    sent,
    failNext: (chatId, ...replies) => next.set(String(chatId), [...(next.get(String(chatId)) ?? []), ...replies]),
    failNextCall: (method, chatId, ...replies) => {
      const k = `${method}:${String(chatId)}`;
      nextCall.set(k, [...(nextCall.get(k) ?? []), ...replies]);
    },
    message: (chatId, id) => live.get(mkey(chatId, id)),
    backdate: (chatId, id, ms) => {
      const m = live.get(mkey(chatId, id));
      if (m) m.at -= ms;
    },
    failAlways: (chatId, reply) => (reply ? always.set(String(chatId), reply) : always.delete(String(chatId))),
    pushUpdate: push,
    say: (chatId, text) => {
      const command = /^\/\w+/.exec(text);
      return push({
        message: {
          message_id: messageId++, from: user(chatId), chat: { id: chatId, type: chatId > 0 ? 'private' : 'group', first_name: `User${chatId}` },
          date: now(), text, ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] } : {}),
        },
      });
    },
    tap: (chatId, msgId, data) =>
      push({
        callback_query: {
          id: String(Date.now()) + msgId, from: user(chatId), chat_instance: '-42', data,
          message: { message_id: msgId, chat: { id: chatId, type: 'private' }, date: now(), text: '…' },
        },
      }),
    pendingPolls: () => waiters.size,
    attemptsTo: (chatId) => calls.filter((c) => c.method === 'sendMessage' && String(c.params.chat_id) === String(chatId)).length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const w of [...waiters]) w();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const now = () => Math.floor(Date.now() / 1000);

const STRUCTURED = new Set(['reply_markup', 'link_preview_options', 'entities', 'allowed_updates', 'reply_parameters']);

/** Telegram takes parameters as a query string, urlencoded or JSON; structured fields arrive JSON-encoded in forms. */
function readParams(type: string, body: string, query: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = Object.fromEntries(query);
  if (type.includes('application/json') && body) return { ...out, ...(JSON.parse(body) as Record<string, unknown>) };
  if (type.includes('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(body)) out[k] = STRUCTURED.has(k) ? JSON.parse(v) : v;
  }
  return out;
}
