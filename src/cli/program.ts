/**
 * The ltobms command line: builds the commander program from the command table
 * (src/cli/commands/) and maps parse errors to exit code 2.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { declareInvoked, registerCommands, subcommandTerm } from './commands/index.js';
import { enableDebug } from '../util/debug.js';
import { ExitCode, LtobmsError } from '../errors.js';
import { applySettings } from './settings.js';
import { formatError } from './run.js';

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function buildProgram(): Command {
  const program = new Command('ltobms');
  program
    .description(
      'Build, program, configure, log and emulate the 1S LTO / Na-ion battery-management board (ATtiny824).',
    )
    .version(packageVersion(), '-V, --version', 'print the ltobms version')
    .option('-v, --verbose', 'debug output on stderr (same as DEBUG=ltobms:*)')
    .showHelpAfterError('(run the command with --help for usage)')
    .exitOverride()
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true, subcommandTerm })
    .hook('preAction', async (cmd, actionCmd) => {
      if (cmd.opts().verbose) enableDebug('ltobms:*');
      await applySettings(actionCmd);
    })
    .addHelpText(
      'after',
      `
Examples:
  $ ltobms eeprom --sn 7 --temp-offset 5        print a configuration image
  $ ltobms <command> --help                     help for one command

Exit codes: 0 success, 1 the job failed, 2 bad usage or input, 130 interrupted.`,
    );
  registerCommands(program);
  return program;
}

/**
 * A reader that goes away (`ltobms --help | head -1`, a closed pipe to `ltobms sim`) is not an
 * error of ours: the rest of that output is dropped quietly. Short commands then finish as usual;
 * long-running ones (sim, log) keep working, with their status on stderr.
 */
export function ignoreClosedOutput(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') return;
    throw err;
  });
}

export async function main(argv: string[]): Promise<void> {
  ignoreClosedOutput(process.stdout);
  const program = buildProgram();
  try {
    await declareInvoked(program, argv.slice(2));
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has already printed its message ("error: ...") or the help/version text.
      const benign = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(err.code);
      process.exitCode = benign ? ExitCode.ok : ExitCode.usage;
      return;
    }
    if (err instanceof LtobmsError) {
      // A bad setting (config file, LTOBMS_* variable) found before the action ran.
      const { text, exitCode } = formatError(err);
      process.stderr.write(text + '\n');
      process.exitCode = exitCode;
      return;
    }
    throw err;
  }
}
