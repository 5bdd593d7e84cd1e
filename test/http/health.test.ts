// GET /health against the real Redis and against a closed port; the real listening server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, startHttpServer } from '../../src/http/app.js';
import { testConfig, testServices } from '../support/harness.js';
import { httpEnv, type HttpEnv } from './helpers.js';

let env: HttpEnv;
beforeAll(async () => {
  env = await httpEnv({ server: { host: '127.0.0.1', port: 0 } });
});
afterAll(() => env.dispose());

describe('GET /health', () => {
  it('200 when Redis answers', async () => {
    const res = await env.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('503 (promptly, twice) when Redis does not answer', async () => {
    const s = testServices(testConfig({ redis: { url: 'redis://127.0.0.1:1' } }));
    s.queues.dispatch.on('error', () => {}); // BullMQ reports its reconnects; not this test's subject
    const app = await buildApp(s);
    try {
      for (let i = 0; i < 2; i++) {
        const res = await app.inject({ method: 'GET', url: '/health' });
        expect(res.statusCode).toBe(503);
        expect(res.json()).toEqual({ status: 'unavailable', redis: expect.any(String) });
        expect(res.body).not.toContain('redis://');
      }
      // An API call that needs Redis is a JSON 503 too, not a hang or a stack trace.
      const list = await app.inject({ method: 'GET', url: '/api/announcements', headers: { authorization: `Bearer ${s.config.auth.tokens[0].token}` } });
      expect(list.statusCode).toBe(503);
      expect(list.json()).toMatchObject({ error: 'unavailable' });
      expect(list.body).not.toMatch(/at .*\.ts:\d+/);
    } finally {
      await app.close();
      await s.close();
    }
  }, 20_000);
});

describe('startHttpServer', () => {
  it('listens on the configured host and port 0, answers over HTTP, and closes', async () => {
    const server = await startHttpServer(env.s);
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.url).not.toMatch(/:0$/);
      const health = await fetch(`${server.url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      const unknown = await fetch(`${server.url}/nope`);
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ error: 'not_found' });
    } finally {
      await server.close();
    }
  });
});
