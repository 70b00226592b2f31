// The virtual board's figures: emulation speed while the CPU is busy, wall time of a 24-hour scenario at
// `--speed max`, and the firmware's power figure — active CPU cycles per one-second tick for each chemistry,
// the active duty and the MCU supply current that follows from the datasheet. Prints figures; asserts nothing.
//
//   npm run bench:sim
//
// Datasheet currents (tinyAVR 2 family, ATtiny824/1624/3224 data sheet, "Electrical Characteristics → Power
// Consumption", VDD = 3 V, 25 °C, typical):
//   - Active, CLK_CPU = 10 MHz (OSC20M /2): 2.8 mA; 5 MHz (OSC20M /4): 1.6 mA. The table has no 1.25 MHz row;
//     a straight line through those two points (0.24 mA/MHz + 0.4 mA with OSC20M running) gives 0.70 mA at
//     1.25 MHz (OSC20M /16), the firmware's clock.
//   - Standby with the RTC running at 1.024 kHz from the internal OSCULP32K: 0.7 µA.
// The estimate is the CPU only (ADC, VREF and I/O currents come on top while the ADC converts).
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Chemistry } from '../src/eeprom/chemistry.js';
import { buildFirmware } from '../src/firmware/firmware.js';
import { NvmMemories } from '../src/sim/nvm/memories.js';
import { BoardRuntime } from '../src/sim/runtime/board-runtime.js';
import { preloadFirmware, preloadFuses } from '../src/sim/runtime/memories-setup.js';
import { paceRuntime } from '../src/sim/runtime/pacer.js';
import { defaultScenario, loadScenarioFile, type Scenario } from '../src/sim/scenario/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CPU_HZ = 1_250_000;
/** Active current at 1.25 MHz, 3 V (A), extrapolated from the datasheet's 5 and 10 MHz rows (see above). */
const ACTIVE_AMPS = 0.4e-3 + 0.24e-3 * 1.25;
/** Standby with the RTC PIT on OSCULP32K, 3 V (A). */
const STANDBY_AMPS = 0.7e-6;

const outDir = mkdtempSync(join(tmpdir(), 'ltobms-bench-sim-'));
const fw = new Map<Chemistry, string>();
for (const chemistry of ['LTO', 'NAION'] as const) {
  fw.set(chemistry, (await buildFirmware({ chemistry, version: 'bench', outDir: join(outDir, chemistry) })).artifacts.hex);
}

async function board(scenario: Scenario): Promise<BoardRuntime> {
  const memories = new NvmMemories();
  await preloadFirmware(memories, fw.get(scenario.chemistry)!);
  await preloadFuses(memories);
  return new BoardRuntime({ scenario, memories, keepLines: false });
}

// 1. Emulation speed while the CPU never sleeps: bench/sim-cpu.ts measures it (mixed integer workload).
{
  const out = execFileSync(process.execPath, [join(ROOT, 'dist/bench/sim-cpu.js'), '5'], { encoding: 'utf8' });
  const mhz = /([\d.]+) simulated MHz/.exec(out)?.[1] ?? '?';
  console.log(`busy CPU:              ${mhz} simulated MHz (goal >= 10; bench/sim-cpu.ts)`);
}

// 2. A 24-hour scenario at max speed (the pacer's slicing included, no ptys).
const day: [string, Scenario][] = [
  ['built-in 20 mA load', { ...defaultScenario('LTO'), durationSeconds: 86_400 }],
  ['examples/scenarios/naion-24h.yaml', await loadScenarioFile(join(ROOT, 'examples/scenarios/naion-24h.yaml'))],
];
for (const [what, scenario] of day) {
  const rt = await board(scenario);
  const t0 = performance.now();
  await paceRuntime(rt, { speed: 'max', endAt: scenario.durationSeconds });
  const wall = (performance.now() - t0) / 1000;
  const mhz = rt.chip.activeCycles / wall / 1e6;
  console.log(`24 h at max, ${scenario.chemistry.padEnd(5)}   ${wall.toFixed(2)} s wall = ${(86_400 / wall).toFixed(0)}x real time (goal < 10 s), ${mhz.toFixed(1)} MHz of firmware cycles — ${what}`);
}

// 3. The firmware's power figure: active cycles per one-second tick in steady discharge (frames included).
for (const chemistry of ['LTO', 'NAION'] as const) {
  const rt = await board(defaultScenario(chemistry));
  rt.advance(60.5); // past start-up and the first frame
  const c0 = rt.chip.activeCycles;
  const ticks = 600; // ten minutes: ten frames among 600 ticks, as in service
  rt.advance(60.5 + ticks);
  const perTick = (rt.chip.activeCycles - c0) / ticks;
  const duty = perTick / CPU_HZ;
  const amps = duty * ACTIVE_AMPS + (1 - duty) * STANDBY_AMPS;
  console.log(
    `firmware ${chemistry.padEnd(5)}       ${perTick.toFixed(0)} active cycles per tick = ${(duty * 100).toFixed(3)} % active at 1.25 MHz` +
      ` → ${(amps * 1e6).toFixed(2)} µA average MCU current (active ${(ACTIVE_AMPS * 1e3).toFixed(2)} mA, standby ${(STANDBY_AMPS * 1e6).toFixed(1)} µA)`,
  );
}
