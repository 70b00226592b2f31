/**
 * Running the AVR toolchain (avr-gcc, avr-objcopy, avr-objdump) through execa.
 *
 * Every tool call goes through {@link runTool}: stderr is split into lines and handed to the
 * caller as {@link Diagnostic}s while the tool runs (so compiler errors appear as they happen,
 * with their `file:line`), a missing executable becomes one clear {@link LtobmsError} naming the
 * Debian packages, and Ctrl-C (the AbortSignal) terminates the child. Library code never prints.
 */
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { InterruptedError, LtobmsError } from '../errors.js';
import { debug } from '../util/debug.js';

const log = debug('ltobms:build:tool');

/** The Debian packages that provide the AVR toolchain and its C library. */
export const TOOLCHAIN_PACKAGES = ['gcc-avr', 'avr-libc', 'binutils-avr'] as const;

/** One line a tool wrote on stderr, parsed when it has the `file:line[:col]: severity: text` shape. */
export interface Diagnostic {
  /** The line exactly as the tool printed it. */
  text: string;
  /** The program that printed it (`avr-gcc`, `gcc`, ...). */
  tool: string;
  file?: string;
  line?: number;
  column?: number;
  severity?: 'error' | 'warning' | 'note';
}

export interface ToolHooks {
  /** Called for every stderr line while the tool runs. */
  onDiagnostic?: (diagnostic: Diagnostic) => void;
  /** Aborting terminates the running tool and rejects with InterruptedError. */
  signal?: AbortSignal;
}

export interface ToolResult {
  stdout: string;
  exitCode: number;
  /** All diagnostics seen (also streamed through onDiagnostic). */
  diagnostics: Diagnostic[];
}

const DIAGNOSTIC_RE = /^(.+?):(\d+):(?:(\d+):)?\s*(fatal error|error|warning|note):\s/;

/** Parses one stderr line of gcc / ld / as into a {@link Diagnostic}. */
export function parseDiagnostic(tool: string, text: string): Diagnostic {
  const m = DIAGNOSTIC_RE.exec(text);
  if (!m) return { tool, text };
  const severity = m[4] === 'fatal error' ? 'error' : (m[4] as 'error' | 'warning' | 'note');
  const d: Diagnostic = { tool, text, file: m[1], line: Number(m[2]), severity };
  if (m[3] !== undefined) d.column = Number(m[3]);
  return d;
}

/** The error for a toolchain program that is not installed (AVR tools, or the host C compiler). */
export function toolchainMissing(program: string): LtobmsError {
  const avr = program.startsWith('avr-');
  const packages = avr ? TOOLCHAIN_PACKAGES.join(' ') : program === 'cc' ? 'gcc' : program;
  const what = avr ? 'the AVR toolchain is missing' : 'the host compiler is missing';
  return new LtobmsError(`${program} not found: ${what} (Debian packages ${packages})`, {
    code: 'TOOLCHAIN_MISSING',
    hint: `sudo apt-get install -y ${packages}`,
    details: { program },
  });
}

/**
 * Runs `program args`, streaming stderr lines as diagnostics. Resolves with the exit code
 * (non-zero is not an error here: the caller decides what a failure means); rejects with a
 * TOOLCHAIN_MISSING error if the program does not exist, and InterruptedError on abort.
 */
export async function runTool(program: string, args: string[], hooks: ToolHooks = {}): Promise<ToolResult> {
  if (hooks.signal?.aborted) throw new InterruptedError();
  log(program, args.join(' '));
  // execa loads with the first tool run (a command that builds nothing never pays for it).
  const { execa } = await import('execa');
  const child = execa(program, args, {
    reject: false,
    stdin: 'ignore',
    stripFinalNewline: false,
    env: { LC_ALL: 'C' },
    ...(hooks.signal ? { cancelSignal: hooks.signal } : {}),
  });
  const diagnostics: Diagnostic[] = [];
  const lines = child.stderr ? createInterface({ input: child.stderr, crlfDelay: Infinity }) : undefined;
  lines?.on('line', (text) => {
    const d = parseDiagnostic(program, text);
    diagnostics.push(d);
    hooks.onDiagnostic?.(d);
  });
  const closed = lines ? new Promise<void>((resolve) => lines.once('close', resolve)) : Promise.resolve();
  const result = await child;
  // The last stderr line is delivered when the stream ends; if spawning failed there is none.
  if (!result.failed || result.exitCode !== undefined) await closed;
  if (result.isCanceled || hooks.signal?.aborted) throw new InterruptedError();
  const code = (result as { code?: string }).code;
  if (code === 'ENOENT') throw toolchainMissing(program);
  if (result.failed && result.exitCode === undefined) {
    throw new LtobmsError(`${program} could not be run: ${result.shortMessage}`, {
      code: 'TOOL_FAILED',
      details: { program },
    });
  }
  return { stdout: String(result.stdout ?? ''), exitCode: result.exitCode ?? 1, diagnostics };
}

/**
 * A counting semaphore: at most `limit` tasks run at once. One limiter is shared by everything
 * a build compiles, so two chemistries built in parallel still use one CPU's worth per job.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  readonly limit: number;

  constructor(limit = availableParallelism()) {
    this.limit = Math.max(1, limit);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}
