import { test } from 'node:test';
import assert from 'node:assert/strict';
import { close } from './assert-close.js';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../../src/errors.js';
import {
  defaultScenario,
  loadScenarioFile,
  parseDuration,
  parseScenarioText,
  type Scenario,
} from '../../../src/sim/scenario/index.js';
import { REPO_ROOT } from '../../helpers/cli.js';
import { isSubsequence, runReference } from './reference-bms.js';

const EXAMPLES = join(REPO_ROOT, 'examples', 'scenarios');

/** Asserts that parsing `text` fails with a usage error (exit 2) whose message matches. */
function rejects(text: string, message: RegExp, hint?: RegExp, source = 'bad.yaml'): void {
  assert.throws(
    () => parseScenarioText(text, source),
    (err: unknown) => {
      assert.ok(err instanceof UsageError, `not a UsageError: ${String(err)}`);
      assert.equal(err.exitCode, 2);
      assert.equal(err.code, 'SCENARIO_INVALID');
      assert.match(err.message, message);
      assert.match(err.message, new RegExp(`^scenario ${source.replace(/\./g, '\\.')}: `));
      if (hint) assert.match(err.hint ?? '', hint);
      return true;
    },
  );
}

test('durations: seconds, units and compounds', () => {
  assert.equal(parseDuration(90), 90);
  assert.equal(parseDuration('90'), 90);
  assert.equal(parseDuration('90s'), 90);
  assert.equal(parseDuration('15m'), 900);
  assert.equal(parseDuration('1h30m'), 5400);
  assert.equal(parseDuration('2.5h'), 9000);
  assert.equal(parseDuration('1d'), 86_400);
  assert.equal(parseDuration('250ms'), 0.25);
  assert.equal(parseDuration('5 parsecs'), undefined);
  assert.equal(parseDuration(-1), undefined);
});

test('file units become SI units for the board model', () => {
  const s = parseScenarioText(
    `
chemistry: NAION
duration: 1h30m
start_hour: "06:30"
cell: { capacity_mah: 2000, soc_pct: 25, resistance_mohm: 35, resistance_tc: 0.01 }
load:
  - { type: current, current_ma: 200, qwiic_ma: 5 }
  - { at: 10m, type: resistance, ohms: 12 }
charger: { at: 0, type: solar, peak_ma: 300, sunrise: "07:15", sunset: 19, cv_mv: 3950 }
temperature: 10
board: { switch_mohm: 30, quiescent_ua: 5, step: 500ms }
`,
    'units.yaml',
  );
  assert.equal(s.chemistry, 'NAION');
  assert.equal(s.durationSeconds, 5400);
  assert.equal(s.name, 'units');
  const b = s.board;
  assert.equal(b.startHour, 6.5);
  assert.deepEqual(b.cell, { capacityMah: 2000, initialSoc: 0.25, resistanceOhm: 0.035, resistanceTempCoeff: 0.01 });
  assert.deepEqual(b.load, [
    { at: 0, kind: 'current', amps: 0.2, qwiicAmps: 0.005 },
    { at: 600, kind: 'resistance', ohms: 12, qwiicAmps: 0 },
  ]);
  assert.deepEqual(b.charger, [{ at: 0, kind: 'solar', peakAmps: 0.3, sunriseHour: 7.25, sunsetHour: 19, cvVolts: 3.95 }]);
  close((b.temperature as { kelvin: number }).kelvin, 283.15);
  close(b.switchOhm, 0.03);
  close(b.quiescentAmps, 5e-6);
  assert.equal(b.stepSeconds, 0.5);
});

test('a starting voltage is turned into a state of charge through the chemistry\'s OCV curve', () => {
  // LTO rows 90 % = 2.42 V and 95 % = 2.50 V: 2.46 V is 92.5 %.
  close(parseScenarioText('cell: { voltage_mv: 2460 }', 'v.yaml').board.cell.initialSoc, 0.925);
  // Na-ion rows 40 % = 3.07 V and 50 % = 3.18 V: 3.125 V is 45 %.
  close(parseScenarioText('chemistry: naion\ncell: { voltage_mv: 3125 }', 'v.yaml').board.cell.initialSoc, 0.45);
});

test('the chemistry: the command line wins only if the file does not say otherwise; LTO by default', () => {
  assert.equal(parseScenarioText('duration: 1m', 'a.yaml').chemistry, 'LTO');
  assert.equal(parseScenarioText('duration: 1m', 'a.yaml', { chemistry: 'NAION' }).chemistry, 'NAION');
  assert.equal(parseScenarioText('chemistry: NAION', 'a.yaml', { chemistry: 'NAION' }).chemistry, 'NAION');
  assert.throws(
    () => parseScenarioText('chemistry: NAION', 'a.yaml', { chemistry: 'LTO' }),
    (e: unknown) => e instanceof UsageError && /written for NAION but --chemistry LTO/.test(e.message),
  );
});

