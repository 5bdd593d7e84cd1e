// The few lines `crier start|serve|worker` print once running. Never a secret, except the
// demo's generated admin token, which the user needs and could not know otherwise.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { enabledChannelNames } from '../config/schema.js';
import { redactRedisUrl } from '../redis/connection.js';

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
    ['redis', `${redactRedisUrl(config.redis.url)} (key prefix "${config.redis.prefix}")`],
    ['channels', enabledChannelNames(config).join(', ') || '(none enabled)'],
  ];
  if (info.workerChannels) rows.push(['workers', info.workerChannels.join(', ')]);
  if (config.channels.email.enabled && config.channels.email.outbox) {
    rows.push(['e-mail', `written as .eml files to ${resolve(config.channels.email.outbox)}`]);
  }
  if (info.httpUrl) rows.push(['http', info.httpUrl]);
  // The made-up token is only of use where this process answers the API.
  if (generatedAdminToken && info.httpUrl) {
    rows.push(['admin token', `${generatedAdminToken}  (made up for this run; set CRIER_ADMIN_TOKEN to choose your own)`]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  return [`Crier ${crierVersion()}: ${info.role}`, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n');
}
