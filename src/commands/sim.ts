/**
 * `ltobms sim`: serve a virtual ATtiny824 on a pseudo-terminal for UPDI programmers (ltobms,
 * avrdude serialupdi, pymcuprog). Prints `updi: <path>` as the first stdout line, then serves
 * until SIGINT/SIGTERM, keeping the memories in --state. Thin: options → BoardSimOptions → startBoardSim.
 */
import type { Command } from 'commander';
import { type ActionContext } from '../cli/run.js';
import { parseNumberOption } from '../cli/options.js';
import { ExitCode, UsageError } from '../errors.js';
import { SERIAL_NUMBER_SIZE } from '../sim/nvm/memories.js';
import { parseFaultSpec } from '../sim/wire/faults.js';
import { parseChemistry } from '../part/chemistry.js';
import { ADAPTER_NAMES, adapterProfile, type AdapterProfile } from '../sim/wire/adapters.js';
import { defaultScenario, loadScenarioFile, type Scenario } from '../sim/scenario/index.js';
import { parseSpeed, type SimSpeed } from '../sim/runtime/pacer.js';
import { startBoardSim, type SimEvent, type SimOptions } from '../sim/runtime/serve.js';
import { describeRuntimeEvent, formatSimTime } from '../sim/runtime/trace.js';
import { energyReportLines } from '../cli/energy-view.js';
import { boardErrorsRecord, describeBoardErrors } from '../sim/board/errors.js';
import { drawBoardErrors, withBoardErrors, type DrawnBoardErrors } from './board-errors.js';

interface SimCliOptions {
  state?: string;
  baud: string;
  latencyMs?: string;
  adapter?: string;
  faults?: string;
  serial?: string;
  link?: string;
  json?: boolean;
  firmware?: string;
  eeprom?: boolean;
  chemistry?: string;
  scenario?: string;
  speed: string;
  trace?: boolean;
  uartLink?: string;
  fixture?: string;
  stateDir?: string;
  report?: boolean;
  boardErrors?: string;
}

/** The board-level options of `ltobms sim` (firmware, scenario, pacing), validated. */
export interface BoardCliOptions {
  firmware?: string;
  firmwareEeprom: boolean;
  scenario: Scenario;
  speed: SimSpeed;
  trace: boolean;
  uartLink?: string;
  /** --board-errors: the tolerances drawn for this run (they replace the scenario's). */
  drawnErrors?: DrawnBoardErrors;
}

export async function buildBoardOptions(opts: SimCliOptions): Promise<BoardCliOptions> {
  const speed = parseSpeed(opts.speed);
  if (speed === undefined) {
    throw new UsageError(`--speed ${opts.speed}: expected 1 (real time), a factor such as 60, or max`, { code: 'USAGE', hint: 'see ltobms sim --help' });
  }
  if (opts.eeprom && !opts.firmware) {
    throw new UsageError('--eeprom loads the EEPROM section of --firmware, but no --firmware was given', { code: 'USAGE', hint: 'add --firmware build/main-LTO-dev.elf' });
  }
  const chemistry = opts.chemistry !== undefined ? parseChemistry(opts.chemistry) : undefined;
  const loaded = opts.scenario !== undefined ? await loadScenarioFile(opts.scenario, { chemistry }) : defaultScenario(chemistry ?? 'LTO');
  const drawnErrors = opts.boardErrors !== undefined ? drawBoardErrors(opts.boardErrors) : undefined;
  const scenario = drawnErrors ? withBoardErrors(loaded, drawnErrors.errors) : loaded;
  let firmware = opts.firmware;
  if (firmware === 'prebuilt') {
    // The release image shipped with the package: a board that runs without avr-gcc installed.
    const { prebuiltFirmware } = await import('../firmware/prebuilt.js');
    const prebuilt = await prebuiltFirmware(scenario.chemistry);
    firmware = prebuilt.elf;
    process.stderr.write(`sim: prebuilt release firmware ltobms-fw ${prebuilt.version} ${prebuilt.chemistry} (${prebuilt.elf})\n`);
  }
  return { firmware, firmwareEeprom: opts.eeprom === true, scenario, speed, trace: opts.trace === true, uartLink: opts.uartLink, drawnErrors };
}

