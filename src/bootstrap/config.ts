// Startup step 1: the configuration. Runs before anything touches Redis, so a typo in the
// file is reported as such and never as a connection problem.
import { ConfigError, loadConfig, type LoadedConfig } from '../config/load.js';
import { unavailableChannels } from '../../channels/index.js';
import { EXIT, ExitError } from './errors.js';

/** Loads and validates the configuration; refuses channels this version cannot drive. */
export function loadStartupConfig(path: string | undefined, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig({ path, env });
  } catch (err) {
    if (err instanceof ConfigError) throw new ExitError(err.message, EXIT.config);
    throw err;
  }
  const missing = unavailableChannels(loaded.config);
  if (missing.length > 0) {
    throw new ExitError(
      [
        `This version of Crier cannot drive these enabled channels yet (${loaded.source}):`,
        ...missing.map((p) => `  - ${p}`),
        'Set "enabled: false" on them (or remove them) to start with the others.',
      ].join('\n'),
      EXIT.config,
    );
  }
  return loaded;
}
