// Fault injection over many seeds, fast: `flash --erase` of an 8 KB image through the real driver
// (session, executor, NVM) into the virtual ATtiny824 in this process, both on one virtual clock,
// the wire set up like `ltobms sim`'s default (115200 baud, 1 ms latency timer, 62-byte packets, a
// BREAK sent as a 0x00 byte as over a pty). The same fault model as bench:updi-stress (each byte
// dropped, corrupted or delayed with probability P, seeded), without processes or wall-clock
// time, so hundreds of seeds take minutes and a seed reproduces exactly.
//
// A job that resolves must have put the image into flash and left the EEPROM as it was (the
// target's memories are compared byte for byte): one that did not is a silent corruption.
//
//   npm run bench:updi-faults      LTOBMS_FAULT_SEEDS=1-300 LTOBMS_FAULT_P=0.0005
//                                  LTOBMS_FAULT_TRACE=<seed> (driver debug output of that seed)
//                                  LTOBMS_FAULT_RETRIES=N (attempts per page/chunk; default: the driver's)
// Prints figures; asserts nothing.
import { ManualClock } from '../src/util/clock.js';
import { wireClockOn } from '../src/sim/wire/clock.js';
import { updiSimulatorOnPipe } from '../src/sim/updi/pipe.js';
import { NvmMemories } from '../src/sim/nvm/memories.js';
import { withProgrammer } from '../src/updi/connect.js';
import { planProgram } from '../src/updi/plan.js';
import { enableDebug } from '../src/util/debug.js';
import { loadavg } from 'node:os';

const [first, last] = (process.env.LTOBMS_FAULT_SEEDS ?? '1-300').split('-').map(Number) as [number, number];
const P = Number(process.env.LTOBMS_FAULT_P ?? 0.0005);
const TRACE = process.env.LTOBMS_FAULT_TRACE ? Number(process.env.LTOBMS_FAULT_TRACE) : undefined;
const RETRIES = process.env.LTOBMS_FAULT_RETRIES ? Number(process.env.LTOBMS_FAULT_RETRIES) : undefined;
const image = Uint8Array.from({ length: 8192 }, (_, i) => (i * 131 + (i >> 8) * 7) & 0xff);
const eeprom = Uint8Array.from({ length: new NvmMemories().eeprom.length }, (_, i) => (i * 37 + 11) & 0xff);

interface Outcome {
  seed: number;
  ok: boolean;
  silent?: string;
  error?: string;
  retries?: number;
  seconds: number;
}

async function flashOnce(seed: number): Promise<Outcome> {
  const clock = new ManualClock({ autoAdvance: true });
  const memories = new NvmMemories();
  memories.eeprom.set(eeprom);
  const faults = { drop: P, corrupt: P, delay: P, delaySeconds: 0.02, seed };
  const pipe = updiSimulatorOnPipe({ memories, baud: 115200, latencySeconds: 0.001, breakAs: 'zero-byte', clock: wireClockOn(clock), hostClock: clock, faults });
  try {
    const result = await withProgrammer({ port: 'sim', baud: 115200, transport: pipe.host, clock, maxRetries: RETRIES }, async (p) => {
      await p.session.enterProgMode();
      return p.program(planProgram({ flash: [{ address: 0, data: image }] }, await p.identify(), { chipErase: true }));
    });
    const flash = pipe.sim.memories.flash;
    const differing = image.reduce((n, b, i) => n + (flash[i] === b ? 0 : 1), 0);
    const eepromChanged = pipe.sim.memories.eeprom.some((b, i) => b !== eeprom[i]);
    const silent = [
      differing ? `${differing} flash bytes differ, the first at 0x${image.findIndex((b, i) => flash[i] !== b).toString(16)}` : '',
      // --erase erased the EEPROM once, on purpose; it must be 0xff now, not half of it.
      eepromChanged && pipe.sim.memories.eeprom.some((b) => b !== 0xff) ? 'the EEPROM is neither kept nor erased' : '',
    ].filter(Boolean);
    return { seed, ok: true, silent: silent.length ? silent.join('; ') : undefined, retries: result.retries, seconds: clock.now() / 1000 };
  } catch (err) {
    return { seed, ok: false, error: (err as Error).message, seconds: clock.now() / 1000 };
  } finally {
    pipe.sim.close();
  }
}

const t0 = performance.now();
console.log(`fault injection on virtual time: seeds ${first}–${last}, flash --erase of ${image.length} B, drop=corrupt=delay=${P}, retries ${RETRIES ?? 'default'}; load average ${loadavg()[0]!.toFixed(1)}`);
const outcomes: Outcome[] = [];
for (let seed = first; seed <= last; seed++) {
  if (seed === TRACE) enableDebug('ltobms:updi:*');
  const outcome = await flashOnce(seed);
  if (seed === TRACE) enableDebug('');
  outcomes.push(outcome);
  if (outcome.silent) console.log(`  SILENT CORRUPTION: seed ${seed}: exit 0 but ${outcome.silent} (${outcome.retries} retries)`);
  else if (!outcome.ok) console.log(`  seed ${seed} failed: ${outcome.error}`);
}
const ok = outcomes.filter((o) => o.ok);
const failed = outcomes.filter((o) => !o.ok);
const reasons = new Map<string, number[]>();
for (const o of failed) {
  const reason = o.error!.replace(/0x[0-9a-f]+/gi, '0x…').replace(/\d+/g, 'N');
  reasons.set(reason, [...(reasons.get(reason) ?? []), o.seed]);
}
const virtual = outcomes.reduce((s, o) => s + o.seconds, 0);
console.log(`  ${ok.length} of ${outcomes.length} succeeded (${ok.reduce((n, o) => n + o.retries!, 0)} retries in them), ${outcomes.filter((o) => o.silent).length} silent corruptions, ${failed.length} failed`);
for (const [reason, seeds] of [...reasons].sort((a, b) => b[1].length - a[1].length)) console.log(`  failed ×${seeds.length}: ${reason} (seeds ${seeds.join(', ')})`);
console.log(`  ${virtual.toFixed(0)} s of virtual time in ${((performance.now() - t0) / 1000).toFixed(0)} s; load average ${loadavg()[0]!.toFixed(1)}`);
