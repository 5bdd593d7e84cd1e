// The long-running processes: `crier start` (everything), `crier worker`, `crier serve`.
// Startup: configuration (exit 2 before Redis is touched) → Redis (maybe a private one) →
// connections → workers → HTTP → optional parts → banner; then wait for a signal and close
// in the reverse order.
import { startHttpServer } from '../http/app.js';
import { enabledChannelNames, type CrierConfig } from '../config/schema.js';
import { createServices, type Services } from '../services.js';
import { startWorkers } from '../../workers/index.js';
import { startChannelParts } from '../channel-builder.js';
import { baseUrlPortWarning, formatBanner } from './banner.js';
import { loadStartupConfig } from './config.js';
import { EXIT, ExitError } from './errors.js';
import { ensureRedis, privateRedisNotice, requireRedis } from './redis.js';
import { closeAll, waitForSignal, type Component } from './shutdown.js';

export type Role = 'all' | 'worker' | 'serve';

export interface RunOptions {
  role: Role;
  configPath?: string;
  /** `crier worker --channels`: only these channels' delivery workers. */
  channels?: string[];
  out?: (line: string) => void;
  err?: (line: string) => void;
}

/**
 * What channels keep running (the Telegram bot) runs where the HTTP server runs (start, serve),
 * never in a bare worker: Telegram allows one poller per bot, and webhook updates arrive at the
 * HTTP server.
 */
async function startChannelPartsFor(s: Pick<Services, 'config' | 'channelDeps'>, role: Role): Promise<Component[]> {
  if (role === 'worker') return [];
  return startChannelParts(s.config, s.channelDeps);
}

const ROLE_NAMES: Record<Role, string> = {
  all: 'HTTP server and workers in one process',
  worker: 'workers only',
  serve: 'HTTP server only',
};

/** Runs until SIGTERM/SIGINT; resolves with the exit code once everything closed. */
export async function runProcess(opts: RunOptions): Promise<number> {
  const out = opts.out ?? ((l: string) => console.log(l));
  const err = opts.err ?? ((l: string) => console.error(l));
  const loaded = loadStartupConfig(opts.configPath);
  const { config } = loaded;
  const workerChannels = opts.role === 'serve' ? undefined : checkWorkerChannels(opts.channels, config);

  if (opts.role === 'all') {
    const started = await ensureRedis(config);
    if (started) out(privateRedisNotice(started));
  } else {
    await requireRedis(config);
  }

  // From here a signal means "stop once started"; a second one exits at once.
  const signal = waitForSignal(out);
  const s = createServices(config);
  const components: Component[] = [{ name: 'connections', close: () => s.close() }];
  const onCloseError = (name: string, e: Error) => err(`while stopping ${name}: ${e.message}`);
  let httpUrl: string | undefined;
  try {
    if (workerChannels) {
      const workers = await startWorkers(s, opts.channels ? { channels: workerChannels } : {});
      components.push({ name: 'workers', close: () => workers.close() });
    }
    if (opts.role !== 'worker') {
      const http = await startHttpServer(s).catch((e: NodeJS.ErrnoException) => {
        throw listenError(e, config.server.host, config.server.port);
      });
      httpUrl = http.url;
      components.push({ name: 'HTTP server', close: () => http.close() });
      const warning = baseUrlPortWarning(config.library.baseUrl, Number(new URL(http.url).port));
      if (warning) err(warning);
    }
    for (const part of await startChannelPartsFor(s, opts.role)) components.push(part);
  } catch (e) {
    await closeAll(components, onCloseError);
    throw e;
  }

  out(formatBanner({ loaded, role: ROLE_NAMES[opts.role], httpUrl, workerChannels: opts.role === 'worker' ? workerChannels : undefined }));
  out('Running. Press Ctrl-C (or send SIGTERM) to stop.');
  await signal;
  await closeAll(components, onCloseError);
  out('Stopped.');
  return EXIT.ok;
}

/** `--channels` must name enabled channels; none given means every enabled one. */
function checkWorkerChannels(asked: string[] | undefined, config: CrierConfig): string[] {
  const enabled = enabledChannelNames(config);
  if (!asked) return enabled;
  const unknown = asked.filter((n) => !enabled.includes(n));
  if (unknown.length > 0) {
    throw new ExitError(`--channels: not enabled in the configuration: ${unknown.join(', ')} (enabled: ${enabled.join(', ') || 'none'})`, EXIT.config);
  }
  return asked;
}

function listenError(e: NodeJS.ErrnoException, host: string, port: number): Error {
  if (e.code === 'EADDRINUSE') return new ExitError(`Cannot listen on ${host}:${port}: the port is in use. Set PORT (or server.port) to another one.`, EXIT.failure);
  if (e.code === 'EACCES') return new ExitError(`Cannot listen on ${host}:${port}: permission denied. Use a port above 1023 (PORT or server.port).`, EXIT.failure);
  return e;
}
