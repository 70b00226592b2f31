/**
 * Shared by the board end-to-end tests: the real firmware built once per test file (per chemistry and
 * per set of test defines) into a temporary folder, and an in-process run of the virtual board that
 * records the outputs, the board model's truth once per simulated second, the UART lines and resets.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFirmware, type FirmwareBuild } from '../../../src/firmware/firmware.js';
import type { Chemistry } from '../../../src/sim/board/types.js';
import type { BoardSnapshot } from '../../../src/sim/board/board.js';
import type { ResetCause } from '../../../src/sim/chip-types.js';
import { NvmMemories } from '../../../src/sim/nvm/memories.js';
import { BoardRuntime, type UartLine } from '../../../src/sim/runtime/board-runtime.js';
import { preloadFirmware, preloadFuses, scenarioEepromBytes } from '../../../src/sim/runtime/memories-setup.js';
import { parseScenario, type Scenario } from '../../../src/sim/scenario/index.js';

const buildDir = mkdtempSync(join(tmpdir(), 'ltobms-board-e2e-'));
const builds = new Map<string, Promise<FirmwareBuild>>();

/** The firmware for a chemistry (built once per test process; `hangAfter` makes the watchdog test build). */
export function firmware(chemistry: Chemistry, hangAfter?: number): Promise<FirmwareBuild> {
  const key = `${chemistry}-${hangAfter ?? ''}`;
  let build = builds.get(key);
  if (!build) {
    build = buildFirmware({
      chemistry,
      version: 'e2e',
      outDir: join(buildDir, key),
      defines: hangAfter !== undefined ? { FW_TEST_HANG_AFTER: hangAfter } : undefined,
    });
    builds.set(key, build);
  }
  return build;
}

export interface SwitchChange {
  pin: 'PA4' | 'PA5';
  on: boolean;
  t: number;
  before: BoardSnapshot;
}

export interface RunRecord {
  runtime: BoardRuntime;
  scenario: Scenario;
  switches: SwitchChange[];
  /** The board model once per simulated second (and at the end). */
  timeline: BoardSnapshot[];
  lines: UartLine[];
  resets: { cause: ResetCause; t: number }[];
}

export interface RunOptions {
  hangAfter?: number;
  /** Exact EEPROM bytes instead of the scenario's. */
  eeprom?: Uint8Array;
  /** Run this long instead of the scenario's duration (s). */
  seconds?: number;
}

/** Scenario data (as in a YAML file) for a chemistry. */
export function scenarioFor(chemistry: Chemistry, data: Record<string, unknown>): Scenario {
  return parseScenario(data, 'test', { chemistry });
}

/** Powers a board with the built firmware and runs the scenario in 1-s steps. */
export async function runBoard(scenario: Scenario, options: RunOptions = {}): Promise<RunRecord> {
  const build = await firmware(scenario.chemistry, options.hangAfter);
  const memories = new NvmMemories();
  await preloadFirmware(memories, build.artifacts.hex);
  await preloadFuses(memories);
  const eeprom = options.eeprom ?? scenarioEepromBytes(scenario);
  if (eeprom) memories.eeprom.set(eeprom);
  const switches: SwitchChange[] = [];
  const runtime = new BoardRuntime({
    scenario,
    memories,
    onEvent: (e) => {
      if (e.type === 'switch') switches.push({ pin: e.pin, on: e.pin === 'PA4' ? e.state === 'high' : e.state === 'low', t: e.t, before: e.before });
    },
  });
  const end = options.seconds ?? scenario.durationSeconds ?? 600;
  const timeline: BoardSnapshot[] = [];
  for (let t = 1; t <= end; t++) {
    runtime.advance(t);
    timeline.push(runtime.snapshot());
  }
  return { runtime, scenario, switches, timeline, lines: runtime.lines, resets: runtime.chip.resets, };
}

/** The first switch change of a pin to a state at or after `from`. */
export function switchAt(run: RunRecord, pin: 'PA4' | 'PA5', on: boolean, from = 0): SwitchChange | undefined {
  return run.switches.find((s) => s.pin === pin && s.on === on && s.t >= from);
}

/** The model's truth at whole second `t` (from the 1-s timeline). */
export function truthAt(run: RunRecord, t: number): BoardSnapshot {
  const i = Math.max(0, Math.min(run.timeline.length - 1, Math.floor(t) - 1));
  return run.timeline[i]!;
}

/** States of the frames, with repeats collapsed. */
export function stateSequence(run: RunRecord): string[] {
  const out: string[] = [];
  for (const l of run.lines) {
    const s = l.frame?.state.replace('BMS_STATE_', '');
    if (s && out[out.length - 1] !== s) out.push(s);
  }
  return out;
}
