/**
 * `ltobms calibrate`: options → references → the calibrate workflow on the board's UPDI and UART →
 * the before/after table (or the same object as JSON). Thin: the steps are src/workflows/calibrate.ts.
 */
import type { Command } from 'commander';
import { printJson, type ActionContext } from '../cli/run.js';
import { parseNumberOption } from '../cli/options.js';
import { connectOptionsFrom, parsePortOptions } from '../cli/programming.js';
import type { PortCliOptions } from '../cli/port-options.js';
import { ProgressView } from '../cli/progress.js';
import { LtobmsError, UsageError } from '../errors.js';
import { listPorts } from '../serial/ports.js';
import { openUartPort } from '../serial/serialport.js';
import { withProgrammer } from '../updi/connect.js';
import type { CalibrationReferences } from '../workflows/calibration-plan.js';
import { calibrateBoard, programmerTarget, type CalibrateEvent, type CalibrationResult } from '../workflows/calibrate.js';
import { streamFrameSource } from '../workflows/frame-source.js';
import { siblingUartPort } from '../workflows/uart-port.js';

interface CalibrateCliOptions extends PortCliOptions {
  uartPort?: string;
  vbatt?: string;
  vload?: string;
  current?: string;
  temp?: string;
  zero?: boolean;
  frames: string;
  frameTimeout: string;
  force?: boolean;
  json?: boolean;
}

/** The firmware's UART (docs/hardware.md). */
const UART_BAUD = 9600;

/** A measured value: decimal, with a sign where one makes sense (a charging current, a frosty board). */
function measured(text: string | undefined, option: string, rule: { min: number; max: number; unit: string; example: string }): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text.trim());
  if (!/^-?(\d+(\.\d*)?|\.\d+)$/.test(text.trim()) || value < rule.min || value > rule.max) {
    throw new UsageError(`${option} ${text}: expected ${rule.unit} from ${rule.min} to ${rule.max}`, { code: 'USAGE', hint: `for example ${option} ${rule.example}` });
  }
  return value;
}

export function parseReferences(opts: CalibrateCliOptions): CalibrationReferences {
  const references: CalibrationReferences = {
    vbattMv: measured(opts.vbatt, '--vbatt', { min: 1, max: 6000, unit: 'mV', example: '2312' }),
    vloadMv: measured(opts.vload, '--vload', { min: 1, max: 6000, unit: 'mV', example: '2287' }),
    currentMa: measured(opts.current, '--current', { min: -5000, max: 5000, unit: 'mA (negative: charging)', example: '402' }),
    tempC: measured(opts.temp, '--temp', { min: -40, max: 85, unit: '°C', example: '21.5' }),
    zero: opts.zero === true,
  };
  if (references.zero && references.currentMa !== undefined) {
    throw new UsageError('--zero (nothing attached) and --current (a current flowing) need two different set-ups', {
      code: 'USAGE',
      hint: 'run ltobms calibrate --zero with nothing attached first, then again with the load and --current',
    });
  }
  if (Object.values(references).every((v) => v === undefined || v === false)) {
    throw new UsageError('nothing to calibrate: give at least one value you measured', { code: 'USAGE', hint: 'for example --vbatt 2312 (and --vload, --current or --zero, --temp)' });
  }
  return references;
}

