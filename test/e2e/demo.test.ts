// The demo as a new user meets it on a fresh checkout: `npm start` (node bin/crier.js start)
// with no configuration file, from an empty folder, on a PORT other than 8080; then the README's
// first hour: the front door and the dashboard from the banner's URL, a student subscribes and
// confirms from the outbox mail, the example announcement goes out (one address bounces),
// the student unsubscribes from the mail's link, `crier outbox` reads the mails.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/redis/server.js';
import { deletePrefix, redisUrl, uniquePrefix, waitFor } from '../support/harness.js';
import { CrierProcess, killAll, runCrier, tempDir } from '../cli/crier-process.js';

let dir: ReturnType<typeof tempDir>;
let crier: CrierProcess;
let port: number;
const prefix = uniquePrefix('demo');

beforeAll(async () => {
  dir = tempDir('crier-demo-');
  port = await freePort();
  crier = new CrierProcess(['start'], {
    cwd: dir.path,
    env: { PORT: String(port), REDIS_URL: redisUrl(), CRIER_REDIS_PREFIX: prefix },
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
    expect(out).toMatch(/^ {2}librarian token +\S+ {2}\(made up for this run; set CRIER_LIBRARIAN_TOKEN to choose your own\)$/m);
    // The banner names the dashboard and the feed; the links Crier writes follow PORT.
    const base = /^ {2}http +(http:\/\/\S+)$/m.exec(out)![1];
    expect(base).toBe(`http://127.0.0.1:${port}`);
    expect(out).toMatch(new RegExp(`^ {2}dashboard +http://127\\.0\\.0\\.1:${port}/admin$`, 'm'));
    expect(out).toMatch(new RegExp(`^ {2}feed +http://127\\.0\\.0\\.1:${port}/feeds/rss\\.xml$`, 'm'));
    expect(out).toMatch(new RegExp(`^ {2}links +http://127\\.0\\.0\\.1:${port} {2}\\(follows the port`, 'm'));
    expect(crier.stderr).not.toContain('warning: library.baseUrl');
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

    await waitFor(async () => (await fetch(`${base}/health`)).status === 200, { what: '/health 200' });
    expect((await fetch(`${base}/api/announcements`)).status).toBe(401);
    // The front door leads to the dashboard and the feed; the dashboard asks to sign in.
    const home = await fetch(`${base}/`);
    expect(home.status).toBe(200);
    const homeHtml = await home.text();
    expect(homeHtml).toContain('href="/admin"');
    expect(homeHtml).toContain('href="/subscribe"');
    expect(homeHtml).toContain('href="/news"');
    expect((await fetch(`${base}/subscribe`)).status).toBe(200);
    expect(homeHtml).toContain('href="/feeds/rss.xml"');
    const signIn = await fetch(`${base}/admin`, { redirect: 'manual' });
    expect([signIn.status, signIn.headers.get('location')]).toEqual([303, '/admin/login']);
    expect((await fetch(`${base}/admin/login`)).status).toBe(200);

    const imported = await fetch(`${base}/api/subscribers/import`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify([
        { email: 'reader-en@example.edu', topics: ['hours'], language: 'en' },
        { email: 'reader-zh@example.edu', topics: ['*'], language: 'zh' },
        { email: 'nobody@nowhere.invalid', topics: ['hours'], language: 'en' },
      ]),
    });
    expect(imported.status).toBe(200);
    expect(await imported.json()).toMatchObject({ imported: 3, errors: [] });

    // A student subscribes, and confirms from the link in the outbox mail.
    const outbox = join(dir.path, 'data', 'outbox');
    const sub = await fetch(`${base}/api/subscribers`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'new.student@example.edu', topics: ['hours'], language: 'both' }),
    });
    expect(sub.status).toBe(202);
    const confirmMail = await waitFor(async () => (await mailsIn(outbox)).find((m) => to(m) === 'new.student@example.edu') ?? null, { what: 'confirmation mail' });
    const confirmLink = linksIn(confirmMail).find((l) => l.includes('/subscriptions/confirm?token='));
    expect(confirmLink, confirmMail.text).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/subscriptions/confirm\\?token=`));
    expect((await fetch(confirmLink!)).status).toBe(200);

    const example = JSON.parse(readFileSync(new URL('../../examples/announcements/holiday-hours.json', import.meta.url), 'utf8')) as unknown;
    const posted = await fetch(`${base}/api/announcements`, { method: 'POST', headers: auth, body: JSON.stringify(example) });
    expect(posted.status).toBe(202);
    const { id } = (await posted.json()) as { id: string };

    const view = await waitFor(async () => {
      const v = (await (await fetch(`${base}/api/announcements/${id}`, { headers: auth })).json()) as {
        status: string;
        deliveries: Record<string, { total: number; sent: number; failed: number }>;
      };
      return ['done', 'done_with_failures'].includes(v.status) ? v : null;
    }, { timeoutMs: 60_000, what: 'announcement done' });
    // The demo shows a failure with its reason: the .invalid address bounces.
    expect(view.status).toBe('done_with_failures');
    expect(view.deliveries.email).toMatchObject({ total: 4, sent: 3, failed: 1 });
    expect(view.deliveries.rss).toMatchObject({ total: 1, sent: 1 });
    const failed = (await (await fetch(`${base}/api/announcements/${id}/deliveries?status=failed`, { headers: auth })).json()) as {
      items: { address: string; error: string }[];
    };
    expect(failed.items).toEqual([expect.objectContaining({ address: 'nobody@nowhere.invalid', error: expect.stringMatching(/^bounced: 550 5\.1\.2 .*domain does not exist/) })]);

    const feed = new XMLParser().parse(await (await fetch(`${base}/feeds/rss.xml`)).text()) as {
      rss: { channel: { link: string; item: { guid: unknown; title: string } | { guid: unknown; title: string }[] } };
    };
    const items = [feed.rss.channel.item].flat();
    const item = items.find((i) => JSON.stringify(i.guid).includes(id));
    expect(item?.title).toContain('Opening hours during the National Day holiday');

    const mails = (await mailsIn(outbox)).filter((m) => m.headers.get('x-crier-announcement') === id);
    const subjects = new Map(mails.map((m) => [to(m), m.subject]));
    expect(subjects.get('reader-en@example.edu')).toBe('Opening hours during the National Day holiday');
    expect(subjects.get('reader-zh@example.edu')).toBe('国庆假期图书馆开放时间调整');
    expect(subjects.has('nobody@nowhere.invalid')).toBe(false);

    // The new student's mail: its unsubscribe link opens (a page, GET never unsubscribes), and
    // the one-click POST of its List-Unsubscribe header unsubscribes.
    const studentMail = mails.find((m) => to(m) === 'new.student@example.edu')!;
    expect(studentMail, 'the confirmed student got the announcement').toBeTruthy();
    const header = studentMail.headerLines.find((h) => h.key === 'list-unsubscribe')?.line ?? '';
    const unsubscribe = /<([^>]+)>/.exec(header)?.[1];
    expect(unsubscribe).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/subscriptions/unsubscribe\\?token=`));
    expect((await fetch(unsubscribe!)).status).toBe(200);
    const oneClick = await fetch(unsubscribe!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(oneClick.status).toBe(200);
    const found = (await (await fetch(`${base}/api/subscribers?q=new.student`, { headers: auth })).json()) as { items: { status: string }[] };
    expect(found.items.map((i) => i.status)).toEqual(['unsubscribed']);

    // `crier outbox` prints the links whole (the .eml files are quoted-printable).
    const listed = await runCrier(['outbox', '--last', '50'], { cwd: dir.path, env: { PORT: String(port) } });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('To:      new.student@example.edu');
    expect(listed.stdout).toContain(`Link:    ${confirmLink}`);

    crier.signal('SIGTERM');
    const exit = await Promise.race([crier.exited, new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
    expect(exit, `still running after SIGTERM:\n${crier.stdout}\n${crier.stderr}`).not.toBeNull();
    expect(exit!.code, exit!.stderr).toBe(0);
    expect(exit!.stdout).toMatch(/SIGTERM: stopping[\s\S]*Stopped\.\s*$/);
  });
});

async function mailsIn(folder: string): Promise<ParsedMail[]> {
  let files: string[];
  try {
    files = readdirSync(folder).filter((f) => f.endsWith('.eml'));
  } catch {
    return [];
  }
  return Promise.all(files.map((f) => simpleParser(readFileSync(join(folder, f)))));
}

const to = (m: ParsedMail): string => (m.to && !Array.isArray(m.to) ? m.to.text : '');
const linksIn = (m: ParsedMail): string[] => (m.text ?? '').match(/https?:\/\/[^\s<>"')\]]+/g) ?? [];
