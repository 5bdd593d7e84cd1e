// The demo as a user runs it on a fresh checkout: `npm start` (node bin/crier.js start) with no
// configuration file, from an empty folder, then the HTTP API, the feed and the outbox.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/redis/server.js';
import { deletePrefix, fixture, redisUrl, uniquePrefix, waitFor } from '../support/harness.js';
import { CrierProcess, killAll, tempDir } from '../cli/crier-process.js';

let dir: ReturnType<typeof tempDir>;
let crier: CrierProcess;
const prefix = uniquePrefix('demo');

beforeAll(async () => {
  dir = tempDir('crier-demo-');
  crier = new CrierProcess(['start'], {
    cwd: dir.path,
    env: { PORT: String(await freePort()), REDIS_URL: redisUrl(), CRIER_REDIS_PREFIX: prefix },
  });
});

afterAll(async () => {
  await killAll();
  await deletePrefix(redisUrl(), prefix);
  dir.remove();
});

describe('npm start with no configuration (the demo)', { timeout: 120_000 }, () => {
  it('serves the API with the printed token, delivers to the RSS feed and the outbox, and stops cleanly on SIGTERM', async () => {
    await crier.waitForStdout(/^Running\./m, 60_000);
    const out = crier.stdout;
    expect(out).toMatch(/^ {2}config +built-in demo/m);
    expect(out).toMatch(/^ {2}channels +email, rss$/m);
    expect(out).toContain(`(key prefix "${prefix}")`);
    expect(out).toContain(`written as .eml files to ${join(dir.path, 'data', 'outbox')}`);
    const token = /^ {2}admin token +(\S+) {2}\(made up for this run; set CRIER_ADMIN_TOKEN to choose your own\)$/m.exec(out)?.[1];
    expect(token, out).toBeTruthy();
    const base = /^ {2}http +(http:\/\/\S+)$/m.exec(out)![1];
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

    await waitFor(async () => (await fetch(`${base}/health`)).status === 200, { what: '/health 200' });
    expect((await fetch(`${base}/api/announcements`)).status).toBe(401);

    const imported = await fetch(`${base}/api/subscribers/import`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify([
        { email: 'reader-en@example.edu', topics: ['hours'], language: 'en' },
        { email: 'reader-zh@example.edu', topics: ['*'], language: 'zh' },
      ]),
    });
    expect(imported.status).toBe(200);
    expect(await imported.json()).toMatchObject({ imported: 2, errors: [] });

    const posted = await fetch(`${base}/api/announcements`, { method: 'POST', headers: auth, body: JSON.stringify(fixture('holiday-hours')) });
    expect(posted.status).toBe(202);
    const { id } = (await posted.json()) as { id: string };

    const view = await waitFor(async () => {
      const v = (await (await fetch(`${base}/api/announcements/${id}`, { headers: auth })).json()) as {
        status: string;
        deliveries: Record<string, { total: number; sent: number }>;
      };
      return ['done', 'done_with_failures'].includes(v.status) ? v : null;
    }, { timeoutMs: 60_000, what: 'announcement done' });
    expect(view.status).toBe('done');
    expect(view.deliveries.email).toMatchObject({ total: 2, sent: 2 });
    expect(view.deliveries.rss).toMatchObject({ total: 1, sent: 1 });

    const feed = new XMLParser().parse(await (await fetch(`${base}/feeds/rss.xml`)).text()) as {
      rss: { channel: { item: { guid: unknown; title: string } | { guid: unknown; title: string }[] } };
    };
    const items = [feed.rss.channel.item].flat();
    const item = items.find((i) => JSON.stringify(i.guid).includes(id));
    expect(item?.title).toContain('Opening hours during the National Day holiday');

    const outbox = join(dir.path, 'data', 'outbox');
    const files = readdirSync(outbox).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(2);
    const mails = await Promise.all(files.map((f) => simpleParser(readFileSync(join(outbox, f)))));
    const subjects = new Map(mails.map((m) => [m.to && !Array.isArray(m.to) ? m.to.text : '', m.subject]));
    expect(subjects.get('reader-en@example.edu')).toBe('Opening hours during the National Day holiday');
    expect(subjects.get('reader-zh@example.edu')).toBe('国庆假期图书馆开放时间调整');

    crier.signal('SIGTERM');
    const exit = await Promise.race([crier.exited, new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
    expect(exit, `still running after SIGTERM:\n${crier.stdout}\n${crier.stderr}`).not.toBeNull();
    expect(exit!.code, exit!.stderr).toBe(0);
    expect(exit!.stdout).toMatch(/SIGTERM: stopping[\s\S]*Stopped\.\s*$/);
  });
});
