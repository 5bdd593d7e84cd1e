// The few lines `crier start|serve|worker` print once running. Never a secret, except the
// demo's generated admin token, which the user needs and could not know otherwise.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { enabledChannelNames } from '../config/schema.js';
import { describeRedis } from '../redis/connection.js';

export function crierVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '?';
}

export interface BannerInfo {
  loaded: LoadedConfig;
  /** What this process runs, e.g. "HTTP server, workers". */
  role: string;
  httpUrl?: string;
  /** Channels this process's workers deliver (default: every enabled one). */
  workerChannels?: string[];
}

export function formatBanner(info: BannerInfo): string {
  const { config, source, generatedAdminToken } = info.loaded;
  const demo = source === 'demo';
  const rows: [string, string][] = [
    ['config', demo ? 'built-in demo (no config file; see config/crier.example.yaml)' : source],
    ['redis', `${describeRedis(config.redis)} (key prefix "${config.redis.prefix}")`],
    ['channels', enabledChannelNames(config).join(', ') || '(none enabled)'],
  ];
  if (info.workerChannels) rows.push(['workers', info.workerChannels.join(', ')]);
  if (config.channels.email.enabled && config.channels.email.outbox) {
    rows.push(['e-mail', `written as .eml files to ${resolve(config.channels.email.outbox)}`]);
  }
  if (info.httpUrl) {
    rows.push(['http', info.httpUrl]);
    rows.push(['dashboard', `${info.httpUrl}/admin`]);
    if (config.channels.rss.enabled) rows.push(['feed', `${info.httpUrl}/feeds/rss.xml`]);
    rows.push(['links', `${config.library.baseUrl}${info.loaded.baseUrlDerived ? '  (follows the port; set library.baseUrl for a public address)' : '  (library.baseUrl)'}`]);
  }
  // The made-up token is only of use where this process answers the API.
  if (generatedAdminToken && info.httpUrl) {
    rows.push(['admin token', `${generatedAdminToken}  (made up for this run; set CRIER_ADMIN_TOKEN to choose your own)`]);
  }
  if (info.loaded.generatedLibrarianToken && info.httpUrl) {
    rows.push(['librarian token', `${info.loaded.generatedLibrarianToken}  (made up for this run; set CRIER_LIBRARIAN_TOKEN to choose your own)`]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  return [`Crier ${crierVersion()}: ${info.role}`, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n');
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '0.0.0.0']);

/**
 * A warning when library.baseUrl names this machine on another port than the one the server
 * listens on: every link Crier writes (confirm, unsubscribe, the feed) would lead nowhere.
 */
export function baseUrlPortWarning(baseUrl: string, listeningPort: number): string | null {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return null;
  }
  const host = url.hostname.toLowerCase();
  if (!LOCAL_HOSTS.has(host) && !host.startsWith('127.')) return null;
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (port === listeningPort) return null;
  return (
    `warning: library.baseUrl is ${baseUrl} but the server listens on port ${listeningPort}: ` +
    `links in mails and the feed will not open. Set library.baseUrl to http://${url.hostname}:${listeningPort} ` +
    '(or remove it to follow the port), or listen on its port.'
  );
}