test("default charger limits sit above the firmware's OVLO cut-off, so a charge can reach it", () => {
  // HARDWARE.md ovlo_cutoff defaults: 2800 mV (LTO), 3900 mV (Na-ion).
  const lto = parseScenarioText('charger: { type: cc, current_ma: 100 }', 'c.yaml').board.charger[0];
  const na = parseScenarioText('charger: { type: cc, current_ma: 100 }', 'c.yaml', { chemistry: 'NAION' }).board.charger[0];
  assert.ok(lto.kind === 'cc' && lto.cvVolts > 2.8);
  assert.ok(na.kind === 'cc' && na.cvVolts > 3.9);
});

test('EEPROM overrides: fields by their HARDWARE.md names, or raw bytes', () => {
  const f = parseScenarioText('eeprom: { serial_number: 7, temp_offset: -3, oclo_timeout: 5 }', 'e.yaml').eeprom;
  assert.deepEqual(f, { kind: 'fields', fields: { serialNumber: 7, tempOffset: -3, ocloTimeout: 5 } });
  const r = parseScenarioText('eeprom: { raw: "37 73 07 00 ff" }', 'e.yaml').eeprom;
  assert.deepEqual(r, { kind: 'raw', bytes: Uint8Array.from([0x37, 0x73, 0x07, 0x00, 0xff]) });
});

test('expectations: short state names are accepted and normalised', () => {
  const s = parseScenarioText('expect: { states: [discharging, UVLO], final_state: BMS_STATE_UVLO, outputs: { main: off, qwiic: on } }', 'x.yaml');
  assert.deepEqual(s.expect, {
    states: ['BMS_STATE_DISCHARGING', 'BMS_STATE_UVLO'],
    finalState: 'BMS_STATE_UVLO',
    finalOutputs: { main: false, qwiic: true },
  });
});

test('validation errors name the bad key and say what is expected (exit 2)', () => {
  rejects('load: { type: current, curent_ma: 20 }', /load\.current_ma is required \(a number ≥ 0\); is load\.curent_ma a misspelling of it\?/);
  rejects('load: { type: current, current_ma: 20, qwic_ma: 1 }', /unknown key load\.qwic_ma/, /did you mean qwiic_ma\?/);
  rejects('durration: 1h', /unknown key durration/, /did you mean duration\?/);
  rejects('load: [{ type: current, current_ma: -5 }]', /load\[0\]\.current_ma must be a number ≥ 0, got -5/);
  rejects('load: [{ type: current, current_ma: "20mA" }]', /load\[0\]\.current_ma must be a number ≥ 0, got "20mA"/);
  rejects('load: [{ type: current, current_ma: 1 }, { type: off }]', /load\[1\]\.at is required/);
  rejects('load: [{ at: 1h, type: off }, { at: 30m, type: off }]', /load\[1\]\.at must come after load\[0\]\.at/);
  rejects('load: [{ type: constant }]', /load\[0\]\.type must be one of off, current, resistance, got "constant"/);
  rejects('charger: { type: cc }', /charger\.current_ma is required/);
  rejects('charger: { type: cc, current_ma: 100, peak_ma: 200 }', /unknown key charger\.peak_ma/);
  rejects('charger: { type: solar, peak_ma: 100, sunrise: "25:00" }', /charger\.sunrise must be an hour of the day/);
  rejects('duration: 5 parsecs', /duration must be a time/);
  rejects('duration: 0', /duration must be longer than 0 s/);
  rejects('chemistry: LiPo', /chemistry must be one of LTO, NAION, got "LiPo"/);
  rejects('cell: { soc_pct: 120 }', /cell\.soc_pct must be a number from 0 to 100, got 120/);
  rejects('cell: { soc_pct: 50, voltage_mv: 2300 }', /give only one/);
  rejects('cell: { voltage_mv: 3500 }', /cell\.voltage_mv must be within the LTO open-circuit range, 1500–2800 mV, got 3500/);
  rejects('cell: { capacity_mah: 0 }', /cell\.capacity_mah must be a number > 0/);
  rejects('temperature: { min_c: 20, max_c: 10 }', /temperature\.max_c must not be below min_c/);
  rejects('temperature: { max_c: 10 }', /temperature\.min_c is required/);
  rejects('temperature: warm', /temperature must be °C as a number/);
  rejects('board: { step: 5m }', /board\.step must be more than 0 s and at most 60 s/);
  rejects('eeprom: { ovlo_cutoff: 70000 }', /eeprom\.ovlo_cutoff must be an integer from 0 to 65535, got 70000/);
  rejects('eeprom: { temp_offset: 2.5 }', /eeprom\.temp_offset must be an integer from -32768 to 32767/);
  rejects('eeprom: { raw: "37 7" }', /eeprom\.raw must be 1–128 bytes as hex digits/);
  rejects('eeprom: { raw: "3773", serial_number: 1 }', /eeprom\.raw gives the exact bytes/);
  rejects('expect: { states: [SLEEPING] }', /expect\.states\[0\] must name a firmware state/);
  rejects('expect: { outputs: { main: maybe } }', /expect\.outputs\.main must be on or off/);
  rejects('- 1\n- 2', /the file must be a mapping/);
  rejects('', /is empty/);
});

