// A failure that ends the command with a given exit code and a message for the user.
// Thrown by startup steps and commands; src/cli/main.ts prints it and exits.

/** Exit codes of every `crier` command (documented in `crier --help`). */
export const EXIT = {
  ok: 0,
  /** Something failed: bad input, Redis unreachable, a channel check failed, not found. */
  failure: 1,
  /** The configuration is invalid or asks for something this version cannot do; or a usage error. */
  config: 2,
  /** `post --wait`: done, but some deliveries failed. */
  doneWithFailures: 3,
  /** `post --wait`: the announcement was cancelled. */
  cancelled: 4,
} as const;

export class ExitError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'ExitError';
  }
}
