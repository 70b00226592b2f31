/**
 * The firmware sleeps whenever it waits (firmware/README.md, "Sleep"): every ADC burst ends with the core in
 * STANDBY (woken by RESRDY), every UART byte of a frame goes out with the core in IDLE, and the core waits for
 * the next tick in STANDBY. Cycle counts are deterministic, so the active-cycle budget is a behaviour, not a
 * speed: the polling firmware spent 9,923 (LTO) / 11,159 (Na-ion) a tick, issue 12 asks for at most 4,309.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Chemistry } from '../../../src/sim/board/types.js';
import type { SleepMode } from '../../../src/sim/chip-types.js';
import { NvmMemories } from '../../../src/sim/nvm/memories.js';
import { BoardRuntime } from '../../../src/sim/runtime/board-runtime.js';
import { preloadFirmware, preloadFuses } from '../../../src/sim/runtime/memories-setup.js';
import { defaultScenario } from '../../../src/sim/scenario/index.js';
import { firmware } from './harness.js';

for (const chemistry of ['LTO', 'NAION'] as Chemistry[]) {
  test(`${chemistry}: ADC bursts end in STANDBY, frame bytes go out in IDLE, under 4,309 active cycles a tick`, async () => {
    const memories = new NvmMemories();
    await preloadFirmware(memories, (await firmware(chemistry)).artifacts.hex);
    await preloadFuses(memories);
    const sleeps: { t: number; mode: SleepMode }[] = [];
    const rt = new BoardRuntime({
      scenario: defaultScenario(chemistry),
      memories,
      keepLines: true,
      chipTrace: true,
      onEvent: (e) => {
        if (e.type === 'chip' && e.event.type === 'sleep') sleeps.push({ t: e.event.t, mode: e.event.mode });
      },
    });
    rt.advance(100);
    const conv0 = rt.chip.adc.conversions;
    const active0 = rt.chip.activeCycles;
    const idle0 = rt.chip.cpu.sleepCyclesByMode[0]!;
    rt.advance(101);
    // A quiet tick (no frame): one STANDBY sleep per ADC burst plus the one until the next tick, no IDLE.
    const bursts = rt.chip.adc.conversions - conv0;
    assert.equal(bursts, chemistry === 'LTO' ? 4 : 5);
    const quiet = sleeps.filter((s) => s.t >= 100 && s.t < 101);
    assert.deepEqual(quiet.map((s) => s.mode), Array<SleepMode>(bursts + 1).fill('standby'));
    assert.equal(rt.chip.cpu.sleepCyclesByMode[0], idle0);
    const quietCycles = rt.chip.activeCycles - active0;
    assert.ok(quietCycles < 2000, `quiet tick: ${quietCycles} active cycles`);

    // The frame tick at uptime 120: one IDLE sleep per byte at least (the line and its CR LF).
    rt.advance(120);
    const frame0 = rt.chip.activeCycles;
    rt.advance(121);
    const line = rt.lines.find((l) => l.t >= 120 && l.t < 121);
    assert.ok(line?.frame, 'a frame at uptime 120');
    const idle = sleeps.filter((s) => s.t >= 120 && s.t < 121 && s.mode === 'idle').length;
    assert.ok(idle >= line.text.length + 2, `${idle} IDLE sleeps for ${line.text.length + 2} bytes`);
    const frameCycles = rt.chip.activeCycles - frame0;
    assert.ok(frameCycles < 40_000, `frame tick: ${frameCycles} active cycles (polling the USART took ~195,000)`);

    // Over a minute of ticks (one frame among them), the average stays under the budget, and the
    // power meter sees the core in STANDBY more than 99 % of the time.
    const minute0 = rt.chip.activeCycles;
    rt.advance(181);
    const perTick = (rt.chip.activeCycles - minute0) / 60;
    assert.ok(perTick <= 4309, `${perTick} active cycles per tick`);
    const p = rt.power.totals;
    assert.ok(p.seconds.standby / p.totalSeconds > 0.99, `standby share ${p.seconds.standby / p.totalSeconds}`);
    assert.ok(p.seconds.idle > 0 && p.seconds.active > 0);
  });
}
