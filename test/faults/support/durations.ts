// How long the faults last. `npm run test:faults` (and CI) uses the lengths issue 15 names:
// Redis down 20 s, each platform fault 30 s (long enough for Slack's and Telegram's 30 s
// timeout to fire on a hang). `npm run test:faults:quick` uses short ones (6 s, 3 s) for a
// run of about 100 s while working on the suite.
export const FULL = process.env.CRIER_FAULTS_QUICK !== '1';

export const REDIS_OUTAGE_MS = FULL ? 20_000 : 6_000;
export const PLATFORM_FAULT_MS = FULL ? 30_000 : 3_000;
