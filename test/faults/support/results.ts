// The figures a fault scenario measured: printed as one line (`FAULT name: k=v …`) and appended
// to .fault-results.json (one JSON object per line, gitignored) for the README to quote.
import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const RESULTS_FILE = fileURLToPath(new URL('../../../.fault-results.json', import.meta.url));

export type Figures = Record<string, number | string | boolean>;

export function report(scenario: string, figures: Figures): void {
  const line = `FAULT ${scenario}: ${Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(' ')}`;
  // process.stdout: printed as it happens, not only when vitest shows the test's console.
  process.stdout.write(`${line}\n`);
  appendFileSync(RESULTS_FILE, `${JSON.stringify({ scenario, at: new Date().toISOString(), ...figures })}\n`);
}
