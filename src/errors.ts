/**
 * One error type for everything ltobms reports to a user.
 *
 * Every failure that reaches the CLI is an {@link LtobmsError}: a one-sentence message,
 * a machine-readable `code`, an optional `hint` (the fix), and the exit code it maps to.
 * Domain layers (UPDI, EEPROM, logging, build) subclass it or throw it with their own codes;
 * layers above may wrap an error to add context with {@link LtobmsError.withContext}.
 */

/** Exit codes used by every command (set in one place: src/cli/run.ts). */
export const ExitCode = {
  ok: 0,
  /** The job failed (device, database, toolchain, verification...). */
  failure: 1,
  /** Bad usage or bad input (options, files, values). */
  usage: 2,
  /** Interrupted by Ctrl-C. */
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface LtobmsErrorOptions {
  /** Machine-readable code, e.g. `EEPROM_RANGE`, `UPDI_TIMEOUT`. */
  code: string;
  /** The fix, shown after the message: "check the resistor, or lower --baud". */
  hint?: string;
  /** Exit code; defaults to 1 (failure of the job). */
  exitCode?: ExitCodeValue;
  /** Structured context (address, port, operation...) for --json and debugging. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class LtobmsError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: ExitCodeValue;
  readonly details: Record<string, unknown>;

  constructor(message: string, options: LtobmsErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LtobmsError';
    this.code = options.code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.failure;
    this.details = options.details ?? {};
  }

  /** A copy of this error whose message starts with `context: `. */
  withContext(context: string): LtobmsError {
    const wrapped = new LtobmsError(`${context}: ${this.message}`, {
      code: this.code,
      hint: this.hint,
      exitCode: this.exitCode,
      details: this.details,
      cause: this,
    });
    wrapped.name = this.name;
    return wrapped;
  }
}

/** Bad usage or input: exit code 2. */
export class UsageError extends LtobmsError {
  constructor(message: string, options: Omit<LtobmsErrorOptions, 'exitCode'> = { code: 'USAGE' }) {
    super(message, { ...options, exitCode: ExitCode.usage });
    this.name = 'UsageError';
  }
}

/** The operation was cancelled (Ctrl-C): exit code 130. */
export class InterruptedError extends LtobmsError {
  constructor(message = 'interrupted') {
    super(message, { code: 'INTERRUPTED', exitCode: ExitCode.interrupted });
    this.name = 'InterruptedError';
  }
}

/** Throws {@link InterruptedError} if the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new InterruptedError();
}
