/**
 * The real firmware with the emulator's shortcuts on and off — fast-forward through idle loops
 * (src/sim/cpu/idle-loop.ts), instructions executed inline in the run loop (cpu/inline-ops.ts), libgcc's
 * multiply executed natively (cpu/routines.ts), a steady run of ADC samples taken as one
 * (peripherals/adc.ts): identical UART lines at identical instants, identical
 * output-pin changes, resets, cycle and instruction counts, SRAM and registers. The runs include the
 * loops the firmware still polls: the EEPROM write of the defaults after a corrupt configuration (NVMCTRL busy)
 * and the RTC synchronisation at start-up, and the watchdog reset of the hanging test build.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NvmMemories } from '../../../src/sim/nvm/memories.js';
import { BoardRuntime } from '../../../src/sim/runtime/board-runtime.js';
import { preloadFirmware, preloadFuses } from '../../../src/sim/runtime/memories-setup.js';
import { join } from 'node:path';
import { loadScenarioFile } from '../../../src/sim/scenario/index.js';
import { REPO_ROOT } from '../../helpers/cli.js';
import { firmware } from './harness.js';
import type { Chemistry } from '../../../src/sim/board/types.js';

interface Shortcuts {
  fastForward: boolean;
  inlineOps: boolean;
  nativeRoutines: boolean;
  steadyBursts: boolean;
}

const ALL_ON: Shortcuts = { fastForward: true, inlineOps: true, nativeRoutines: true, steadyBursts: true };
const ALL_OFF: Shortcuts = { fastForward: false, inlineOps: false, nativeRoutines: false, steadyBursts: false };

async function run(shortcuts: boolean | Shortcuts, hangAfter: number | undefined, seconds: number, chemistry: Chemistry = 'LTO') {
  const memories = new NvmMemories();
  await preloadFirmware(memories, (await firmware(chemistry, hangAfter)).artifacts.hex);
  await preloadFuses(memories);
  memories.eeprom.fill(0x5a, 0, 20); // corrupt: the firmware writes its defaults back
  const switches: unknown[] = [];
  const scenario = await loadScenarioFile(join(REPO_ROOT, 'examples/scenarios/discharge-uvlo.yaml'), { chemistry });
  const rt = new BoardRuntime({
    scenario,
    memories,
    onEvent: (e) => {
      if (e.type === 'switch') switches.push([e.pin, e.state, e.t]);
    },
  });
  const on = typeof shortcuts === 'boolean' ? { ...ALL_ON, fastForward: shortcuts } : shortcuts;
  rt.chip.cpu.fastForward = on.fastForward;
  rt.chip.cpu.inlineOps = on.inlineOps;
  rt.chip.cpu.nativeRoutines = on.nativeRoutines;
  rt.chip.adc.steadyBursts = on.steadyBursts;
  for (let t = 1; t <= seconds; t++) rt.advance(t);
  const cpu = rt.chip.cpu;
  return {
    seen: {
      lines: rt.lines.map((l) => [l.t, l.text]),
      switches,
      resets: rt.chip.resets,
      cycles: rt.chip.cycles,
      active: rt.chip.activeCycles,
      byMode: [...cpu.sleepCyclesByMode],
      instructions: cpu.instructions,
      eeprom: Array.from(memories.eeprom.subarray(0, 20)),
      sram: Buffer.from(cpu.sram).toString('hex'),
      regs: Array.from(cpu.regs),
      core: [cpu.pc, cpu.sp, cpu.sreg],
    },
    skipped: cpu.fastForwardedCycles,
    nativeCalls: cpu.nativeCalls,
    steadyRuns: rt.chip.adc.steadyRuns,
  };
}

test('LTO firmware through UVLO and back (discharge-uvlo.yaml), and the hanging build: identical with and without fast-forward', async () => {
  for (const [hangAfter, seconds] of [[undefined, 1500], [5, 20]] as const) {
    const off = await run(false, hangAfter, seconds);
    const on = await run(true, hangAfter, seconds);
    assert.deepEqual(on.seen, off.seen);
    assert.equal(off.skipped, 0);
    assert.ok(on.skipped > 1000, `skipped ${on.skipped} cycles (the EEPROM write's busy wait at least)`);
    if (hangAfter !== undefined) assert.ok(on.seen.resets.some((r) => r.cause === 'watchdog'), 'the watchdog reset the hanging build');
    else {
      assert.ok(on.seen.lines.some((l) => String(l[1]).includes('UVLO')), 'UVLO reached');
      assert.ok(on.seen.lines.some((l) => String(l[1]).includes('CHARGING')), 'charging again');
    }
  }
});

test('both chemistries through UVLO and back: every shortcut alone and all together give what the plain interpreter gives', async () => {
  for (const chemistry of ['LTO', 'NAION'] as const) {
    const plain = await run(ALL_OFF, undefined, 1500, chemistry);
    assert.ok(plain.seen.lines.some((l) => String(l[1]).includes('UVLO')), `${chemistry}: UVLO reached`);
    assert.equal(plain.nativeCalls, 0);
    assert.equal(plain.steadyRuns, 0);
    for (const shortcuts of [{ ...ALL_OFF, inlineOps: true }, { ...ALL_OFF, nativeRoutines: true }, { ...ALL_OFF, steadyBursts: true }, ALL_ON]) {
      const fast = await run(shortcuts, undefined, 1500, chemistry);
      assert.deepEqual(fast.seen, plain.seen, `${chemistry} ${JSON.stringify(shortcuts)}`);
      if (shortcuts.nativeRoutines) assert.ok(fast.nativeCalls > 1000, `${chemistry}: ${fast.nativeCalls} multiplies ran natively`);
      // Four or five bursts a second, most of them steady (the current's is not while its level sits on a code boundary).
      if (shortcuts.steadyBursts) assert.ok(fast.steadyRuns > 2000, `${chemistry}: ${fast.steadyRuns} bursts taken as one run`);
    }
  }
});
