// A Bot API server that enforces Telegram's overall limit the way the bench needs to see it:
// more than LIMIT sendMessage calls in the last 1000 ms (a sliding window) get 429 with
// parameters.retry_after, and are counted. The full fake (test/support/fake-telegram.ts)
// checks HTML and keeps every message; this one only counts, so it stays cheap at 30/s.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LimitedTelegram {
  url: string;
  token: string;
  /** Successful sendMessage calls, and when (performance.now()). */
  sent: number[];
  tooMany: number;
  close(): Promise<void>;
}

export async function startLimitedTelegram(limit = 30, token = '123456:BENCH-token_abcdefghijklmnopqrstuv'): Promise<LimitedTelegram> {
  const sent: number[] = [];
  // Accepted sends of the last second, oldest first: the sliding window.
  const window: number[] = [];
  let messageId = 1;
  const state: LimitedTelegram = { url: '', token, sent, tooMany: 0, close: async () => {} };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const m = /^\/bot([^/]+)\/(\w+)/.exec(req.url ?? '');
      if (!m || m[1] !== token) return reply(401, { ok: false, error_code: 401, description: 'Unauthorized' });
      if (m[2] === 'getMe') return reply(200, { ok: true, result: { id: 123456, is_bot: true, first_name: 'Bench', username: 'bench_bot' } });
      if (m[2] !== 'sendMessage') return reply(404, { ok: false, error_code: 404, description: 'Not Found' });
      const now = performance.now();
      while (window.length && now - window[0] >= 1000) window.shift();
      if (window.length >= limit) {
        state.tooMany += 1;
        return reply(429, { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
      }
      window.push(now);
      sent.push(now);
      reply(200, { ok: true, result: { message_id: messageId++, chat: { id: 1, type: 'private' }, date: Math.floor(Date.now() / 1000), text: '' } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
