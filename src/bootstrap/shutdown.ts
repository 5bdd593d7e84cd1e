// Graceful shutdown: on SIGTERM or SIGINT, stop what was started in the reverse order
// (HTTP stops accepting first, workers let in-flight sends finish, connections close last).
// A second signal exits at once.

export interface Component {
  name: string;
  close(): Promise<void>;
}

/** Closes components last-started first; reports but survives a component that fails to close. */
export async function closeAll(components: Component[], onError: (name: string, err: Error) => void): Promise<void> {
  for (const c of [...components].reverse()) {
    try {
      await c.close();
    } catch (err) {
      onError(c.name, err as Error);
    }
  }
}

const SIGNAL_CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Resolves with the signal's name once the first SIGTERM/SIGINT arrives. From then on, a second
 * one ends the process immediately (exit 130 for SIGINT, 143 for SIGTERM).
 */
export function waitForSignal(say: (line: string) => void): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (sig: NodeJS.Signals) => {
      if (stopping) {
        say(`${sig} again: stopping at once.`);
        process.exit(SIGNAL_CODES[sig] ?? 1);
      }
      stopping = true;
      say(`${sig}: stopping (in-flight sends finish first; send it again to stop at once)…`);
      resolve(sig);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