test('syntax errors name the file and where', () => {
  rejects('load:\n  type: current\n current_ma: 20\n', /is not valid YAML at line \d+, column \d+/);
  rejects('{ "load": [ }', /is not valid JSON/, undefined, 'bad.json');
});

test('a missing file is a usage error naming it', async () => {
  await assert.rejects(loadScenarioFile('/nonexistent/scenario.yaml'), (e: unknown) => {
    assert.ok(e instanceof UsageError);
    assert.equal(e.code, 'SCENARIO_READ');
    assert.equal(e.exitCode, 2);
    assert.match(e.message, /cannot read scenario \/nonexistent\/scenario\.yaml: no such file/);
    return true;
  });
});

test('files are read as JSON or YAML by extension', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-scenario-'));
  writeFileSync(join(dir, 's.json'), JSON.stringify({ duration: '2m', load: { type: 'current', current_ma: 10 } }));
  writeFileSync(join(dir, 's.yml'), 'duration: 2m\nload: { type: current, current_ma: 10 }\n');
  const a = await loadScenarioFile(join(dir, 's.json'));
  const b = await loadScenarioFile(join(dir, 's.yml'));
  assert.deepEqual(a.board, b.board);
  assert.equal(a.durationSeconds, 120);
});

test('the built-in scenario runs forever with a small load', () => {
  const s = defaultScenario('NAION');
  assert.equal(s.durationSeconds, undefined);
  assert.equal(s.chemistry, 'NAION');
  assert.equal(s.board.load.length, 1);
});

// Every example, for every chemistry it allows, driven by the documented protection rules (reference-bms.ts):
// the situations the scenario describes must really arise in the board model.
const examples = readdirSync(EXAMPLES).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();

test('there are 4–6 documented examples', () => {
  assert.ok(examples.length >= 4 && examples.length <= 6, examples.join(', '));
});

for (const file of examples) {
  test(`example ${file}: its expectations hold under the documented protection rules`, async () => {
    const first = await loadScenarioFile(join(EXAMPLES, file));
    assert.ok(first.description && first.description.length > 40, 'has a description');
    assert.ok(first.durationSeconds, 'has a duration');
    // A file without `chemistry:` runs as either chemistry; one with it refuses the other.
    const runs: Scenario[] = [];
    for (const chemistry of ['LTO', 'NAION'] as const) {
      try {
        runs.push(await loadScenarioFile(join(EXAMPLES, file), { chemistry }));
      } catch (err) {
        assert.match((err as Error).message, /is written for/);
      }
    }
    assert.ok(runs.some((s) => s.chemistry === first.chemistry));
    for (const s of runs) {
      const r = runReference(s);
      const label = `${file} as ${s.chemistry}: ${r.states.join(' > ')}`;
      if (s.expect.states) assert.ok(isSubsequence(s.expect.states, r.states), label);
      if (s.expect.finalState) assert.equal(r.final, s.expect.finalState, label);
      if (s.expect.finalOutputs?.main !== undefined) assert.equal(r.mainOn, s.expect.finalOutputs.main, label);
      if (s.expect.finalOutputs?.qwiic !== undefined) assert.equal(r.qwiicOn, s.expect.finalOutputs.qwiic, label);
    }
  });
}

test('every YAML example in docs/scenarios.md is a valid scenario', () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'scenarios.md'), 'utf8');
  const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(blocks.length >= 3);
  for (const block of blocks) parseScenarioText(block, 'docs.yaml');
});

test('board.errors: each tolerance defaults to 0, is read by its name and range-checked on its own', () => {
  const ideal = parseScenarioText('name: x', 'x.yaml');
  assert.deepEqual(ideal.board.errors, { vrefPct: 0, dividerPct: 0, loadDividerPct: 0, shuntPct: 0, adcOffsetLsb: 0, tempK: 0 });
  const s = parseScenarioText('board: { errors: { vref_pct: 1.2, divider_pct: -0.5, load_divider_pct: 0.8, shunt_pct: 0.9, adc_offset_lsb: -2, temp_k: 2.5 } }', 'x.yaml');
  assert.deepEqual(s.board.errors, { vrefPct: 1.2, dividerPct: -0.5, loadDividerPct: 0.8, shuntPct: 0.9, adcOffsetLsb: -2, tempK: 2.5 });
  rejects('board: { errors: { vref_pct: 12 } }', /board\.errors\.vref_pct must be a number from -10 to 10, got 12/);
  rejects('board: { errors: { divider_pct: "1%" } }', /board\.errors\.divider_pct must be a number from -10 to 10, got "1%"/);
  rejects('board: { errors: { adc_offset_lsb: 1.5 } }', /board\.errors\.adc_offset_lsb must be an integer from -64 to 64, got 1\.5/);
  rejects('board: { errors: { temp_k: -25 } }', /board\.errors\.temp_k must be a number from -20 to 20, got -25/);
  rejects('board: { errors: { vref_pc: 1 } }', /unknown key board\.errors\.vref_pc/, /did you mean vref_pct\?/);
});
