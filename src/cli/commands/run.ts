// `crier start`, `crier worker`, `crier serve`: the long-running processes (src/bootstrap/run.ts).
import { runProcess, type Role } from '../../bootstrap/run.js';

export interface RunCommandOptions {
  config?: string;
  channels?: string;
}

export function runCommand(role: Role) {
  return (opts: RunCommandOptions): Promise<number> =>
    runProcess({
      role,
      configPath: opts.config,
      channels: opts.channels
        ?.split(',')
        .map((c) => c.trim())
        .filter(Boolean),
    });
}