/** Parses `--serial`: 20 hex digits, optionally separated by colons, dashes or spaces. */
export function parseSerial(text: string): Uint8Array {
  const digits = text.replace(/^0x/i, '').replace(/[\s:-]/g, '');
  if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== SERIAL_NUMBER_SIZE * 2) {
    throw new UsageError(`--serial ${text}: expected ${SERIAL_NUMBER_SIZE} bytes as ${SERIAL_NUMBER_SIZE * 2} hex digits`, {
      code: 'USAGE',
      hint: 'for example --serial 30413741343200000007',
    });
  }
  return Uint8Array.from(Buffer.from(digits, 'hex'));
}

/** `--adapter`: one of the profiles of src/sim/wire/adapters.ts. */
export function parseAdapter(name: string): AdapterProfile {
  const profile = adapterProfile(name);
  if (!profile) throw new UsageError(`--adapter ${name}: unknown adapter`, { code: 'USAGE', hint: `use one of ${ADAPTER_NAMES.join(', ')}` });
  return profile;
}

export function buildSimOptions(opts: SimCliOptions): SimOptions {
  const adapter = opts.adapter !== undefined ? parseAdapter(opts.adapter) : undefined;
  const baud = parseNumberOption(opts.baud, '--baud', { min: 0, max: 2_000_000, hint: 'the wire model paces at --baud; use the baud rate the programmer uses, or 0 for no pacing' });
  if (baud !== 0 && baud < 300) throw new UsageError(`--baud ${opts.baud}: expected 0 (no pacing) or 300..2000000`, { code: 'USAGE', hint: 'the wire model paces at --baud; use the baud rate the programmer uses' });
  return {
    statePath: opts.state,
    baud,
    adapter,
    latencyMs: opts.latencyMs === undefined ? (adapter?.latencyMs ?? 1) : parseNumberOption(opts.latencyMs, '--latency-ms', { min: 0, max: 1000, integer: false, what: 'milliseconds', hint: 'for example --latency-ms 16 (an FTDI chip out of the box) or 1 (set through sysfs), 0 for none' }),
    faults: opts.faults !== undefined ? parseFaultSpec(opts.faults) : undefined,
    serialNumber: opts.serial !== undefined ? parseSerial(opts.serial) : undefined,
    link: opts.link,
  };
}

/** With --json every event is one JSON line on stdout; otherwise the notable ones go to stderr. */
function renderEvent(event: SimEvent, json: boolean): void {
  if (json) {
    const body = event.type === 'updi' ? { event: 'updi', ...event.event } : { ...event, event: event.type, type: undefined };
    const flat = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, v instanceof Error ? v.message : v]));
    process.stdout.write(JSON.stringify(flat) + '\n');
    return;
  }
  const line = describe(event);
  if (line) process.stderr.write(line + '\n');
}

/** One human line per event worth seeing. */
function describe(event: SimEvent): string | undefined {
  switch (event.type) {
    case 'saved':
      return event.reason === 'created' ? undefined : `sim: state saved to ${event.path}`;
    case 'save-failed':
      return `sim: warning: ${event.error.message}`;
    case 'pty-exited':
      return undefined;
    case 'updi': {
      const e = event.event;
      if (e.type === 'progmode') return `sim: ${e.mode === 'nvm' ? 'NVM' : 'user-row'} programming mode ${e.active ? 'entered' : 'left'}`;
      if (e.type === 'chip-erase') return 'sim: chip erased by key';
      if (e.type === 'error') return `sim: UPDI error state (${e.detail}); waiting for BREAK`;
      return undefined;
    }
  }
}

