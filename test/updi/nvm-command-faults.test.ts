/**
 * One host byte that the target never receives (echoed, so the host cannot see it go), aimed at
 * each byte of the store that writes an NVM command into NVMCTRL.CTRLA while response signatures
 * are off (no ACKs). The target would take the next byte in its place — the SYNCH 0x55 of the
 * following instruction — and CMD[2:0] of 0x55 is 5, chip erase: flash and EEPROM gone, a
 * `flash` that never asked for an erase. Whatever the byte, no chip erase may run, the EEPROM
 * must keep its contents and the image must land (or the job fail loudly). The faults are placed
 * by position in a recording of the fault-free run, on virtual time, so each run is exact.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pipeHarness } from './sim-pipe.js';
import { withProgrammer } from '../../src/updi/connect.js';
import { planProgram } from '../../src/updi/plan.js';
import type { FaultDecision, FaultSource } from '../../src/sim/wire/faults.js';
import { NvmMemories } from '../../src/sim/nvm/memories.js';

const IMAGE = Uint8Array.from({ length: 1024 }, (_, i) => (i * 131 + (i >> 8) * 7) & 0xff);
const EEPROM = Uint8Array.from({ length: new NvmMemories().eeprom.length }, (_, i) => (i * 37 + 11) & 0xff);

function firstDiff(a: Uint8Array, b: Uint8Array): number {
  return a.findIndex((x, i) => x !== b[i]);
}

/** Records every host byte; drops the one at index `drop` (if given). */
class AimedDrop implements FaultSource {
  readonly hostBytes: number[] = [];
  constructor(private readonly drop = -1) {}
  next(byte: number, from: 'host' | 'target'): FaultDecision {
    if (from !== 'host') return { kind: 'pass' };
    this.hostBytes.push(byte);
    return this.hostBytes.length - 1 === this.drop ? { kind: 'drop' } : { kind: 'pass' };
  }
}

/** Start indices of every STS to NVMCTRL.CTRLA (0x1000, 16-bit address) in a host byte stream. */
function commandStores(bytes: number[]): { at: number; length: number }[] {
  const out: { at: number; length: number }[] = [];
  for (let i = 0; i + 4 < bytes.length; i++) {
    const op = bytes[i + 1]!;
    if (bytes[i] === 0x55 && (op & 0xec) === 0x44 && bytes[i + 2] === 0x00 && bytes[i + 3] === 0x10) out.push({ at: i, length: 4 + (op & 0x03) + 1 });
  }
  return out;
}

async function flashWith(faults: AimedDrop) {
  const memories = new NvmMemories();
  memories.eeprom.set(EEPROM);
  const h = pipeHarness({ memories, faultSource: faults });
  try {
    const result = await withProgrammer(h.connect, async (p) => {
      await p.session.enterProgMode();
      return p.program(planProgram({ flash: [{ address: 0, data: IMAGE }] }, await p.identify()));
    });
    return { result, sim: h.sim };
  } finally {
    h.sim.close();
  }
}

test('the fault-free run, recorded: each page is committed by a store to NVMCTRL.CTRLA', async () => {
  const recorder = new AimedDrop();
  const { sim } = await flashWith(recorder);
  assert.deepEqual(sim.memories.flash.subarray(0, IMAGE.length), IMAGE);
  assert.equal(sim.nvmctrl.counts.ERWP, IMAGE.length / 64);
  // The first is the page-buffer clear before the first page, then one per page.
  assert.ok(commandStores(recorder.hostBytes).length >= IMAGE.length / 64);
});

for (const which of [0, 1, 6]) {
  test(`a byte of NVM command store #${which + 1} lost on its way to the target: no chip erase, the EEPROM keeps its contents, the image lands`, async () => {
    const recorder = new AimedDrop();
    await flashWith(recorder);
    const store = commandStores(recorder.hostBytes)[which]!;
    const outcomes: string[] = [];
    for (let k = 0; k < store.length; k++) {
      const where = `byte ${k} of ${store.length} (0x${recorder.hostBytes[store.at + k]!.toString(16)}) dropped`;
      const run = await flashWith(new AimedDrop(store.at + k)).catch((err: Error) => err);
      if (run instanceof Error) {
        outcomes.push(`${where}: the job failed: ${run.message}`);
        continue;
      }
      const { sim } = run;
      const wrong = [
        sim.nvmctrl.counts.CHER ? 'a chip erase ran' : '',
        firstDiff(sim.memories.eeprom, EEPROM) >= 0 ? 'the EEPROM changed' : '',
        firstDiff(sim.memories.flash.subarray(0, IMAGE.length), IMAGE) >= 0 ? 'flash differs' : '',
      ].filter(Boolean);
      outcomes.push(`${where}: ${wrong.length ? wrong.join(', ') : 'ok'}`);
    }
    assert.deepEqual(outcomes, outcomes.map((o) => o.replace(/: [^:]*(: .*)?$/, ': ok')));
  });
}