/** One stderr line per step (not with --json). */
function describe(e: CalibrateEvent, uart: string): string | undefined {
  switch (e.type) {
    case 'reading-board':
      return 'reading the configuration and the calibration block over UPDI';
    case 'board':
      return `${e.device}, board ${e.serialNumber === null ? '(no valid configuration)' : e.serialNumber.toString(16).toUpperCase().padStart(4, '0')}, ${e.calibrated ? 'calibrated before' : 'no calibration block yet'}`;
    case 'waiting-frames':
      return `waiting for ${e.count} frame${e.count === 1 ? '' : 's'} on ${uart} ${e.phase === 'before' ? 'to calibrate from' : 'with the new calibration'} (a frame a minute; up to ${Math.round(e.timeoutMs / 1000)} s each)`;
    case 'frame':
      return `  frame uptime ${e.frame.uptime} s: v_batt ${e.frame.v_batt} mV, v_load ${e.frame.v_load} mV, current ${e.frame.current} mA, temp ${e.frame.temp} K, ${e.frame.state.replace('BMS_STATE_', '')}`;
    case 'planned':
      return undefined;
    case 'writing':
      return `writing the calibration block (${e.bytes} B at EEPROM 20) and reading bytes 0-39 back`;
    case 'written':
      return `written and verified; the board restarts with it`;
  }
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

export function renderCalibration(r: CalibrationResult): string {
  const head = ['', 'reading', 'reference', 'predicted', 'after', 'correction'];
  const body = r.rows.map((row) => [
    `${row.quantity} ${row.unit}`,
    fmt(row.reading),
    fmt(row.reference),
    fmt(row.predicted),
    `${fmt(row.after)} ${row.ok ? 'ok' : 'OFF'}`,
    `${row.change.field} ${row.change.before} → ${row.change.after}${row.change.unit === '×' ? '' : ` ${row.change.unit}`}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const out = [
    `calibrated ${r.device}${r.serialNumber === null ? '' : `, board ${r.serialNumber.toString(16).toUpperCase().padStart(4, '0')}`} (${r.measurement}), ${r.framesBefore.length} frame${r.framesBefore.length === 1 ? '' : 's'} before and after`,
    '',
    line(head),
    ...body.map(line),
    '',
    `calibration block (EEPROM 20-39): ${r.block}`,
  ];
  if (r.forced.length) out.push(`forced: ${r.forced.map((f) => f.reason).join('; ')}`);
  return out.join('\n') + '\n';
}

/** The board's UART, opened before anything is written; a failure names --uart-port, not --port. */
async function openUart(path: string) {
  try {
    return await openUartPort(path, UART_BAUD);
  } catch (err) {
    if (!(err instanceof LtobmsError)) throw err;
    throw new LtobmsError(`the board's UART: ${err.message}`, {
      code: 'CALIBRATE_UART',
      exitCode: err.exitCode,
      hint: 'check --uart-port (the adapter wired to the board\'s TX); `ltobms ports` lists the USB-serial adapters',
      cause: err,
    });
  }
}

/** The action of `ltobms calibrate` (declared in src/cli/commands/calibrate.ts). */
export async function execute(opts: CalibrateCliOptions, _cmd: Command, ctx: ActionContext): Promise<void> {
  const port = parsePortOptions(opts);
  const references = parseReferences(opts);
  const frames = parseNumberOption(opts.frames, '--frames', { min: 1, max: 10, hint: 'for example --frames 3 (a frame a minute)' });
  const frameTimeoutMs = 1000 * parseNumberOption(opts.frameTimeout, '--frame-timeout', { min: 1, max: 3600, integer: false, what: 'seconds', hint: 'for example --frame-timeout 90 (the board prints a frame a minute)' });
  const uart = opts.uartPort ?? (await siblingUartPort(port.port, await listPorts({ all: true })));

  const view = new ProgressView({ interactive: opts.json ? false : undefined });
  const say = (e: CalibrateEvent) => {
    const text = opts.json ? undefined : describe(e, uart);
    if (text === undefined) return;
    view.stop();
    process.stderr.write(text + '\n');
  };
  const source = streamFrameSource(await openUart(uart));
  let result: CalibrationResult;
  try {
    view.spin(`connecting on ${port.port}`);
    result = await withProgrammer(connectOptionsFrom(port, ctx.signal, view.onProgress), (p) =>
      calibrateBoard(programmerTarget(p, source), { references, frames, frameTimeoutMs, force: opts.force, signal: ctx.signal }, say),
    );
  } finally {
    view.stop();
    await source.close();
  }
  if (opts.json) printJson(result);
  else process.stdout.write(renderCalibration(result));
}
