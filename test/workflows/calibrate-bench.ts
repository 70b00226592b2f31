/**
 * A virtual board on the bench for the calibrate tests, wired in-process like `ltobms demo`: the real
 * firmware (built once per test process), the board model with a scenario's tolerances, the real UPDI
 * programmer over a pipe and the UART's frames through the workflow's frame source. The board runs at
 * full speed (a sleeping firmware covers a simulated minute in a fraction of a wall second); nothing
 * here depends on how fast that is.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NvmMemories } from '../../src/sim/nvm/memories.js';
import { preloadFirmware, preloadFuses, scenarioEepromBytes } from '../../src/sim/runtime/memories-setup.js';
import { startBoardSim, type BoardSimHandle, type PipeWire } from '../../src/sim/runtime/serve.js';
import type { Scenario } from '../../src/sim/scenario/index.js';
import { withProgrammer } from '../../src/updi/connect.js';
import { calibrateBoard, programmerTarget, type CalibrateEvent, type CalibrateInput, type CalibrationResult } from '../../src/workflows/calibrate.js';
import { streamFrameSource, type FrameSource } from '../../src/workflows/frame-source.js';
import { firmware } from '../sim/board-e2e/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'ltobms-calibrate-'));
let benches = 0;
/** The programmer's baud rate; the wire is paced at it, as a real adapter's is. */
const BAUD = 115200;

export interface BenchOptions {
  /** An erased flash: no firmware. */
  blank?: boolean;
  /** Lock bits set: UPDI can neither read nor write the memories. */
  locked?: boolean;
  /** Frames from a UART nobody writes to (the board's TX not connected). */
  deafUart?: boolean;
  /** The state file of an earlier bench (its memories: firmware, configuration, calibration). */
  statePath?: string;
}

export interface Bench {
  sim: BoardSimHandle<PipeWire>;
  frames: FrameSource;
  statePath: string;
  /** EEPROM bytes 0–39 now. */
  eeprom(): Uint8Array;
  calibrate(input: CalibrateInput, onEvent?: (e: CalibrateEvent) => void): Promise<CalibrationResult>;
  close(): Promise<void>;
}

export async function startBench(scenario: Scenario, options: BenchOptions = {}): Promise<Bench> {
  let statePath = options.statePath;
  if (!statePath) {
    statePath = join(dir, `board-${++benches}.json`);
    const memories = new NvmMemories();
    if (!options.blank) await preloadFirmware(memories, (await firmware(scenario.chemistry)).artifacts.hex);
    await preloadFuses(memories);
    const eeprom = scenarioEepromBytes(scenario);
    if (eeprom) memories.eeprom.set(eeprom);
    if (options.locked) memories.lockbits[0] = 0x00;
    memories.save(statePath);
  }
  const sim = await startBoardSim({ wiring: 'pipe', statePath, baud: BAUD, latencyMs: 0, scenario, speed: 'max' });
  const stop = new AbortController();
  const running = sim.run(stop.signal);
  const uart = options.deafUart ? (await import('../../src/serial/pipe.js')).createPipePair({ echo: false, name: 'unconnected UART' }).host : sim.uart.connect();
  const frames = streamFrameSource(uart);
  return {
    sim,
    frames,
    statePath,
    eeprom: () => sim.memories.eeprom.slice(0, 40),
    calibrate: (input, onEvent) => withProgrammer({ port: sim.updi.name, transport: sim.updi.connect(), baud: BAUD }, (p) => calibrateBoard(programmerTarget(p, frames), input, onEvent)),
    async close() {
      stop.abort();
      await running;
      await frames.close();
      await sim.close();
    },
  };
}
