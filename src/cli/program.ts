// The `crier` program: one file per command under ./commands; each resolves with its exit code
// or throws an ExitError. src/cli/main.ts runs it.
import { Command, CommanderError, Option } from 'commander';
import { crierVersion } from '../bootstrap/banner.js';
import { EXIT, ExitError } from '../bootstrap/errors.js';

const HELP_AFTER = `
Configuration: --config F, else CRIER_CONFIG, else config/crier.yaml when present, else the
built-in demo (RSS feed + e-mail written to ./data/outbox). Environment overrides: REDIS_URL,
PORT, CRIER_CONFIG, CRIER_REDIS_PREFIX (redis.prefix).

Exit codes:
  0  success (post --wait: every delivery went out)
  1  failure: invalid announcement, Redis unreachable, a check failed, not found
  2  invalid configuration or a usage error
  3  post --wait, status ID --watch: done, but some deliveries failed (reasons are listed);
     edit --wait, retract --wait: the correction finished, but some messages failed
  4  post --wait, status ID --watch: the announcement was cancelled
  130/143  stopped by a second Ctrl-C / SIGTERM before shutting down cleanly`;

function configOption(): Option {
  return new Option('--config <file>', 'configuration file (YAML)');
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('crier')
    .description('Crier: library announcements to e-mail, RSS, chat and social channels, through Redis queues.')
    .version(crierVersion())
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', HELP_AFTER);
  // Each command's module is loaded when it runs: `--help` and `preview` stay quick, and
  // only start/worker/serve load the HTTP server and the workers.
  const run =
    <A extends unknown[]>(load: () => Promise<(...args: A) => Promise<number>>) =>
    async (...args: A) =>
      setExit(await (await load())(...args));

  program
    .command('start')
    .description('run everything in one process: HTTP server, dispatch and channel workers (the default of npm start)')
    .addOption(configOption())
    .action(run(async () => (await import('./commands/run.js')).runCommand('all')));
  program
    .command('worker')
    .description('run only workers (start more of them, on more machines, to scale out)')
    .option('--channels <list>', 'comma-separated channels to deliver, e.g. email,telegram (default: every enabled one)')
    .addOption(configOption())
    .action(run(async () => (await import('./commands/run.js')).runCommand('worker')));
  program
    .command('serve')
    .description('run only the HTTP server')
    .addOption(configOption())
    .action(run(async () => (await import('./commands/run.js')).runCommand('serve')));
  program
    .command('post')
    .description('queue an announcement (same JSON as POST /api/announcements; "-" reads standard input)')
    .argument('<file>', 'announcement JSON file')
    .option('--wait', 'show live per-channel progress until it is done; exit 0, 3 (some failed) or 4 (cancelled)')
    .addOption(configOption())
    .action(run(async () => (await import('./commands/post.js')).postCommand));
  program
    .command('status')
    .description('queue depths and the newest announcements, or one announcement with its per-channel counts')
    .argument('[id]', 'announcement id')
    .option('--watch', 'with an id: follow its per-channel progress live until it is done; exit codes as post --wait')
    .addOption(configOption())
    .action(run(async () => (await import('./commands/status.js')).statusCommand));
  program
    .command('edit')
    .description('correct an announcement: the whole new content from FILE.json (as for post); messages already sent are edited in place, or get the notice')
    .argument('<id>', 'announcement id')
    .argument('<file>', 'announcement JSON file ("-" reads standard input)')
    .option('--notice-en <text>', 'the correction notice in English (at most 280 characters), for channels that cannot edit')
    .option('--notice-zh <text>', 'the correction notice in Chinese (at most 280 characters)')
    .option('--wait', 'show live per-channel progress of the correction until it is done; exit 0 or 3 (some failed)')
    .addOption(configOption())
    .action(run(async () => (await import('./commands/corrections.js')).editCommand));
  program
    .command('retract')
    .description('withdraw an announcement: messages already sent are deleted where the platform allows, or get the notice; a scheduled one is cancelled')
    .argument('<id>', 'announcement id')
    .option('--notice-en <text>', 'the retraction notice in English (at most 280 characters)')
    .option('--notice-zh <text>', 'the retraction notice in Chinese (at most 280 characters)')
    .option('--wait', 'show live per-channel progress of the retraction until it is done; exit 0 or 3 (some failed)')
    .addOption(configOption())
    .action(run(async () => (await import('./commands/corrections.js')).retractCommand));
  program
    .command('cancel')
    .description('cancel a scheduled (or still queued) announcement, as the dashboard\'s Cancel button does')
    .argument('<id>', 'announcement id')
    .addOption(configOption())
    .action(run(async () => (await import('./commands/cancel-retry.js')).cancelCommand));
  program
    .command('retry')
    .description('send its failed deliveries again (not to bounced or blocked recipients)')
    .argument('<id>', 'announcement id')
    .option('--channel <name>', 'only this channel\'s failed deliveries, e.g. email or webhook:staff')
    .option('--wait', 'show live progress until the retried deliveries are done; exit 0 or 3 (some failed again)')
    .addOption(configOption())
    .action(run(async () => (await import('./commands/cancel-retry.js')).retryCommand));
  program
    .command('outbox')
    .description('read the e-mails written to the outbox folder (the demo): recipient, subject and whole links')
    .option('--last <n>', 'how many of the newest mails to show (default 10)')
    .addOption(configOption())
    .action(run(async () => (await import('./commands/outbox.js')).outboxCommand));
  program
    .command('preview')
    .description('print exactly what each channel would send, sending nothing (Redis is not needed)')
    .argument('<file>', 'announcement JSON file')
    .option('--channel <name>', 'only this channel')
    .addOption(new Option('--lang <language>', 'the sample recipient\'s language (default: library.defaultLanguage)').choices(['en', 'zh', 'both']))
    .addOption(configOption())
    .action(run(async () => (await import('./commands/preview.js')).previewCommand));
  const user = program.command('user').description('desk accounts: people who sign in to /admin with an e-mail address and password');
  user
    .command('add')
    .description('create an account and print a one-time link to set its password (how the first admin is made)')
    .argument('<name>', 'the person\'s name, as shown on what they post')
    .argument('<email>', 'their e-mail address (they sign in with it)')
    .addOption(new Option('--role <role>', 'what they may do').choices(['contributor', 'librarian', 'admin']).makeOptionMandatory())
    .addOption(configOption())
    .action(run(async () => (await import('./commands/user.js')).userAddCommand));
  user
    .command('link')
    .description('print a new one-time set-password link for an existing account (a forgotten password)')
    .argument('<email>', 'the account\'s e-mail address')
    .addOption(configOption())
    .action(run(async () => (await import('./commands/user.js')).userLinkCommand));
  program
    .command('check-config')
    .description('validate the configuration, reach each enabled channel with its credentials (sending nothing) and Redis')
    .addOption(configOption())
    .action(run(async () => (await import('./commands/check-config.js')).checkConfigCommand));

  program.exitOverride();
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  for (const cmd of all(program)) cmd.exitOverride();
  return program;
}

/** Runs the command line and resolves with the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.config;
    if (err instanceof ExitError) {
      console.error(err.message);
      return err.exitCode;
    }
    console.error(`crier: ${(err as Error).message ?? String(err)}`);
    if (process.env.CRIER_DEBUG) console.error(err);
    return EXIT.failure;
  }
}
