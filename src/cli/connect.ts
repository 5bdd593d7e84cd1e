// What every CLI command that talks to Redis does first: the configuration, a Redis that
// answers, the services. When the Redis URL or key prefix is a default nobody chose, it says
// so on stderr: on a shared machine the default Redis may be someone else's, and a CLI that
// does not share the server's settings looks at another set of announcements.
import { loadStartupConfig } from '../bootstrap/config.js';
import { requireRedis } from '../bootstrap/redis.js';
import type { LoadedConfig } from '../config/load.js';
import { redactRedisUrl } from '../redis/connection.js';
import { createServices, type Services } from '../services.js';
import { createLogger } from '../util/log.js';

/** The stderr line for settings that came from defaults; null when both were chosen. */
export function redisOriginNotice(loaded: LoadedConfig): string | null {
  const d = loaded.redisDefaults;
  if (!d || (!d.url && !d.prefix)) return null;
  const { url, prefix } = loaded.config.redis;
  const what = [d.url ? 'REDIS_URL' : '', d.prefix ? 'CRIER_REDIS_PREFIX' : ''].filter(Boolean).join(' / ');
  return (
    `crier: using Redis ${redactRedisUrl(url)} with key prefix "${prefix}" (defaults: no ${what} and no config file says otherwise). ` +
    'Use the same settings as the running server (REDIS_URL, CRIER_REDIS_PREFIX or --config).'
  );
}

export interface CliSession {
  loaded: LoadedConfig;
  s: Services;
}

/** Checks Redis, builds the services, runs `fn`, closes. Takes a --config path or a loaded config. */
export async function withServices<T>(config: string | undefined | LoadedConfig, fn: (session: CliSession) => Promise<T>): Promise<T> {
  const loaded = typeof config === 'object' ? config : loadStartupConfig(config);
  const notice = redisOriginNotice(loaded);
  if (notice) console.error(notice);
  await requireRedis(loaded.config);
  const s = createServices(loaded.config, { log: createLogger('crier', 'warn') });
  try {
    return await fn({ loaded, s });
  } finally {
    await s.close();
  }
}
