// The fault suite (issue 15): `npm run test:faults`. Separate from `npm test` (whose include is
// test/**/*.test.ts), because it kills processes, stops Redis servers and runs for minutes.
// Budget: the whole suite must finish within 150 s on a two-core CI machine; every outage
// length is in test/faults/support/durations.ts, and two files run at once (maxWorkers: 2).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/faults/**/*.fault.ts'],
    // results.ts's setup empties .fault-results.json; global-redis.ts starts the shared Redis.
    globalSetup: ['test/faults/support/results-setup.ts', 'test/support/global-redis.ts'],
    // The outage lengths (support/durations.ts) need longer than the quick run.
    testTimeout: process.env.CRIER_FAULTS_QUICK === '1' ? 120_000 : 600_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
  },
});
