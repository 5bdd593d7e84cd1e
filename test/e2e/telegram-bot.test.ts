// `crier start` with the Telegram bot enabled, as a user runs it: the bot polls the (local)
// Bot API, a student subscribes by chat, and an announcement reaches them in their language.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CrierProcess, killAll, tempDir, writeConfig } from '../cli/crier-process.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';
import { ADMIN_TOKEN, deletePrefix, fixture, redisUrl, waitFor } from '../support/harness.js';
import { freePort } from '../../src/redis/server.js';

let fake: FakeTelegram;
const dir = tempDir('crier-bot-');
let prefix = '';

beforeAll(async () => {
  fake = await startFakeTelegram();
});
afterEach(async () => {
  await killAll();
  if (prefix) await deletePrefix(redisUrl(), prefix);
});
afterAll(async () => {
  await fake.close();
  dir.remove();
});

describe('crier start with the Telegram bot', { timeout: 90_000 }, () => {
  it('answers /start, subscribes by command, and delivers the next matching announcement in Chinese', async () => {
    const port = await freePort();
    const cfg = writeConfig(dir.path, redisUrl(), {
      server: { host: '127.0.0.1', port },
      channels: { telegram: { enabled: true, token: fake.token, apiUrl: fake.url, bot: { enabled: true, mode: 'polling' } } },
    });
    prefix = cfg.prefix;
    const crier = new CrierProcess(['start', '--config', cfg.path]);
    await crier.waitForStdout(/Running\./, 60_000);

    fake.say(4004, '/start');
    fake.say(4004, '/subscribe databases');
    fake.say(4004, '/language zh');
    await waitFor(() => fake.sent.filter((m) => m.chatId === '4004').length >= 3, { timeoutMs: 30_000, what: 'three bot replies' });

    const res = await fetch(`http://127.0.0.1:${port}/api/announcements`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(fixture('database-trial')),
    });
    expect(res.status).toBe(202);
    const announcement = await waitFor(() => fake.sent.find((m) => m.chatId === '4004' && m.params.parse_mode === 'HTML'), { timeoutMs: 30_000, what: 'announcement in the chat' });
    expect(announcement.text).toContain('IEEE Xplore 全文数据库');
    expect(announcement.text).not.toContain('Trial access');
  });
});
