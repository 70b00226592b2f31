/**
 * `npm run bench:build`: how long `ltobms build` takes — a full build of both chemistries into
 * an empty folder, a no-op rebuild, and a rebuild after touching one header — and the flash /
 * RAM figures per chemistry against the 4 KB / 256 B budget. Prints figures; asserts nothing.
 *
 *   node dist/bench/build.js [--runs 3]
 */
import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIRMWARE_DIR } from '../src/firmware/avr.js';
import { BUDGET, buildFirmwares, type FirmwareBuild } from '../src/firmware/firmware.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const RUNS = arg('runs', 3);

async function timed(outDir: string): Promise<{ seconds: number; builds: FirmwareBuild[] }> {
  const t0 = performance.now();
  const builds = await buildFirmwares(['LTO', 'NAION'], { version: 'bench', outDir });
  return { seconds: (performance.now() - t0) / 1000, builds };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (x: number) => `${x.toFixed(3)} s`;

const full: number[] = [];
const noop: number[] = [];
let last: FirmwareBuild[] = [];
for (let run = 0; run < RUNS; run++) {
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-bench-build-'));
  try {
    const a = await timed(dir);
    full.push(a.seconds);
    const b = await timed(dir);
    noop.push(b.seconds);
    if (b.builds.some((x) => x.compiled > 0 || x.linked)) throw new Error('the no-op rebuild did work');
    last = a.builds;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// One header edit: touch src/ina260.h in a build folder of its own (the sources are not changed).
const dir = mkdtempSync(join(tmpdir(), 'ltobms-bench-build-'));
let touched = 0;
let touchedCompiled = 0;
try {
  await timed(dir);
  const header = join(FIRMWARE_DIR, 'src/ina260.h');
  const now = new Date();
  utimesSync(header, now, now);
  const t = await timed(dir);
  touched = t.seconds;
  touchedCompiled = t.builds.reduce((n, b) => n + b.compiled, 0);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(`ltobms build benchmark (${availableParallelism()} CPUs, median of ${RUNS} runs)`);
console.log(`  full build, LTO + NAION:        ${s(median(full))}   (runs: ${full.map(s).join(', ')})`);
console.log(`  no-op rebuild:                  ${s(median(noop))}   (no compiler started)`);
console.log(`  after touching src/ina260.h:    ${s(touched)}   (${touchedCompiled} objects recompiled, 2 relinks)`);
console.log(`  budget: ${BUDGET.flash} B flash, ${BUDGET.ram} B static RAM per release build`);
for (const b of last) {
  const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(1)} %`;
  console.log(
    `  ${b.chemistry.padEnd(6)} flash ${String(b.memory.flash).padStart(5)} B (${pct(b.memory.flash, BUDGET.flash)} of budget)` +
      `   RAM ${String(b.memory.ram).padStart(4)} B (${pct(b.memory.ram, BUDGET.ram)} of budget)   EEPROM ${b.memory.eeprom} B`,
  );
}
