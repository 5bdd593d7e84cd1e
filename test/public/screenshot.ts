// Takes the README's sign-up and subscriber-list screenshots:
//
//   node bin/run-ts.js test/public/screenshot.ts
//
// A private redis-server (or REDIS_URL), the in-process SMTP server, the real HTTP server and
// Debian's chromium (CJK fonts). Writes docs/screenshots/subscribe-en.png and subscribe-zh.png
// (1280 px), subscribe-phone.png (390 px, Chinese) and subscribers.png (the admin's list).
import { mkdirSync } from 'node:fs';
import { ADMIN_TOKEN, launchChromium, signInWithToken, startDashboard } from '../admin/support.js';
import { startSmtp } from '../support/harness.js';
import { publicConfig } from './support.js';
import { redisForScript } from '../support/script-redis.js';

const OUT = 'docs/screenshots';

const redis = await redisForScript();
const redisUrl = redis.url;

const smtp = await startSmtp();
const d = await startDashboard(publicConfig(redisUrl, smtp.url, { library: { name: { en: 'Central University Library', zh: '中央大学图书馆' }, baseUrl: 'http://crier.test', timezone: 'Asia/Shanghai', defaultLanguage: 'both' } }));
const browser = await launchChromium();
try {
  mkdirSync(OUT, { recursive: true });
  const people: [string, string, string[], 'zh' | 'en' | 'both', 'active' | 'pending' | 'unsubscribed' | 'bounced' | 'blocked'][] = [
    ['email', 'li.wei@stu.example.edu', ['hours', 'events'], 'zh', 'active'],
    ['email', 'maria.santos@example.edu', ['databases'], 'en', 'active'],
    ['telegram', '581204417', ['*'], 'both', 'active'],
    ['email', 'zhang.min@stu.example.edu', ['training'], 'zh', 'pending'],
    ['email', 'old.address@example.edu', ['*'], 'en', 'bounced'],
    ['telegram', '730011562', ['events'], 'zh', 'blocked'],
    ['email', 'chen.jie@stu.example.edu', ['hours'], 'both', 'unsubscribed'],
    ['email', 'a.kumar@example.edu', ['databases', 'services'], 'en', 'active'],
  ];
  for (const [channel, address, topics, language, status] of people) await d.s.subscribers.upsert({ channel, address, topics, language, status });

  const page = await browser.context.newPage();
  for (const lang of ['en', 'zh'] as const) {
    await page.setViewportSize({ width: 1280, height: 1000 });
    await page.goto(`${d.url}/subscribe?topic=events&lang=${lang}`);
    await page.screenshot({ path: `${OUT}/subscribe-${lang}.png`, fullPage: true });
    console.log(`wrote ${OUT}/subscribe-${lang}.png`);
  }
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${d.url}/subscribe?topic=events&lang=zh`);
  await page.screenshot({ path: `${OUT}/subscribe-phone.png`, fullPage: true });
  console.log(`wrote ${OUT}/subscribe-phone.png`);

  await page.setViewportSize({ width: 1280, height: 760 });
  await signInWithToken(page, d.url, ADMIN_TOKEN);
  await page.goto(`${d.url}/admin/subscribers/list`);
  await page.screenshot({ path: `${OUT}/subscribers.png` });
  console.log(`wrote ${OUT}/subscribers.png`);
} finally {
  await browser.close();
  await d.close();
  await smtp.close();
  await redis.stop();
}
process.exit(0);
