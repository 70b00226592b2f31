/**
 * `runDemo`: the whole product on the virtual board, as `ltobms demo` shows it. Builds the firmware
 * (incremental), starts the virtual board in this process, programs fuses + flash + EEPROM (serial 7)
 * through the real UPDI programmer over an in-process pipe, runs a scenario at max speed while the real
 * log reader tails the UART pipe into the local line-protocol files, and returns what happened. No
 * socat, no pseudo-terminal, no child process for the wires. Never prints: progress goes to `onStep`.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Chemistry } from '../part/chemistry.js';
import { buildFirmware, FUSES_FILE } from '../firmware/firmware.js';
import { defaultFirmwareVersion } from '../firmware/version.js';
import { memoryUse, readElf } from '../firmware/elf.js';
import { onPath, prebuiltFirmware } from '../firmware/prebuilt.js';
import { CHEMISTRY } from '../part/chemistry.js';
import { encodeConfig } from '../eeprom/image.js';
import type { Frame, Point } from '../logging/frame.js';
import { simulatedStartNs, SimulatedFrameClock } from '../logging/clock.js';
import { resolveConfig } from '../logging/config.js';
import { tailPorts } from '../logging/session.js';
import { openWriter } from '../logging/target.js';
import { makeReportFromPoints } from '../report/report.js';
import { withProgrammer } from '../updi/connect.js';
import { readProgramImage } from '../updi/image-file.js';
import { planProgram } from '../updi/plan.js';
import { parseScenario, type Scenario } from '../sim/scenario/index.js';
import { startBoardSim } from '../sim/runtime/serve.js';
import type { EnergyReport } from '../sim/runtime/energy.js';

/** The UPDI baud rate of the demo's programmer (and of the virtual wire). */
const DEMO_UPDI_BAUD = 115200;

/** The serial number the demo writes into the EEPROM (the example board). */
export const DEMO_SERIAL = 7;

/** Three simulated hours with every everyday state: discharge into UVLO, a charger, a load again. */
export function demoScenario(chemistry: Chemistry): Scenario {
  return parseScenario(
    {
      name: 'demo: 3 h — discharge into UVLO, charge, discharge',
      duration: '3h',
      cell: { soc_pct: 8 },
      load: [
        { at: 0, type: 'current', current_ma: 400, qwiic_ma: 5 },
        { at: '1h', type: 'off', qwiic_ma: 5 },
        { at: '2h15m', type: 'current', current_ma: 150, qwiic_ma: 5 },
      ],
      charger: [
        { at: 0, type: 'off' },
        { at: '1h', type: 'cc', current_ma: 600 },
        { at: '2h15m', type: 'off' },
      ],
    },
    'built-in',
    { chemistry },
  );
}

export type DemoStep =
  | { step: 'build'; done: false }
  /** `prebuilt`: the shipped release image's version, used because avr-gcc is not installed. */
  | { step: 'build'; done: true; hex: string; flashBytes: number; compiled: number; prebuilt?: string }
  | { step: 'board'; done: true; updi: string; uart: string }
  | { step: 'program'; done: false }
  | { step: 'program'; done: true; flash: number; eeprom: number; fuses: number; verified: number }
  | { step: 'run'; done: false; scenario: string }
  | { step: 'run'; done: true; simulatedSeconds: number; wallSeconds: number; frames: number };

/**
 * The firmware the demo programs: built (incrementally) when avr-gcc is on PATH, else the release
 * image shipped in firmware/prebuilt/, so the demo needs nothing but Node.
 */
async function demoFirmware(chemistry: Chemistry, buildDir: string, step: (s: DemoStep) => void): Promise<{ hex: string }> {
  if (!(await onPath('avr-gcc'))) {
    const prebuilt = await prebuiltFirmware(chemistry);
    const flashBytes = memoryUse(await readElf(prebuilt.elf)).flash;
    step({ step: 'build', done: true, hex: prebuilt.hex, flashBytes, compiled: 0, prebuilt: prebuilt.version });
    return prebuilt;
  }
  step({ step: 'build', done: false });
  const build = await buildFirmware({ chemistry, version: await defaultFirmwareVersion(), outDir: buildDir });
  step({ step: 'build', done: true, hex: build.artifacts.hex, flashBytes: build.memory.flash, compiled: build.compiled });
  return build.artifacts;
}

export interface DemoOptions {
  chemistry: Chemistry;
  /** Scenario to run instead of {@link demoScenario}. */
  scenario?: Scenario;
  /** Folder of the daily line-protocol files (default: the log command's, <data dir>/log). */
  outDir?: string;
  /** Firmware build folder (default: build). */
  buildDir?: string;
  /** Wall time (ms) the simulated run starts at; default: it ends at the wall time it ran. */
  startMs?: number;
  signal: AbortSignal;
  onStep?: (step: DemoStep) => void;
}

