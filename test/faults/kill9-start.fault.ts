// Scenario 1a: `crier start` (HTTP and workers in one process) killed with SIGKILL ten times
// during a 2,000-recipient e-mail fan-out. 0 lost, repeats only of sends in flight and marked.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { killAll } from '../cli/crier-process.js';
import { freePort, startCrier } from './support/fault-kit.js';
import { killEnv, killRounds, type KillEnv } from './support/kill-rounds.js';

let env: KillEnv;
beforeAll(async () => {
  env = await killEnv('kill9-start');
});
afterAll(async () => {
  await killAll();
  await env?.close();
});

describe('kill -9 of crier start', () => {
  it('loses no recipient across ten kills and marks every repeat', async () => {
    await killRounds(env, 'kill9-start', async () => startCrier('start', env.configFile, env.dir, await freePort()));
  });
});
