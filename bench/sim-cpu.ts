// Emulation speed of the AVRxt core: simulated CPU cycles per wall-clock second while the CPU is busy (never
// sleeping), on a mixed integer workload (test/fixtures/avr/busy.c). Prints a figure; asserts nothing.
//
//   npm run build && node dist/bench/sim-cpu.js [simulated-seconds]
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileAvrProgram } from '../src/firmware/avr.js';
import { Attiny824 } from '../src/sim/chip.js';
import { NvmMemories } from '../src/sim/nvm/memories.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const seconds = Number(process.argv[2] ?? 10);

const program = await compileAvrProgram({
  sources: [join(ROOT, 'test/fixtures/avr/busy.c')],
  includeDirs: [join(ROOT, 'test/fixtures/avr')],
  outDir: join(ROOT, 'dist/test-build/avr'),
  name: 'busy',
});
const memories = new NvmMemories();
memories.flash.set(await readFile(program.bin));
const chip = new Attiny824({ memories });

// Warm up (JIT), then measure.
chip.runUntil(0.2);
const c0 = chip.activeCycles;
const t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
chip.runUntil(0.2 + seconds);
const wall = Number(process.hrtime.bigint() - t0) / 1e9;
const used = process.cpuUsage(cpu0);
const cpuSeconds = (used.user + used.system) / 1e6;
const cycles = chip.activeCycles - c0;
// CPU time is the steadier figure on a shared machine; wall time is what a user waits.
console.log(
  `sim-cpu: ${(cycles / 1e6).toFixed(1)} M cycles: ${(cycles / cpuSeconds / 1e6).toFixed(1)} simulated MHz per CPU second, ` +
    `${(cycles / wall / 1e6).toFixed(1)} MHz wall (busy CPU, goal >= 10)`,
);
console.log(`sim-cpu: ${chip.cpu.instructions} instructions retired, ${(cycles / chip.cpu.instructions).toFixed(2)} cycles/instruction`);