export interface DemoResult {
  chemistry: Chemistry;
  scenario: string;
  serial: number;
  frames: Frame[];
  /** Line-protocol files in the output folder after the run. */
  files: string[];
  outDir: string;
  /** The HTML report of this run's frames (ltobms report), beside the files. */
  report: string | undefined;
  simulatedSeconds: number;
  wallSeconds: number;
  finalState: string | undefined;
  /** The run's energy report (states, protection events, cell range, charge in/out, MCU current). */
  energy: EnergyReport;
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const step = options.onStep ?? (() => {});
  const chemistry = options.chemistry;
  const scenario = options.scenario ?? demoScenario(chemistry);

  const firmware = await demoFirmware(chemistry, options.buildDir ?? 'build', step);

  let produced = 0;
  // Frames carry the board's simulated time, so a replay of 3 simulated hours spans 3 hours.
  const clock = new SimulatedFrameClock(0n, () => sim.runtime.time);
  const sim = await startBoardSim({
    wiring: 'pipe',
    scenario,
    speed: 'max',
    // The wire paced at the programmer's baud rate, as a real adapter's is: the programmer counts on
    // the time a page's read-back takes on the wire (it covers the page write); an instant wire would
    // have it load the next page while the NVM controller is still busy, and verify and retry.
    baud: DEMO_UPDI_BAUD,
    latencyMs: 0,
    onRuntimeEvent: (e) => {
      if (e.type === 'line' && e.line.frame) {
        produced++;
        clock.noteFrame(e.line.frame, e.line.t);
      }
    },
  });
  const config = resolveConfig({ flags: {}, env: process.env, target: 'file', outDir: options.outDir, envFile: '/dev/null' });
  if (config.target.kind !== 'file') throw new Error('unreachable: the demo logs to files');
  const outDir = config.target.outDir;
  const writer = openWriter(config, { writeAhead: true });
  const stopLog = new AbortController();
  const frames: Frame[] = [];
  const points: Point[] = [];
  const logging = tailPorts({
    ports: [sim.uart.name],
    openPort: async () => sim.uart.connect(),
    baudRate: 9600,
    writer,
    signal: stopLog.signal,
    drainMs: 5000,
    // The demo shows no frame while it runs (a month is 43,200 of them in about a minute): they go
    // to disk in the writer's batches, all of them before the result, instead of one fsync each.
    eachFrameOnDisk: false,
    clock,
    onEvent: (e) => {
      if (e.type === 'frame') {
        frames.push(e.point.frame);
        points.push(e.point);
      }
    },
  });
  try {
    step({ step: 'board', done: true, updi: sim.updi.name, uart: sim.uart.name });

    step({ step: 'program', done: false });
    const image = await readProgramImage(firmware.hex);
    const fuses = (await readProgramImage(FUSES_FILE)).memories.fuses;
    const eeprom = [{ address: 0, data: encodeConfig({ ...CHEMISTRY[chemistry].defaults, serialNumber: DEMO_SERIAL, tempOffset: 0 }) }];
    const result = await withProgrammer({ port: sim.updi.name, transport: sim.updi.connect(), baud: DEMO_UPDI_BAUD, signal: options.signal }, async (p) => {
      await p.session.enterProgMode();
      const device = await p.identify();
      return p.program(planProgram({ flash: image.memories.flash, eeprom, fuses }, device), { verify: true });
    });
    step({ step: 'program', done: true, flash: result.written.flash, eeprom: result.written.eeprom, fuses: fuses.reduce((n, s) => n + s.data.length, 0), verified: result.verified });

    step({ step: 'run', done: false, scenario: scenario.name });
    const t0 = performance.now();
    clock.startNs = simulatedStartNs({ startMs: options.startMs, durationSeconds: scenario.durationSeconds, nowMs: Date.now() });
    const outcome = await sim.run(options.signal);
    const wallSeconds = (performance.now() - t0) / 1000;
    if (outcome === 'ended') {
      // Let the reader take the last frames off the pipe before it stops.
      const deadline = performance.now() + 5000;
      while (frames.length < produced && performance.now() < deadline && !options.signal.aborted) await sleep(20);
    }
    step({ step: 'run', done: true, simulatedSeconds: sim.runtime.time, wallSeconds, frames: frames.length });
    stopLog.abort();
    await logging;
    // The charts of this run (the day files may hold earlier runs too), beside the data.
    const report = points.length ? makeReportFromPoints(points, { output: join(outDir, 'demo-report.html'), title: scenario.name }).output : undefined;
    const files = (await readdir(outDir).catch(() => [] as string[])).filter((f) => f.endsWith('.lp')).sort().map((f) => join(outDir, f));
    return {
      chemistry,
      scenario: scenario.name,
      serial: DEMO_SERIAL,
      frames,
      files,
      outDir,
      report,
      simulatedSeconds: sim.runtime.time,
      wallSeconds,
      finalState: frames.at(-1)?.state,
      energy: sim.runtime.energyReport(),
    };
  } finally {
    stopLog.abort();
    await logging.catch(() => undefined);
    await sim.close();
  }
}
