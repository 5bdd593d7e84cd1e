// Vitest global setup of the fault suite: each run starts a fresh results file.
import { rmSync } from 'node:fs';
import { RESULTS_FILE } from './results.js';

export function setup(): void {
  rmSync(RESULTS_FILE, { force: true });
}
