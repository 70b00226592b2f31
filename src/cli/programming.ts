/**
 * The connection options every programming command shares (-P/--port, -b/--baud, -p/--part,
 * -c/--programmer, --vdd, --timeout), validated into a typed object before any I/O (declared in
 * src/cli/port-options.ts).
 */
import { UsageError } from '../errors.js';
import { parseNumberOption } from './options.js';
import { maxBaudForVdd } from '../updi/session.js';
import { performance } from 'node:perf_hooks';
import { withProgrammer, type ConnectOptions } from '../updi/connect.js';
import type { Programmer } from '../updi/program.js';
import { ProgressView } from './progress.js';
import { DEFAULT_BAUD, PROGRAMMER_IDS, type PortCliOptions } from './port-options.js';
import { DEVICES, deviceByName, type DeviceInfo } from '../part/tinyavr2.js';
import { MAX_BAUD, MIN_BAUD } from '../config/settings.js';

export interface PortOptions {
  port: string;
  baud: number;
  vdd: number;
  timeoutMs: number;
  /** -p: the part the chip's signature must name (none: any tinyAVR 2-series part answers). */
  part?: DeviceInfo;
}

/**
 * -p as avrdude reads it: a part id (t824, attiny824, ATtiny824). A path there is the old ltobms
 * usage (-p was the port in ltobms 0.1.0), so that mistake gets the fix rather than "unknown part".
 */
export function parsePartOption(text: string): DeviceInfo {
  if (/[/\\]|^(com\d+|tty)/i.test(text)) {
    throw new UsageError(`-p ${text}: a port where the part is expected`, {
      code: 'USAGE',
      hint: '-p is the part (avrdude habit); use -P for the port, e.g. -P ' + text + ' -p t824',
    });
  }
  const device = deviceByName(text.trim());
  if (!device) {
    throw new UsageError(`-p ${text}: not a part this programmer knows`, {
      code: 'USAGE',
      hint: `the board's part is t824 (attiny824); ltobms programs the tinyAVR 2-series: ${DEVICES.map((d) => d.avrdudeId).join(', ')}`,
    });
  }
  return device;
}

/** -c: avrdude's programmer id. This programmer is SerialUPDI; any other id is a different tool. */
export function checkProgrammerOption(text: string | undefined): void {
  if (text === undefined || (PROGRAMMER_IDS as readonly string[]).includes(text.trim().toLowerCase())) return;
  throw new UsageError(`-c ${text}: ltobms is a SerialUPDI programmer only (a USB-serial adapter, TX and RX joined through a resistor)`, {
    code: 'USAGE',
    hint: `use -c serialupdi or leave -c out; for ${text} use avrdude -c ${text}`,
  });
}

export function parsePortOptions(opts: PortCliOptions): PortOptions {
  const part = opts.part === undefined ? undefined : parsePartOption(opts.part);
  checkProgrammerOption(opts.programmer);
  if (!opts.port) {
    throw new UsageError('no serial port given: pass -P/--port (or set LTOBMS_PORT, or "port" in ltobms.config.json)', {
      code: 'USAGE',
      hint: '`ltobms ports` lists USB-serial adapters; `ltobms sim` prints the port of a virtual board',
    });
  }
  const baud = parseNumberOption(opts.baud, '--baud', { min: MIN_BAUD, max: MAX_BAUD, hint: `for example --baud ${DEFAULT_BAUD}` });
  const vdd = parseNumberOption(opts.vdd, '--vdd', { min: 1.8, max: 5.5, integer: false, what: 'the supply voltage in volts', hint: 'for example --vdd 3.3' });
  const max = maxBaudForVdd(vdd);
  if (baud > max) {
    throw new UsageError(`--baud ${baud} is above the ${max} baud the data sheet allows for UPDI at ${vdd} V`, {
      code: 'UPDI_BAUD',
      hint: vdd < 2.2 ? 'lower --baud, or pass --vdd with the real supply voltage (2.2 V allows 450000, 2.7 V allows 900000)' : 'lower --baud, or pass the real supply voltage with --vdd',
    });
  }
  const timeoutMs = parseNumberOption(opts.timeout, '--timeout', { min: 10, max: 60_000, integer: false, what: 'milliseconds', hint: 'for example --timeout 250' });
  return { port: opts.port, baud, vdd, timeoutMs, ...(part ? { part } : {}) };
}

/** The library's connect options from validated CLI options. */
export function connectOptionsFrom(
  port: PortOptions,
  signal: AbortSignal,
  onProgress: ConnectOptions['onProgress'],
): ConnectOptions {
  return { port: port.port, baud: port.baud, timeoutMs: port.timeoutMs, signal, onProgress, part: port.part };
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
