// The virtual board's figures: emulation speed while the CPU is busy, wall time of a 24-hour scenario at
// `--speed max`, and the firmware's power figure — active CPU cycles per one-second tick for each chemistry,
// the time in each MCU state (active, IDLE, STANDBY) and the average MCU supply current that follows from the
// data sheet's currents at 1.25 MHz and the cell's voltage (src/sim/runtime/mcu-power.ts). Prints figures;
// asserts nothing.
//
//   npm run bench:sim
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Chemistry } from '../src/part/chemistry.js';
import { buildFirmware } from '../src/firmware/firmware.js';
import { NvmMemories } from '../src/sim/nvm/memories.js';
import { BoardRuntime } from '../src/sim/runtime/board-runtime.js';
import { preloadFirmware, preloadFuses } from '../src/sim/runtime/memories-setup.js';
import { McuPowerMeter } from '../src/sim/runtime/mcu-power.js';
import { paceRuntime } from '../src/sim/runtime/pacer.js';
import { defaultScenario, loadScenarioFile, type Scenario } from '../src/sim/scenario/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `--run N`: only long run N, in this process (the parent starts one process per long run, see 2.). */
const onlyRun = process.argv[2] === '--run' ? Number(process.argv[3]) : undefined;

const outDir = mkdtempSync(join(tmpdir(), 'ltobms-bench-sim-'));
const fw = new Map<Chemistry, string>();
/** The firmware image for a chemistry, built on first use. */
async function firmware(chemistry: Chemistry): Promise<string> {
  const built = fw.get(chemistry);
  if (built !== undefined) return built;
  const hex = (await buildFirmware({ chemistry, version: 'bench', outDir: join(outDir, chemistry) })).artifacts.hex;
  fw.set(chemistry, hex);
  return hex;
}

async function board(scenario: Scenario): Promise<BoardRuntime> {
  const memories = new NvmMemories();
  await preloadFirmware(memories, await firmware(scenario.chemistry));
  await preloadFuses(memories);
  return new BoardRuntime({ scenario, memories, keepLines: false });
}

// 1. Emulation speed while the CPU never sleeps: bench/sim-cpu.ts measures it (mixed integer workload).
if (onlyRun === undefined) {
  const out = execFileSync(process.execPath, [join(ROOT, 'dist/bench/sim-cpu.js'), '5'], { encoding: 'utf8' });
  const mhz = /([\d.]+) simulated MHz/.exec(out)?.[1] ?? '?';
  console.log(`busy CPU:              ${mhz} simulated MHz per CPU second (goal >= 50; bench/sim-cpu.ts)`);
}

// 2. Long runs at max speed (the pacer's slicing included, no ptys): a day of each chemistry and the 30-day winter
// example. CPU time is the steadier figure on a shared machine; wall time is what a user waits. Each run also says
// what its first simulated hour cost (V8 compiles the emulator's hot code then) and what every hour after it cost,
// and the machine's load right before and after it. Each runs in a process of its own, as `ltobms sim` runs one
// board: after two other boards in the same process (V8's code for the emulator tuned to all of them) the 30-day
// run took 80 s of CPU, on its own 57 s.
const load = () => `${loadavg().map((l) => l.toFixed(1)).join(' ')} (1/5/15 min) on ${cpus().length} cores`;
const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};
const runs: [string, Scenario, string][] = [
  ['built-in 20 mA load', { ...defaultScenario('LTO'), durationSeconds: 86_400 }, '24 h, goal <= 3 s'],
  ['examples/scenarios/naion-24h.yaml', await loadScenarioFile(join(ROOT, 'examples/scenarios/naion-24h.yaml')), '24 h, goal <= 3 s'],
  ['examples/scenarios/winter-30d.yaml', await loadScenarioFile(join(ROOT, 'examples/scenarios/winter-30d.yaml')), '30 d, goal <= 60 s'],
];
if (onlyRun === undefined) {
  for (let i = 0; i < runs.length; i++) {
    process.stdout.write(execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--run', String(i)], { encoding: 'utf8' }));
  }
} else {
  const [what, scenario, goal] = runs[onlyRun]!;
  const rt = await board(scenario);
  console.log(`machine load before:   ${load()}`);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let firstHour: number | undefined;
  const afterSlice = () => {
    if (firstHour === undefined && rt.time >= 3600) firstHour = cpuSeconds(cpu0);
  };
  await paceRuntime(rt, { speed: 'max', endAt: scenario.durationSeconds, afterSlice });
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(cpu0);
  const days = (scenario.durationSeconds ?? 0) / 86_400;
  const hours = days * 24;
  console.log(
    `${`${days.toFixed(0)} d at max, ${scenario.chemistry}`.padEnd(22)} ${wall.toFixed(2)} s wall, ${cpu.toFixed(2)} s CPU (${goal}) = ` +
      `${(cpu / days).toFixed(2)} CPU s per day, ${(rt.chip.activeCycles / cpu / 1e6).toFixed(1)} MHz of firmware cycles — ${what}`,
  );
  if (firstHour !== undefined) {
    console.log(
      `${''.padEnd(22)} first simulated hour ${firstHour.toFixed(2)} s CPU (JIT warm-up), then ` +
        `${((1000 * (cpu - firstHour)) / (hours - 1)).toFixed(0)} ms CPU per simulated hour; ` +
        `${(rt.chip.cpu.instructions / (86_400 * days)).toFixed(0)} instructions per simulated second`,
    );
  }
  console.log(`machine load after:    ${load()}`);
}

// 3. The firmware's power figure: active cycles per one-second tick in steady discharge (frames included), the
// time in each MCU state and the average MCU current over the same ten minutes.
for (const chemistry of onlyRun === undefined ? (['LTO', 'NAION'] as const) : []) {
  const rt = await board(defaultScenario(chemistry));
  rt.advance(60.5); // past start-up and the first frame
  const c0 = rt.chip.activeCycles;
  const meter = new McuPowerMeter(rt.chip.cpu);
  const ticks = 600; // ten minutes: ten frames among 600 ticks, as in service
  for (let i = 1; i <= ticks; i++) {
    rt.advance(60.5 + i);
    meter.sample(rt.board.vdd(rt.time));
  }
  const perTick = (rt.chip.activeCycles - c0) / ticks;
  const p = meter.totals;
  const pct = (s: number) => `${((100 * s) / p.totalSeconds).toFixed(3)} %`;
  console.log(
    `firmware ${chemistry.padEnd(5)}       ${perTick.toFixed(0)} active cycles per tick (goal <= 4309, stretch <= 2000); ` +
      `active ${pct(p.seconds.active)}, IDLE ${pct(p.seconds.idle)}, STANDBY ${pct(p.seconds.standby)} at ${rt.board.vdd(rt.time).toFixed(2)} V ` +
      `→ ${(p.averageAmps * 1e6).toFixed(2)} µA average MCU current`,
  );
}
