// The desk in a browser, shared by its browser test and the screenshot script: a dashboard
// with e-mail (in-process SMTP), RSS, a local fake Slack, and Telegram, Mastodon and a WeCom
// robot configured (at addresses nothing answers: they are there for the length counters,
// and announcements in these tests leave them out). Nothing here calls vitest's inject().
import type { Page } from 'playwright-core';
import { AccountStore } from '../../src/accounts/store.js';
import { validateAnnouncement } from '../../src/announcement/schema.js';
import { configSchema, type CrierConfig } from '../../src/config/schema.js';
import type { Role } from '../../src/http/auth.js';
import type { Services } from '../../src/services.js';
import { seriousViolations } from '../support/axe.js';
import { TOPICS, uniquePrefix } from '../support/harness.js';
import { ADMIN_TOKEN, LIBRARIAN_TOKEN, type Dashboard } from './support.js';

export const DESK_PASSWORD = 'a long enough pass phrase';

export function deskConfig(redisUrl: string, smtpUrl: string, slack: { apiUrl: string; token: string; channel: string }): CrierConfig {
  return configSchema.parse({
    library: { baseUrl: 'http://crier.test', timezone: 'Asia/Shanghai' },
    server: { host: '127.0.0.1', port: 0 },
    redis: { url: redisUrl, prefix: uniquePrefix('desk') },
    auth: { tokens: [{ name: 'systems', role: 'admin', token: ADMIN_TOKEN }, { name: 'circulation-desk', role: 'librarian', token: LIBRARIAN_TOKEN }] },
    topics: TOPICS,
    channels: {
      email: { enabled: true, smtpUrl, perSecond: 100, poolSize: 2 },
      rss: { enabled: true },
      slack: { enabled: true, token: slack.token, apiUrl: slack.apiUrl, targets: [{ channel: slack.channel, topics: ['*'] }] },
      telegram: { enabled: true, token: '123:abc', apiUrl: 'http://127.0.0.1:9', targets: [{ chatId: '@library', topics: ['*'] }], bot: { enabled: false } },
      mastodon: { enabled: true, instanceUrl: 'http://127.0.0.1:9', accessToken: 'x', topics: ['*'] },
      webhooks: [{ name: 'eng-faculty', kind: 'wecom', url: 'http://127.0.0.1:9/cgi-bin/webhook/send?key=k', topics: ['*'] }],
    },
    delivery: { attempts: 2, backoffMs: 20, batchSize: 10, pageSize: 100 },
  });
}

/** An account with a password, as `crier user add` and the set-password page would leave it. */
export async function deskAccount(d: Dashboard, name: string, email: string, role: Role, password = DESK_PASSWORD) {
  const accounts = new AccountStore(d.s.redis, d.s.keys);
  const a = await accounts.create({ name, email, role, createdBy: 'test' });
  await accounts.setPassword(a.id, password);
  return a;
}

/** Signs whoever is signed in out (cookies cleared), then in with e-mail and password. */
export async function signInWithPassword(page: Page, base: string, email: string, password = DESK_PASSWORD): Promise<void> {
  await page.context().clearCookies();
  await page.goto(`${base}/admin/login`);
  await page.getByLabel('E-mail', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/admin/login')), page.click('#password-form button[type=submit]')]);
}

/** axe's serious and critical violations on the page, one line each (empty when none). */
export const axeProblems = seriousViolations;

/** Unchecks the channels a test must not send to (nothing answers there). */
export async function onlyChannels(page: Page, keep: string[]): Promise<void> {
  for (const box of await page.locator('input[name="channels"]').all()) {
    const v = await box.getAttribute('value');
    if (keep.includes(v ?? '')) await box.check();
    else await box.uncheck();
  }
}

/** The week of Monday 4 November 2030 (library time, Asia/Shanghai) on Upcoming's week view. */
export const SEEDED_WEEK = '2030-11-04';

/** Scheduled announcements in SEEDED_WEEK, a busy Tuesday and a free weekend; their ids. */
export async function seedWeek(s: Services): Promise<string[]> {
  const items: [string, string, string, string][] = [
    ['2030-11-04T09:00', '三至五楼书库调整开始', 'Stack reorganisation on floors 3–5 begins', 'services'],
    ['2030-11-05T10:00', '数据库讲座：Web of Science 检索入门', 'Database workshop: getting started with Web of Science', 'training'],
    ['2030-11-05T14:30', '新生图书馆导览', 'Freshman library tour', 'training'],
    ['2030-11-05T19:00', '读书会：十一月共读《围城》', 'Reading club: Fortress Besieged in November', 'events'],
    ['2030-11-07T08:00', '周四总馆提前至 7:30 开馆', 'Central Library opens at 7:30 on Thursday', 'hours'],
    ['2030-11-08T16:00', '馆际互借服务暂停一天', 'Interlibrary loan paused for one day', 'services'],
  ];
  const ids: string[] = [];
  for (const [at, zh, en, topic] of items) {
    const v = validateAnnouncement(s.producer.schema, { title: { zh, en }, body: { zh, en }, topics: [topic], publishAt: `${at}:00+08:00`, channels: ['rss'] });
    if (!v.ok) throw new Error(JSON.stringify(v.issues));
    ids.push((await s.producer.create(v.value, { createdBy: 'Lin Wei' })).id);
  }
  return ids;
}
