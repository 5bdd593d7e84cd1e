// Loads the configuration: file (or the demo), `${NAME}` from the environment, validation,
// and the environment overrides of the contract (REDIS_URL, PORT).
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { AnyChannelModule } from '../channel-module.js';
import { buildConfigSchema, configSchema, type CrierConfig } from './schema.js';
import { formatIssues } from '../util/issues.js';

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Invalid configuration (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig {
  config: CrierConfig;
  /** The file read, or "demo". */
  source: string;
  /** Set when the demo made up an admin token: printed once at start. */
  generatedAdminToken?: string;
  /** The same for the demo's librarian token (a librarian's view of the dashboard). */
  generatedLibrarianToken?: string;
  /** True when library.baseUrl was not given and follows the listening host and port. */
  baseUrlDerived?: boolean;
  /** Which Redis settings nobody chose: no REDIS_URL/CRIER_REDIS_PREFIX, nothing in a file (the demo counts as nothing). */
  redisDefaults?: { url: boolean; prefix: boolean };
}

export const DEMO_CONFIG_PATH = new URL('../../config/demo.yaml', import.meta.url);

/** --config F, else CRIER_CONFIG, else config/crier.yaml when present, else the demo. */
export function resolveConfigPath(explicit: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string | null {
  if (explicit) return resolve(cwd, explicit);
  if (env.CRIER_CONFIG) return resolve(cwd, env.CRIER_CONFIG);
  const local = resolve(cwd, 'config/crier.yaml');
  return existsSync(local) ? local : null;
}

export function loadConfig(
  opts: {
    path?: string; env?: NodeJS.ProcessEnv; cwd?: string;
    /** The channel modules whose settings the file may hold: the registry's unless given (a test's own channel). */
    channels?: readonly AnyChannelModule[];
  } = {},
): LoadedConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const path = resolveConfigPath(opts.path, env, cwd);
  const isDemo = path === null;
  const source = path ?? 'demo';
  const file = path ?? DEMO_CONFIG_PATH;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(source, [`cannot read the file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (err) {
    throw new ConfigError(source, [`not valid YAML: ${(err as Error).message.split('\n')[0]}`]);
  }

  // The demo's tokens: the environment's, or made up for this run and printed by the banner.
  let generatedAdminToken: string | undefined;
  let generatedLibrarianToken: string | undefined;
  const demoEnv = { ...env };
  if (isDemo && !env.CRIER_ADMIN_TOKEN) demoEnv.CRIER_ADMIN_TOKEN = generatedAdminToken = randomBytes(18).toString('base64url');
  if (isDemo && !env.CRIER_LIBRARIAN_TOKEN) demoEnv.CRIER_LIBRARIAN_TOKEN = generatedLibrarianToken = randomBytes(18).toString('base64url');

  const missing: { path: string; name: string }[] = [];
  const substituted = substituteEnv(raw, isDemo ? demoEnv : env, [], missing);
  applyOverrides(substituted, env);
  const baseUrlDerived = deriveBaseUrl(substituted);
  const fileRedis = isDemo ? undefined : (raw as { redis?: { url?: unknown; prefix?: unknown } } | null)?.redis;
  const redisDefaults = {
    url: !env.REDIS_URL && (fileRedis?.url === undefined || fileRedis?.url === null),
    prefix: !env.CRIER_REDIS_PREFIX && (fileRedis?.prefix === undefined || fileRedis?.prefix === null),
  };

  const schema = opts.channels ? buildConfigSchema(opts.channels) : configSchema;
  const parsed = schema.safeParse(substituted);
  const problems: string[] = [];
  const missingPaths = new Set(missing.map((m) => m.path));
  if (!parsed.success) {
    for (const i of formatIssues(parsed.error.issues)) {
      // An unset variable is reported once, as such, not also as the empty value it left.
      if (!missingPaths.has(i.path)) problems.push(`${i.path}: ${i.message}`);
    }
  }
  // A missing variable only matters where it is used: not under a switched-off channel.
  const cfgForEnabled = parsed.success ? parsed.data : undefined;
  for (const m of missing) {
    if (cfgForEnabled && isUnderDisabledChannel(m.path, cfgForEnabled)) continue;
    problems.push(`${m.path}: environment variable ${m.name} is not set`);
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(source, problems);
  return { config: parsed.data, source, generatedAdminToken, generatedLibrarianToken, baseUrlDerived, redisDefaults };
}

/** Replaces `${NAME}` in every string; records the paths whose variable is not set. */
function substituteEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  path: (string | number)[],
  missing: { path: string; name: string }[],
): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const v = env[name];
      if (v === undefined || v === '') {
        missing.push({ path: path.join('.'), name });
        return '';
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, [...path, i], missing));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, [...path, k], missing)]),
    );
  }
  return value;
}

/** REDIS_URL, CRIER_REDIS_PREFIX and PORT from the environment win over the file. */
function applyOverrides(raw: unknown, env: NodeJS.ProcessEnv): void {
  if (!raw || typeof raw !== 'object') return;
  const obj = raw as Record<string, Record<string, unknown> | undefined>;
  if (env.REDIS_URL) obj.redis = { ...(obj.redis ?? {}), url: env.REDIS_URL };
  if (env.CRIER_REDIS_PREFIX) obj.redis = { ...(obj.redis ?? {}), prefix: env.CRIER_REDIS_PREFIX };
  if (env.PORT) {
    const port = Number(env.PORT);
    obj.server = { ...(obj.server ?? {}), port: Number.isInteger(port) ? port : env.PORT };
  }
}

/** Listening on every interface: this machine is reached as localhost. */
const WILDCARD_HOSTS = new Set(['', '0.0.0.0', '::']);

/**
 * Without library.baseUrl, links (confirm, unsubscribe, the feed) point where this server
 * listens: http://<host>:<port> (localhost for a wildcard host), so `PORT=18480 npm start` writes links that open. A public
 * deployment sets baseUrl. Returns whether it derived one.
 */
function deriveBaseUrl(raw: unknown): boolean {
  if (!raw || typeof raw !== 'object') return false;
  const obj = raw as { library?: Record<string, unknown> | null; server?: Record<string, unknown> | null };
  if (obj.library && typeof obj.library === 'object' && obj.library.baseUrl !== undefined) return false;
  const server = obj.server && typeof obj.server === 'object' ? obj.server : {};
  const port = server.port === undefined ? 8080 : server.port;
  const host = server.host === undefined ? '0.0.0.0' : server.host;
  // Leave invalid values to the schema's own errors, and port 0 (a free port, tests) alone.
  if (typeof port !== 'number' || !Number.isInteger(port) || port <= 0 || port > 65535 || typeof host !== 'string') return false;
  const shown = WILDCARD_HOSTS.has(host) ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  obj.library = { ...(obj.library ?? {}), baseUrl: `http://${shown}:${port}` };
  return true;
}

function isUnderDisabledChannel(path: string, cfg: CrierConfig): boolean {
  const parts = path.split('.');
  if (parts[0] !== 'channels') return false;
  const section = (cfg.channels as Record<string, unknown>)[parts[1]];
  // A list of channels (webhooks): the entry the path is under.
  const ch = Array.isArray(section) ? section[Number(parts[2])] : section;
  return typeof ch === 'object' && ch !== null && 'enabled' in ch && ch.enabled === false;
}
