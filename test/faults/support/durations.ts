// How long the faults last. `npm run test:faults` (and CI) uses short ones so the suite fits
// its 150 s; `npm run test:faults:full` uses the lengths issue 15 names: Redis down 20 s, each
// platform fault 30 s (long enough for Slack's and Telegram's 30 s timeout to fire on a hang).
export const FULL = process.env.CRIER_FAULTS_FULL === '1';

export const REDIS_OUTAGE_MS = FULL ? 20_000 : 6_000;
export const PLATFORM_FAULT_MS = FULL ? 30_000 : 3_000;
