/**
 * The real firmware on the virtual board, both chemistries: discharge into UVLO, charge into OVLO,
 * over-current with the timeout release. Expectations come from the protection rules in HARDWARE.md,
 * the EEPROM defaults table and the board model's own voltages — never from the firmware's code.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { CHEMISTRY } from '../../../src/part/chemistry.js';
import { PACKAGE_ROOT } from '../../../src/firmware/avr.js';
import { loadScenarioFile } from '../../../src/sim/scenario/index.js';
import type { Chemistry } from '../../../src/sim/board/types.js';
import { runBoard, stateSequence, switchAt, truthAt } from './harness.js';

const CHEMS: Chemistry[] = ['LTO', 'NAION'];
const example = (name: string, chemistry: Chemistry) => loadScenarioFile(join(PACKAGE_ROOT, 'examples', 'scenarios', name), { chemistry });
/** What the ADC path may be off by (mV): 16 × 12-bit conversions through the 1:3 divider resolve ~1 mV; reference and rounding a few more. */
const ADC_MV = 6;
/** The firmware evaluates once per second; a reaction may come up to one tick (plus the measurement) late. */
const TICK = 1.2;

for (const chem of CHEMS) {
  const limits = CHEMISTRY[chem].defaults;

  test(`${chem}: discharge into UVLO cuts both outputs at the cut-off and a charger brings them back`, async () => {
    const scenario = await example('discharge-uvlo.yaml', chem);
    const run = await runBoard(scenario);
    const cut = switchAt(run, 'PA4', false, 1);
    assert.ok(cut, 'the main output was cut');
    const vAtCut = cut.before.batteryVolts * 1000;
    assert.ok(vAtCut <= limits.uvloCutoff + ADC_MV, `cut at ${vAtCut.toFixed(1)} mV, cut-off ${limits.uvloCutoff} mV`);
    const vBefore = truthAt(run, cut.t - 1).batteryVolts * 1000;
    assert.ok(vBefore > limits.uvloCutoff - ADC_MV, `one tick earlier the cell read ${vBefore.toFixed(1)} mV: the cut came late`);
    const qwiicCut = switchAt(run, 'PA5', false, 1);
    assert.ok(qwiicCut && Math.abs(qwiicCut.t - cut.t) < 0.01, 'the 3.3 V output is cut in the same evaluation');
    // The charger comes at the start of its first non-off segment; the outputs follow within a tick.
    const chargerAt = scenario.board.charger.find((s) => s.kind !== 'off')!.at;
    assert.ok(cut.t < chargerAt);
    const back = switchAt(run, 'PA4', true, cut.t);
    assert.ok(back, 'the main output came back');
    assert.ok(back.t >= chargerAt && back.t <= chargerAt + TICK, `back on at ${back.t} s, charger at ${chargerAt} s`);
    assert.ok(back.before.loadVolts - back.before.batteryVolts > 0.05, 'the charger holds V(L) above V(B) by more than 50 mV');
    // Nothing switched between the cut and the charger: V(L) is 0 with the output off.
    assert.equal(run.switches.filter((s) => s.t > cut.t + 0.01 && s.t < chargerAt).length, 0);
    const seq = stateSequence(run);
    const i = seq.indexOf('DISCHARGING');
    assert.ok(i >= 0 && seq.indexOf('UVLO', i) > i && seq.indexOf('CHARGING', seq.indexOf('UVLO')) > 0, seq.join(' '));
    for (const f of run.runtime.frames.filter((f) => f.state === 'BMS_STATE_UVLO')) {
      assert.ok(f.v_batt < limits.uvloRelease, `a UVLO frame with v_batt ${f.v_batt} ≥ release ${limits.uvloRelease}`);
    }
    const last = run.timeline.at(-1)!;
    assert.ok(last.mainOn && last.qwiicOn && last.currentAmps < 0, 'charging with both outputs on at the end');
  });

  test(`${chem}: charge into OVLO cuts the main output at the cut-off and keeps the 3.3 V output`, async () => {
    const scenario = await example('charge-ovlo.yaml', chem);
    const run = await runBoard(scenario);
    const cut = switchAt(run, 'PA4', false, 1);
    assert.ok(cut, 'the main output was cut');
    const vAtCut = cut.before.batteryVolts * 1000;
    assert.ok(vAtCut >= limits.ovloCutoff - ADC_MV, `cut at ${vAtCut.toFixed(1)} mV, cut-off ${limits.ovloCutoff} mV`);
    const vBefore = truthAt(run, cut.t - 1).batteryVolts * 1000;
    assert.ok(vBefore < limits.ovloCutoff + ADC_MV, `one tick earlier the cell read ${vBefore.toFixed(1)} mV: the cut came late`);
    assert.equal(switchAt(run, 'PA5', false, 1), undefined, 'the 3.3 V output was never cut');
    const last = run.timeline.at(-1)!;
    assert.ok(!last.mainOn && last.qwiicOn, 'main off, 3.3 V on at the end');
    assert.ok(last.batteryVolts * 1000 < limits.ovloCutoff + ADC_MV, 'the cell stopped charging');
    const seq = stateSequence(run);
    assert.ok(seq.includes('CHARGING') && seq.indexOf('OVLO') > seq.indexOf('CHARGING'), seq.join(' '));
    assert.equal(seq.at(-1), 'OVLO');
  });

  test(`${chem}: over-current opens both outputs and the EEPROM's timeout releases them`, async () => {
    const scenario = await example('overcurrent.json', chem);
    const timeout = scenario.eeprom?.kind === 'fields' ? scenario.eeprom.fields.ocloTimeout : undefined;
    assert.ok(timeout !== undefined && timeout !== limits.ocloTimeout, 'the scenario sets its own timeout');
    const shortAt = scenario.board.load.find((s) => s.kind === 'resistance')!.at;
    const run = await runBoard(scenario);
    const cut = switchAt(run, 'PA4', false, 1);
    assert.ok(cut, 'the main output was cut');
    assert.ok(cut.t >= shortAt && cut.t <= shortAt + TICK, `cut at ${cut.t} s, short at ${shortAt} s`);
    assert.ok(cut.before.currentAmps * 1000 > limits.maxCurrent, `the model's current ${cut.before.currentAmps} A is over the limit`);
    assert.ok(switchAt(run, 'PA5', false, 1)!.t - cut.t < 0.01, '3.3 V cut too');
    const back = switchAt(run, 'PA4', true, cut.t);
    assert.ok(back, 'released');
    // "More than oclo_timeout seconds since entering OCLO", evaluated once a second.
    const held = back.t - cut.t;
    assert.ok(held > timeout && held <= timeout + TICK + 1, `held ${held.toFixed(3)} s for a ${timeout} s timeout`);
    assert.ok(run.timeline.at(-1)!.mainOn, 'on again at the end (the short is gone)');
    assert.equal(run.runtime.frames[0]!.id, '0007', 'the serial number from the scenario EEPROM');
  });
}
