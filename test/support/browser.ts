// A Chromium for the browser tests, found without anything `npm install` does not bring.
//
// Candidates, in order: CRIER_CHROMIUM (a path), Debian's /usr/bin/chromium (it has CJK fonts,
// so screenshots meant for people prefer it), then the headless Chromium that the devDependency
// @sparticuz/chromium ships inside its package (unpacked once to /tmp). Each candidate is tried
// by launching it, not by checking that a file exists; the first that starts is kept for the
// process. When none starts, the error lists every candidate with the reason it failed.
// No test skips for want of a browser.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';

export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** Flags for a headless browser on a machine with no network beyond loopback. */
const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

export interface Candidate {
  name: string;
  /** Resolves the executable's path; throws when the candidate is not there. */
  path(): Promise<string>;
}

function candidates(): Candidate[] {
  const list: Candidate[] = [];
  const fromEnv = process.env.CRIER_CHROMIUM;
  if (fromEnv) list.push({ name: `CRIER_CHROMIUM=${fromEnv}`, path: async () => fromEnv });
  list.push({ name: DEBIAN_CHROMIUM, path: async () => DEBIAN_CHROMIUM });
  list.push({
    name: '@sparticuz/chromium (npm devDependency)',
    path: async () => {
      const { default: packaged } = await import('@sparticuz/chromium');
      return packaged.executablePath();
    },
  });
  return list;
}

export interface LaunchedBrowser {
  context: BrowserContext;
  /** The executable that launched, e.g. /usr/bin/chromium or /tmp/chromium. */
  executablePath: string;
  close(): Promise<void>;
}

export interface LaunchOptions {
  viewport?: { width: number; height: number };
  locale?: string;
}

let chosen: string | undefined;

async function launchAt(executablePath: string, opts: LaunchOptions): Promise<LaunchedBrowser> {
  const { chromium } = await import('playwright-core');
  const userDataDir = mkdtempSync(join(tmpdir(), 'crier-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: ARGS,
      viewport: opts.viewport ?? { width: 1280, height: 900 },
      locale: opts.locale,
      timeout: 30_000,
    });
    return {
      context,
      executablePath,
      async close() {
        await context.close();
        rmSync(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw err;
  }
}

/** Launches the first Chromium that starts (remembered for the rest of the process). */
export async function launchBrowser(opts: LaunchOptions = {}): Promise<LaunchedBrowser> {
  if (chosen) return launchAt(chosen, opts);
  return launchFirst(candidates(), opts);
}

/** Tries each candidate by launching it; exported for the test of the failure message. */
export async function launchFirst(list: Candidate[], opts: LaunchOptions = {}): Promise<LaunchedBrowser> {
  const failures: string[] = [];
  for (const c of list) {
    try {
      const path = await c.path();
      const browser = await launchAt(path, opts);
      chosen = path;
      return browser;
    } catch (err) {
      failures.push(`- ${c.name}: ${firstLine(err)}`);
    }
  }
  throw new Error(
    `No Chromium could be launched for the browser tests. Tried, in order:\n${failures.join('\n')}\n` +
      'Run `npm install` (it brings @sparticuz/chromium), install Debian\'s `chromium`, or set CRIER_CHROMIUM to a Chromium binary.',
  );
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n').find((l) => l.trim() !== '')?.trim().slice(0, 300) ?? 'unknown error';
}
