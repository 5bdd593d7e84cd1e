// The shared webhook HTTP helpers: classification of every status family, retry-after forms,
// body snippets, and what a request does when no answer comes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyHttp, parseRetryAfter, postJson, snippet, urlHost } from '../../../src/platform-http.js';
import { ChannelError } from '../../../src/types.js';

describe('classifyHttp', () => {
  it('retries 429, 408 and 5xx, with the retry-after when given', () => {
    expect(classifyHttp(429, '7', 'slow down')).toMatchObject({ kind: 'retryable', retryAfterMs: 7000, message: 'HTTP 429 Too Many Requests: slow down' });
    expect(classifyHttp(503, '2', '')).toMatchObject({ kind: 'retryable', retryAfterMs: 2000, message: 'HTTP 503 Service Unavailable' });
    expect(classifyHttp(500, null, 'boom')).toMatchObject({ kind: 'retryable', retryAfterMs: undefined });
    expect(classifyHttp(408, undefined, '').kind).toBe('retryable');
  });

  it('fails other 4xx and 3xx permanently', () => {
    expect(classifyHttp(404, null, 'no such hook')).toMatchObject({ kind: 'permanent', message: 'HTTP 404 Not Found: no such hook' });
    expect(classifyHttp(400, null, '{"errcode":1}').kind).toBe('permanent');
    const moved = classifyHttp(301, null, '');
    expect(moved.kind).toBe('permanent');
    expect(moved.message).toContain('redirects are not followed');
    expect(classifyHttp(404, null, '')).toBeInstanceOf(ChannelError);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');
  it('reads seconds, HTTP dates and ISO dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('2030-01-01T00:05:00.000000Z', now)).toBe(300_000);
  });
  it('is never negative, and undefined when absent or unreadable', () => {
    expect(parseRetryAfter('2029-12-31T23:00:00Z', now)).toBe(0);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('')).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('snippet', () => {
  it('collapses whitespace and keeps at most 200 characters, cutting between graphemes', () => {
    expect(snippet('  a\n\n b\t')).toBe('a b');
    const long = '👩‍💻'.repeat(100); // 5 UTF-16 units each
    const s = snippet(long);
    expect(s.length).toBeLessThanOrEqual(200);
    expect(s.endsWith('👩‍💻…')).toBe(true);
    expect(snippet(`${'x'.repeat(5000)}`)).toHaveLength(200);
  });
});

describe('postJson', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  });

  async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
    server = createServer(handler);
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  }

  it('sends a string body byte for byte, an object as JSON, and returns any status', async () => {
    const seen: { type?: string; body: string; custom?: string }[] = [];
    const url = await listen((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        seen.push({ type: req.headers['content-type'], body, custom: req.headers['x-test'] as string | undefined });
        res.writeHead(418).end('teapot');
      });
    });
    const raw = '{"b":1,  "a":"中"}';
    expect(await postJson(url, raw, { 'X-Test': 'yes' })).toMatchObject({ status: 418, text: 'teapot' });
    await postJson(url, { a: 1 });
    expect(seen).toEqual([
      { type: 'application/json; charset=utf-8', body: raw, custom: 'yes' },
      { type: 'application/json; charset=utf-8', body: '{"a":1}', custom: undefined },
    ]);
  });

  it('turns a server that never answers into a retryable error', async () => {
    const url = await listen(() => {
      /* never answers */
    });
    const err = await postJson(url, {}, {}, 100).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelError);
    expect(err).toMatchObject({ kind: 'retryable' });
    expect((err as Error).message).toMatch(/^127\.0\.0\.1:\d+: no answer within 100 ms$/);
  });

  it('names only the host of a URL', () => {
    expect(urlHost('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET')).toBe('qyapi.weixin.qq.com');
    expect(urlHost('not a url')).toBe('(invalid URL)');
  });
});
