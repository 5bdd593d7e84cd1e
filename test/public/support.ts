// Shared by the public pages' browser tests: an axe check that fails on serious or critical
// violations, and a server whose configuration has the sign-up page's extras (a short minimum
// fill time so a test need not wait 3 s, the Telegram bot's username for the deep link).
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { configSchema, type CrierConfig } from '../../src/config/schema.js';
import { dashboardConfig } from '../admin/support.js';
import { seriousViolations } from '../support/axe.js';

export async function expectAccessible(page: Page, what: string): Promise<void> {
  expect(await seriousViolations(page, what), `axe on ${what}`).toEqual([]);
}

export function publicConfig(redisUrl: string, smtpUrl: string, extra: Record<string, unknown> = {}): CrierConfig {
  const base = dashboardConfig(redisUrl, smtpUrl);
  return configSchema.parse({
    ...base,
    subscriptions: { ...base.subscriptions, minFillSeconds: 1 },
    channels: {
      ...base.channels,
      telegram: { enabled: true, token: '123:test', apiUrl: 'http://127.0.0.1:9', bot: { enabled: true, username: 'UniLibBot' } },
    },
    ...extra,
  });
}

/** A link from a mail (under library.baseUrl) opened on the test server instead. */
export function onServer(url: string, server: string): string {
  const u = new URL(url);
  return `${server}${u.pathname}${u.search}`;
}

export const noHorizontalScroll = (page: Page): Promise<boolean> =>
  page.evaluate('document.documentElement.scrollWidth <= window.innerWidth') as Promise<boolean>;
