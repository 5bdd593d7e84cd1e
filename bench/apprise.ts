// Against Debian's `apprise` CLI, to the same local receivers (own processes): N e-mails to
// the SMTP sink, and one JSON POST to each of W webhooks at the HTTP sink. Apprise runs at its
// best: one invocation with every target (it reuses one SMTP connection for the e-mails and
// posts to the webhooks concurrently), timed until it exits — a CLI is paid for with its
// start-up. Crier's time is post to done with its workers running, as a deployment runs.
// Ratio = apprise time / Crier time. Without apprise (and no apt-get), null with a note.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWorkers } from '../workers/index.js';
import { emailChannel } from './email.js';
import { benchServices, envInt, post, prefix, progress, ratio, seed, startSink, waitDone } from './support.js';

const N = envInt('BENCH_APPRISE_N', 500);
const W = envInt('BENCH_APPRISE_WEBHOOK_N', 50);
const BODY = 'The reading room opens at 08:00.';

function hasApprise(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v apprise'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Runs apprise with a configuration file of URLs (one per line); ms until it exits. */
async function timeApprise(dir: string, urls: string[]): Promise<number> {
  const file = join(dir, `apprise-${Date.now()}.txt`);
  writeFileSync(file, `${urls.join('\n')}\n`);
  const start = performance.now();
  const code = await new Promise<number | null>((resolve) => {
    const p = spawn('apprise', ['--config', file, '-t', 'Bench announcement', '-b', BODY], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('close', (c) => (c === 0 ? resolve(c) : (progress(`apprise: ${err.trim()}`), resolve(c))));
  });
  if (code !== 0) throw new Error(`apprise exited ${code}`);
  return performance.now() - start;
}

async function crierTime(raw: Record<string, unknown>, setup: (s: ReturnType<typeof benchServices>['s']) => Promise<void>, channels: string[], n: number): Promise<number> {
  const { s } = benchServices(prefix('apprise'), raw);
  try {
    await setup(s);
    const workers = await startWorkers(s);
    const start = performance.now();
    const id = await post(s, BODY);
    await waitDone(s, id, channels, n);
    const ms = performance.now() - start;
    await workers.close();
    return ms;
  } finally {
    await s.close();
  }
}

export async function apprise(): Promise<Record<string, unknown>> {
  if (!hasApprise()) {
    const note = 'apprise is not installed (apt-get install -y apprise)';
    return { email_vs_apprise: null, email_vs_apprise_note: note, webhook_vs_apprise: null, webhook_vs_apprise_note: note };
  }
  const version = execFileSync('apprise', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  const smtp = await startSink('smtp');
  const http = await startSink('http');
  const dir = mkdtempSync(join(tmpdir(), 'crier-bench-apprise-'));
  try {
    const addresses = Array.from({ length: N }, (_, i) => `s${i}@example.edu`);
    // mailto:// (not mailtos://) is plain SMTP, as the sink speaks; every address is one e-mail.
    const appriseMail = await timeApprise(dir, [`mailto://127.0.0.1:${smtp.port}?from=library@example.edu&to=${addresses.join(',')}`]);
    const crierMail = await crierTime({ channels: emailChannel(smtp.port) }, (s) => seed(s, 'email', N, (i) => addresses[i]), ['email'], N);
    progress(`apprise: ${N} e-mails: apprise ${Math.round(appriseMail)} ms, Crier ${Math.round(crierMail)} ms`);

    const hooks = Array.from({ length: W }, (_, i) => `h${i}`);
    const appriseHook = await timeApprise(dir, hooks.map((h) => `json://127.0.0.1:${http.port}/${h}`));
    const webhooks = hooks.map((h) => ({ name: h, kind: 'json', url: `http://127.0.0.1:${http.port}/${h}`, secret: 'bench-signing-secret' }));
    const crierHook = await crierTime({ channels: { webhooks } }, async () => {}, hooks.map((h) => `webhook:${h}`), W);
    progress(`apprise: ${W} webhooks: apprise ${Math.round(appriseHook)} ms, Crier ${Math.round(crierHook)} ms`);
    return {
      email_vs_apprise: ratio(appriseMail, crierMail),
      webhook_vs_apprise: ratio(appriseHook, crierHook),
      apprise_version: version,
      apprise_email_n: N,
      apprise_webhook_n: W,
      apprise_ms: { email: Math.round(appriseMail), webhook: Math.round(appriseHook) },
      crier_ms_vs_apprise: { email: Math.round(crierMail), webhook: Math.round(crierHook) },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await smtp.stop();
    await http.stop();
  }
}
