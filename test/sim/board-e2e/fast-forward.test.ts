/**
 * The real firmware with the emulator's fast-forward on and off (src/sim/cpu/idle-loop.ts): identical UART
 * lines at identical instants, identical output-pin changes, resets and cycle counts. The runs include the
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

async function run(fastForward: boolean, hangAfter: number | undefined, seconds: number) {
  const memories = new NvmMemories();
  await preloadFirmware(memories, (await firmware('LTO', hangAfter)).artifacts.hex);
  await preloadFuses(memories);
  memories.eeprom.fill(0x5a, 0, 20); // corrupt: the firmware writes its defaults back
  const switches: unknown[] = [];
  const scenario = await loadScenarioFile(join(REPO_ROOT, 'examples/scenarios/discharge-uvlo.yaml'), { chemistry: 'LTO' });
  const rt = new BoardRuntime({
    scenario,
    memories,
    onEvent: (e) => {
      if (e.type === 'switch') switches.push([e.pin, e.state, e.t]);
    },
  });
  rt.chip.cpu.fastForward = fastForward;
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
    },
    skipped: cpu.fastForwardedCycles,
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
