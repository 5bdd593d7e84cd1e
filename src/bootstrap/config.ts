// Startup step 1: the configuration. Runs before anything touches Redis, so a typo in the
// file is reported as such and never as a connection problem.
import { ConfigError, loadConfig, type LoadedConfig } from '../config/load.js';
import { EXIT, ExitError } from './errors.js';

/** Loads and validates the configuration; a ConfigError becomes exit code 2. */
export function loadStartupConfig(path: string | undefined, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig({ path, env });
  } catch (err) {
    if (err instanceof ConfigError) throw new ExitError(err.message, EXIT.config);
    throw err;
  }
  return loaded;
}