/** The action of `ltobms sim` (declared in src/cli/commands/sim.ts). */
export async function execute(opts: SimCliOptions, cmd: Command, ctx: ActionContext): Promise<void> {
  const options = buildSimOptions(opts);
  if (opts.fixture !== undefined || opts.stateDir !== undefined) {
    const given = (['state', 'faults', 'firmware', 'eeprom', 'chemistry', 'scenario', 'speed', 'trace', 'uartLink', 'report', 'boardErrors'] as const).filter((k) => cmd.getOptionValueSource(k) === 'cli');
    const { serveFixture } = await import('./sim-fixture.js');
    return serveFixture({ fixture: opts.fixture ?? '', stateDir: opts.stateDir, baud: options.baud, latencyMs: options.latencyMs, link: options.link, json: opts.json === true, serialNumber: options.serialNumber, conflicting: given.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`) }, ctx.signal);
  }
  const board = await buildBoardOptions(opts);
  const json = opts.json === true;
  // Events that happen before the first line (loading, the initial save) wait for it.
  let early: SimEvent[] | undefined = [];
  const render = (event: SimEvent) => (early ? early.push(event) : renderEvent(event, json));
  const sim = await startBoardSim({
    ...options,
    ...board,
    onSimEvent: render,
    chipTrace: board.trace,
    onRuntimeEvent: (event) => {
      const line = board.trace ? describeRuntimeEvent(event) : undefined;
      if (line) process.stderr.write(line + '\n');
    },
  });
  try {
    process.stdout.write(`updi: ${sim.updi.name}\nuart: ${sim.uart.name}\n`);
    if (json) {
      process.stdout.write(
        JSON.stringify({ event: 'ready', updi: sim.updi.name, pty: sim.updi.ptyPath, uart: sim.uart.name, state: options.statePath ?? null, baud: options.baud, adapter: options.adapter?.name ?? null, latencyMs: options.latencyMs, faults: options.faults ?? null, scenario: board.scenario.name, chemistry: board.scenario.chemistry, speed: board.speed, durationSeconds: board.scenario.durationSeconds ?? null, boardErrors: board.drawnErrors ? { seed: board.drawnErrors.seed, ...boardErrorsRecord(board.drawnErrors.errors) } : null }) + '\n',
      );
    } else if (board.drawnErrors) {
      process.stderr.write(`sim: board errors (--board-errors random:${board.drawnErrors.seed}): ${describeBoardErrors(board.drawnErrors.errors)}\n`);
    }
    const queued = early;
    early = undefined;
    queued.forEach(render);
    // Runs until the scenario's duration has passed (simulated) or the user stops it.
    const stop = new AbortController();
    const failure = await Promise.race([sim.run(AbortSignal.any([ctx.signal, stop.signal])).then(() => undefined), sim.failed]);
    stop.abort();
    if (failure) throw failure;
    if (!ctx.signal.aborted) {
      const state = sim.runtime.state?.slice('BMS_STATE_'.length);
      if (json) process.stdout.write(JSON.stringify({ event: 'ended', t: sim.runtime.time, state: state ?? null }) + '\n');
      else process.stderr.write(`sim: scenario ended after ${formatSimTime(sim.runtime.time)} simulated${state ? ` in state ${state}` : ''}\n`);
    }
    if (opts.report) {
      const report = sim.runtime.energyReport();
      process.stdout.write(json ? JSON.stringify({ event: 'report', ...report }) + '\n' : energyReportLines(report).join('\n') + '\n');
    }
  } finally {
    await sim.close();
  }
  // The scenario's end, or an orderly stop (SIGTERM from a supervisor or test) is a success; Ctrl-C stays 130.
  const reason = ctx.signal.reason as Error | undefined;
  if (reason?.message?.includes('SIGTERM')) process.exitCode = ExitCode.ok;
}
