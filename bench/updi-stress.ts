// Stress figures for the UPDI link against the virtual ATtiny824 (`ltobms sim` on a socat pty):
//
// 1. Link-ups under load: `ltobms info` N times per adapter profile while `yes >/dev/null` keeps
//    every core busy; the target's BREAK count tells how many link-ups needed a resynchronisation
//    (a double BREAK is two). Goal: 0 per profile.
// 2. Fault injection: `ltobms flash --erase` of an 8 KB image, RUNS times, each on a fresh sim whose
//    wire drops, corrupts and delays bytes (probability P each, its own seed). A run that exits 0
//    must have put the image into flash (the sim's --state is compared byte for byte): one that did
//    not is a silent corruption. Goals: ≥ 28 of 30 succeed, 0 silent corruptions.
//
//   npm run bench:updi-stress        LTOBMS_STRESS_LINKUPS=50 LTOBMS_STRESS_BUSY=<cores>
//                                    LTOBMS_STRESS_FAULT_RUNS=30 LTOBMS_STRESS_FAULT_P=0.0005
//                                    LTOBMS_STRESS_FAULT_SEED=1 (the first run's seed)
// (bench:updi-faults runs the same fault model over hundreds of seeds in process, on virtual time.)
// Prints figures with the machine load; asserts nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatIntelHex } from '../src/image/ihex.js';
import { ADAPTER_NAMES } from '../src/sim/wire/adapters.js';
import { BIN, run, startSim } from './sim-process.js';

const LINKUPS = Number(process.env.LTOBMS_STRESS_LINKUPS ?? 50);
const BUSY = Number(process.env.LTOBMS_STRESS_BUSY ?? availableParallelism());
const FAULT_RUNS = Number(process.env.LTOBMS_STRESS_FAULT_RUNS ?? 30);
const FAULT_P = Number(process.env.LTOBMS_STRESS_FAULT_P ?? 0.0005);
const FAULT_SEED = Number(process.env.LTOBMS_STRESS_FAULT_SEED ?? 1);
const IMAGE_BYTES = 8192;

const PROFILES: { name: string; simArgs: string[] }[] = [
  ...ADAPTER_NAMES.map((name) => ({ name, simArgs: ['--adapter', name] })),
  { name: 'no wire model', simArgs: ['--baud', '0', '--latency-ms', '0'] },
];

const dir = mkdtempSync(join(tmpdir(), 'ltobms-bench-stress-'));
const image = Uint8Array.from({ length: IMAGE_BYTES }, (_, i) => (i * 131 + (i >> 8) * 7) & 0xff);
const hex = join(dir, 'image.hex');
writeFileSync(hex, formatIntelHex([{ address: 0, data: image }]));
const load = () => loadavg()[0]!.toFixed(1);

const busy: ChildProcess[] = [];
const stopBusy = () => {
  for (const child of busy.splice(0)) child.kill('SIGTERM');
};
process.on('exit', stopBusy);
try {
  // 1. Link-ups with every core busy.
  for (let i = 0; i < BUSY; i++) busy.push(spawn('yes', [], { stdio: ['ignore', 'ignore', 'ignore'] }));
  console.log(`link-ups: ${LINKUPS} × ltobms info per profile, ${BUSY} × yes >/dev/null running; load average ${load()} at start`);
  for (const profile of PROFILES) {
    const sim = await startSim(profile.simArgs);
    try {
      const before = sim.breaks();
      let failed = 0;
      let resynced = 0;
      for (let i = 0; i < LINKUPS; i++) {
        const r = await run(process.execPath, [BIN, 'info', '--port', sim.port, '-v']);
        if (r.code !== 0) failed++;
        // The session logs every double BREAK it sends (-v): a link-up that needed a resync.
        if (/double BREAK/.test(r.err)) resynced++;
      }
      await new Promise((r) => setTimeout(r, 200)); // the last events on their way
      console.log(`  ${profile.name.padEnd(14)} ${resynced} link-ups resynchronised, ${sim.breaks() - before} BREAKs seen by the target, ${failed} failed; load ${load()}`);
    } finally {
      await sim.stop();
    }
  }
  stopBusy();

  // 2. Fault injection on the wire.
  const spec = (seed: number) => `drop=${FAULT_P},corrupt=${FAULT_P},delay=${FAULT_P},seed=${seed}`;
  console.log(`fault injection: ${FAULT_RUNS} × ltobms flash --erase of ${IMAGE_BYTES} B, --faults ${spec(0).replace(/,seed=0$/, '')} (seeds ${FAULT_SEED}–${FAULT_SEED + FAULT_RUNS - 1}); load average ${load()} at start`);
  let ok = 0;
  let silent = 0;
  let retries = 0;
  const failures = new Map<string, number>();
  for (let seed = FAULT_SEED; seed < FAULT_SEED + FAULT_RUNS; seed++) {
    const state = join(dir, `state-${seed}.json`);
    const sim = await startSim(['--faults', spec(seed), '--state', state]);
    let r;
    try {
      r = await run(process.execPath, [BIN, 'flash', hex, '--erase', '--port', sim.port, '--json']);
    } finally {
      await sim.stop();
    }
    if (r.code === 0) {
      ok++;
      retries += (JSON.parse(r.out) as { retries: number }).retries;
      const flash = Buffer.from((JSON.parse(readFileSync(state, 'utf8')) as { flash: string }).flash, 'hex');
      const differing = image.reduce((n, b, i) => n + (flash[i] === b ? 0 : 1), 0);
      if (differing) {
        silent++;
        const first = image.findIndex((b, i) => flash[i] !== b);
        console.log(`  SILENT CORRUPTION: seed ${seed}: exit 0 but ${differing} flash bytes differ, the first at 0x${first.toString(16)}; flash --json: ${r.out.replace(/\s+/g, ' ')}`);
      }
    } else {
      const reason = (/^error: (.*)$/m.exec(r.err)?.[1] ?? `exit ${r.code}`).replace(/0x[0-9a-f]+/gi, '0x…').replace(/\d+/g, 'N');
      failures.set(reason, (failures.get(reason) ?? 0) + 1);
    }
  }
  console.log(`  ${ok} of ${FAULT_RUNS} succeeded (${retries} retries in them), ${silent} silent corruptions, ${FAULT_RUNS - ok} failed; load ${load()}`);
  for (const [reason, n] of failures) console.log(`  failed ×${n}: ${reason}`);
  console.log('goals: 0 link-ups resynchronised per profile with every core busy; ≥ 28 of 30 fault-injection runs succeed; 0 silent corruptions');
} finally {
  stopBusy();
  rmSync(dir, { recursive: true, force: true });
}
