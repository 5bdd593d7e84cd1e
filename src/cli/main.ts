// `crier`: the command line (bin/crier.js runs this through tsx). See ./program.ts.
import { runCli } from './program.js';

// Exit explicitly: a one-shot command must not linger on a connection someone forgot.
process.exit(await runCli(process.argv));
