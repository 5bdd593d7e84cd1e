// `crier preview`: what each channel would send, with markup typed into the announcement shown
// as text; works without Redis and never connects to it.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SHARED } from '../support/harness.js';
import { connectionCounter, killAll, runCrier, tempDir, writeConfig } from './crier-process.js';

const HOSTILE = `${SHARED}fixtures/announcements/hostile-markup.json`;

let dir: ReturnType<typeof tempDir>;
let fakeRedis: Awaited<ReturnType<typeof connectionCounter>>;
let config: string;

beforeAll(async () => {
  dir = tempDir();
  fakeRedis = await connectionCounter();
  config = writeConfig(dir.path, fakeRedis.url, {
    channels: { email: { enabled: true, outbox: join(dir.path, 'outbox') }, rss: { enabled: true } },
  }).path;
});
afterEach(killAll);
afterAll(async () => {
  await fakeRedis.close();
  dir.remove();
});

/** The text printed under one channel's header. */
function section(stdout: string, channel: string): string {
  const m = new RegExp(`^──── ${channel} \\(language: \\w+\\) ─+\\n([\\s\\S]*?)(?=^──── |$(?![\\s\\S]))`, 'm').exec(stdout);
  if (!m) throw new Error(`no ${channel} section in:\n${stdout}`);
  return m[1];
}

describe('crier preview', { timeout: 90_000 }, () => {
  it('shows the hostile-markup announcement for e-mail and RSS with the markup inert, without touching Redis', async () => {
    const r = await runCrier(['preview', HOSTILE, '--config', config], { cwd: dir.path });
    expect(r.code, r.stderr).toBe(0);

    const email = section(r.stdout, 'email');
    expect(email).toContain('To: reader@example.edu');
    expect(email).toMatch(/^Subject: 打印配额与收费说明 .* \/ Printing <b>quota<\/b> & fees/m);
    // Plain text: what was typed is shown as typed; the unsafe link never became a link.
    expect(email).toContain('Printing <b>quota</b> & fees: *read* [carefully] (2024_v2)!');
    expect(email).toContain('[a link](javascript:alert(1))');
    expect(email).toContain('a safe link (https://library.example.edu/print)');

    const rss = section(r.stdout, 'rss');
    // The item's title is plain text (the feed escapes it); its description is HTML.
    expect(rss).toContain('Title: 打印配额与收费说明 <script>alert(1)</script> & 注意事项');
    const html = rss.slice(rss.indexOf('Description (HTML):'));
    expect(html).toContain('<h2>Printing &lt;b&gt;quota&lt;/b&gt; &amp; fees');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toMatch(/<script|<img|<iframe|href="javascript:/i);
    expect(html).toContain('<a href="https://library.example.edu/print" rel="noopener noreferrer">a safe link</a>');

    expect(fakeRedis.connections()).toBe(0);
  });

  it('previews one channel in one language with --channel and --lang', async () => {
    const r = await runCrier(['preview', HOSTILE, '--channel', 'email', '--lang', 'zh', '--config', config], { cwd: dir.path });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^──── email \(language: zh\)/m);
    expect(r.stdout).not.toContain('──── rss');
    expect(r.stdout).toContain('Subject: 打印配额与收费说明 <script>alert(1)</script>');
    expect(r.stdout).not.toContain('Printing');
  });

  it('works with REDIS_URL at a closed port', async () => {
    const r = await runCrier(['preview', HOSTILE, '--channel', 'rss', '--config', config], { env: { REDIS_URL: 'redis://127.0.0.1:1' }, cwd: dir.path });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('RSS item for announcement preview');
  });

  it('refuses a channel that is not enabled (exit 2) and an invalid file (exit 1)', async () => {
    const off = await runCrier(['preview', HOSTILE, '--channel', 'slack', '--config', config], { cwd: dir.path });
    expect(off.code).toBe(2);
    expect(off.stderr).toContain('"slack" is not an enabled channel (enabled: email, rss)');
    const bad = await runCrier(['preview', `${SHARED}fixtures/invalid/unknown-topic.json`, '--config', config], { cwd: dir.path });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^ {2}topics\.0: unknown topic "no-such-topic"/m);
    const lang = await runCrier(['preview', HOSTILE, '--lang', 'fr', '--config', config], { cwd: dir.path });
    expect(lang.code).toBe(2);
    expect(lang.stderr).toContain('Allowed choices are en, zh, both');
  });
});
