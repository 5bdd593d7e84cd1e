// Behind a reverse proxy every request comes from the proxy's address: with server.trustProxy
// the rate limit counts each client (X-Forwarded-For); without it, a forged header changes nothing.
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { subEnv, type SubEnv } from './helpers.js';

let env: SubEnv | undefined;
afterEach(async () => {
  await env?.dispose();
  env = undefined;
});

const PROXY = '192.0.2.50';
const send = (app: FastifyInstance, i: number, forwardedFor: string) =>
  app.inject({
    method: 'POST', url: '/api/subscribers', remoteAddress: PROXY,
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    payload: JSON.stringify({ email: `p${i}@example.edu`, topics: ['hours'], language: 'en' }),
  });

async function insideOneMinute(): Promise<void> {
  const into = Date.now() % 60_000;
  if (into > 50_000) await new Promise((r) => setTimeout(r, 60_000 - into + 100));
}

describe('rate limit behind a proxy', () => {
  it('with trustProxy, limits each forwarded client separately', async () => {
    env = await subEnv({ config: { server: { trustProxy: true } } });
    await insideOneMinute();
    for (let i = 0; i < 20; i++) expect((await send(env.app, i, '198.51.100.1')).statusCode).toBe(202);
    expect((await send(env.app, 20, '198.51.100.1')).statusCode).toBe(429);
    expect((await send(env.app, 21, '198.51.100.2')).statusCode).toBe(202);
  });

  it('without trustProxy, ignores X-Forwarded-For so a forged header cannot dodge the limit', async () => {
    env = await subEnv();
    await insideOneMinute();
    for (let i = 0; i < 20; i++) expect((await send(env.app, i, `198.51.100.${i}`)).statusCode).toBe(202);
    expect((await send(env.app, 20, '198.51.100.99')).statusCode).toBe(429);
  });
});
