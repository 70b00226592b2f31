/**
 * The one place where command results become output and exit codes.
 *
 * Commands are written as `action(async (opts, ctx) => {...})`: they throw {@link LtobmsError}
 * for failures and this wrapper prints `error: <message>` plus the hint on one line each and
 * sets `process.exitCode`. Unknown exceptions are reported as internal errors (exit 1).
 */
import { ExitCode, InterruptedError, LtobmsError } from '../errors.js';
import { installInterruptHandler } from './abort.js';

export interface ActionContext {
  /** Fires on Ctrl-C. Pass it to every long-running library call. */
  signal: AbortSignal;
}

/** Formats any thrown value as the CLI's error line(s). */
export function formatError(err: unknown): { text: string; exitCode: number } {
  if (err instanceof LtobmsError) {
    const hint = err.hint ? `\nhint: ${err.hint}` : '';
    return { text: `error: ${err.message}${hint}`, exitCode: err.exitCode };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { text: `error: ${message}`, exitCode: ExitCode.failure };
}

/** Wraps a commander action with error reporting, exit codes and Ctrl-C support. */
export function action<A extends unknown[]>(
  fn: (...args: [...A, ActionContext]) => Promise<void> | void,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const signal = installInterruptHandler();
    try {
      await fn(...args, { signal });
      if (signal.aborted && process.exitCode === undefined) process.exitCode = ExitCode.interrupted;
    } catch (err) {
      const e = signal.aborted && !(err instanceof LtobmsError) ? new InterruptedError() : err;
      const { text, exitCode } = formatError(e);
      process.stderr.write(text + '\n');
      if (process.env.LTOBMS_STACK && err instanceof Error) process.stderr.write(`${err.stack}\n`);
      process.exitCode = exitCode;
    }
  };
}

/** What a command's implementation module exports as its action (commander passes untyped values). */
export type CommandAction = (...args: never[]) => Promise<void> | void;

/**
 * An action whose implementation is imported when the command runs, so that the command table
 * (names, options, help) loads without any command's dependencies: `ltobms --help`, `--version`
 * and a light command start in a fraction of the time.
 */
export function lazyAction(load: () => Promise<CommandAction>): (...args: unknown[]) => Promise<void> {
  return action(async (...args: unknown[]) => {
    const execute = (await load()) as (...a: unknown[]) => Promise<void> | void;
    await execute(...args);
  });
}

/** Prints a value as pretty JSON on stdout (the --json output of every command). */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
