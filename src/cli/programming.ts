/**
 * The connection options every programming command shares (--port, --baud, --vdd, --timeout),
 * validated into a typed object before any I/O (declared in src/cli/port-options.ts).
 */
import { UsageError } from '../errors.js';
import { parseNumberOption } from './options.js';
import { maxBaudForVdd } from '../updi/session.js';
import { performance } from 'node:perf_hooks';
import { withProgrammer, type ConnectOptions } from '../updi/connect.js';
import type { Programmer } from '../updi/program.js';
import { ProgressView } from './progress.js';
import { DEFAULT_BAUD, type PortCliOptions } from './port-options.js';

export interface PortOptions {
  port: string;
  baud: number;
  vdd: number;
  timeoutMs: number;
}

export function parsePortOptions(opts: PortCliOptions): PortOptions {
  if (!opts.port) {
    throw new UsageError('no serial port given: pass --port (or set LTOBMS_PORT)', {
      code: 'USAGE',
      hint: '`ltobms ports` lists USB-serial adapters; `ltobms sim` prints the port of a virtual board',
    });
  }
  const baud = parseNumberOption(opts.baud, '--baud', { min: 300, max: 900_000, hint: `for example --baud ${DEFAULT_BAUD}` });
  const vdd = parseNumberOption(opts.vdd, '--vdd', { min: 1.8, max: 5.5, integer: false, what: 'the supply voltage in volts', hint: 'for example --vdd 3.3' });
  const max = maxBaudForVdd(vdd);
  if (baud > max) {
    throw new UsageError(`--baud ${baud} is above the ${max} baud the data sheet allows for UPDI at ${vdd} V`, {
      code: 'UPDI_BAUD',
      hint: vdd < 2.2 ? 'lower --baud, or pass --vdd with the real supply voltage (2.2 V allows 450000, 2.7 V allows 900000)' : 'lower --baud, or pass the real supply voltage with --vdd',
    });
  }
  const timeoutMs = parseNumberOption(opts.timeout, '--timeout', { min: 10, max: 60_000, integer: false, what: 'milliseconds', hint: 'for example --timeout 250' });
  return { port: opts.port, baud, vdd, timeoutMs };
}

/** The library's connect options from validated CLI options. */
export function connectOptionsFrom(
  port: PortOptions,
  signal: AbortSignal,
  onProgress: ConnectOptions['onProgress'],
): ConnectOptions {
  return { port: port.port, baud: port.baud, timeoutMs: port.timeoutMs, signal, onProgress };
}

/**
 * What every programming command does around its job: a progress view on stderr (none with
 * --json), a "connecting" spinner, the session (always closed), and the elapsed time.
 */
export async function runWithProgress<T>(
  port: PortOptions,
  signal: AbortSignal,
  json: boolean | undefined,
  job: (p: Programmer) => Promise<T>,
): Promise<{ result: T; ms: number }> {
  const view = new ProgressView({ interactive: json ? false : undefined });
  const t0 = performance.now();
  view.spin(`connecting on ${port.port}`);
  try {
    const result = await withProgrammer(connectOptionsFrom(port, signal, view.onProgress), job);
    return { result, ms: performance.now() - t0 };
  } finally {
    view.stop();
  }
}
