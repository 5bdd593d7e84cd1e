// What every desk screenshot script starts from: a private Redis (or REDIS_URL), the
// in-process SMTP server, a local Slack with one channel, the real dashboard and workers, and
// Debian's chromium (it has CJK fonts); all closed again after `shoot`, whatever happens.
import { mkdirSync } from 'node:fs';
import { startFakeSlack } from '../support/fake-slack.js';
import { startSmtp } from '../support/harness.js';
import { redisForScript } from '../support/script-redis.js';
import { deskConfig } from './desk-support.js';
import type { LaunchedBrowser } from '../support/browser.js';
import { launchChromium, startDashboard, type Dashboard } from './support.js';

export const SCREENSHOTS = 'docs/screenshots';

export async function withDeskScreenshots(shoot: (d: Dashboard, browser: LaunchedBrowser) => Promise<void>): Promise<never> {
  const redis = await redisForScript();
  const smtp = await startSmtp();
  const slack = await startFakeSlack();
  slack.addChannel('C0DESK');
  const d = await startDashboard(deskConfig(redis.url, smtp.url, { apiUrl: slack.apiUrl, token: slack.token, channel: 'C0DESK' }));
  const browser = await launchChromium();
  let code = 0;
  try {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await shoot(d, browser);
  } catch (e) {
    console.error(e);
    code = 1;
  } finally {
    await browser.close();
    await d.close();
    await slack.close();
    await smtp.close();
    await redis.stop();
  }
  // tsx's esbuild service can keep the process alive after everything above is closed.
  process.exit(code);
}
