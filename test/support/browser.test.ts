// The browser finder: a candidate counts only when it launches, and when none does the error
// names every candidate tried with its reason (a new user must see what to install).
import { writeFileSync, chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { launchBrowser, launchFirst } from './browser.js';

const dir = mkdtempSync(join(tmpdir(), 'crier-browser-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('finding a browser for the tests', () => {
  it('tries each candidate by launching it and lists every failure with its reason', async () => {
    // A file that exists and is executable but is no browser: existence alone must not count.
    const notABrowser = join(dir, 'chromium');
    writeFileSync(notABrowser, '#!/bin/sh\necho "not a browser" >&2\nexit 3\n');
    chmodSync(notABrowser, 0o755);
    const err = await launchFirst([
      { name: 'missing', path: async () => join(dir, 'does-not-exist') },
      { name: 'fake', path: async () => notABrowser },
      { name: 'unresolvable', path: async () => { throw new Error('package not installed'); } },
    ]).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toMatch(/^No Chromium could be launched/);
    expect(message).toContain('- missing: ');
    expect(message).toContain('- fake: ');
    expect(message).toContain('- unresolvable: package not installed');
    expect(message).toContain('npm install');
  }, 60_000);

  it('launches a real Chromium from what npm install brought, and it renders a page', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      await page.setContent('<h1>Opening hours</h1>');
      expect(await page.textContent('h1')).toBe('Opening hours');
      expect(browser.executablePath).toMatch(/chromium/);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
