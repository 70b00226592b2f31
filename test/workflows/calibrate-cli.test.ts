/**
 * `ltobms calibrate` as a user runs it: bad options before any port is opened, and against
 * `ltobms sim` (pseudo-terminals) a reference the board's parts cannot explain — one error line, the
 * hint, exit 2, and the board's EEPROM (its state file) as it was.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { socatAvailable } from '../../src/serial/pty.js';
import { runCli } from '../helpers/cli.js';
import { startSim } from '../helpers/sim.js';
import { firmware } from '../sim/board-e2e/harness.js';

const skip = socatAvailable() ? false : 'needs socat';

test('ltobms calibrate refuses unusable options before opening anything (exit 2, one error line, a hint)', async () => {
  const port = ['-P', '/dev/null-not-a-port', '--uart-port', '/dev/null-not-either'];
  for (const [args, message] of [
    [[], /^error: nothing to calibrate: give at least one value you measured$/m],
    [['--zero', '--current', '300'], /^error: --zero \(nothing attached\) and --current \(a current flowing\) need two different set-ups$/m],
    [['--vbatt', '2.3V'], /^error: --vbatt 2\.3V: expected mV from 1 to 6000$/m],
    [['--current', '--vbatt'], /^error: --current --vbatt: expected mA/m],
    [['--vbatt', '2300', '--frames', '0'], /^error: --frames 0: expected a whole number from 1 to 10$/m],
    [['--vbatt', '2300', '--frame-timeout', 'soon'], /^error: --frame-timeout soon/m],
  ] as const) {
    const r = await runCli(['calibrate', ...port, ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('error:')).length, 1);
    assert.match(r.stderr, /^hint: /m);
    assert.equal(r.stdout, '');
  }
});

test('ltobms calibrate with a UART port that does not exist: one error naming --uart-port, exit 1, before UPDI is touched', async () => {
  const r = await runCli(['calibrate', '-P', '/dev/null-not-a-port', '--uart-port', '/dev/ltobms-no-such-uart', '--vbatt', '2300']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^error: the board's UART: serial port \/dev\/ltobms-no-such-uart cannot be opened/m);
  assert.match(r.stderr, /^hint: check --uart-port/m);
  assert.equal(r.stdout, '');
});

test('ltobms calibrate against ltobms sim: a reference 8 % off is refused with the reason, the EEPROM unchanged', { skip, timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-calibrate-cli-'));
  const scenario = join(dir, 'steady.yaml');
  writeFileSync(scenario, 'name: steady\ncell: { soc_pct: 50, capacity_mah: 1000000 }\nload: { type: current, current_ma: 300 }\neeprom: { serial_number: 7 }\n');
  const state = join(dir, 'board.json');
  const elf = (await firmware('LTO')).artifacts.elf;
  const sim = await startSim(['--firmware', elf, '--scenario', scenario, '--speed', '60', '--state', state, '--baud', '0', '--latency-ms', '0']);
  try {
    const r = await runCli(['calibrate', '-P', sim.updi, '--uart-port', sim.uart, '--vbatt', '2460', '--frame-timeout', '60']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^error: v_batt reads 22\d\d mV against 2460 mV measured: a gain of 1\.0\d+ \(\+\d\.\d+ %\) is beyond the ±5 % a board's parts explain; nothing written$/m);
    assert.match(r.stderr, /^hint: .*--force writes it anyway$/m);
    assert.match(r.stderr, /^ {2}frame uptime 60 s: v_batt 22\d\d mV/m, 'the step lines show the frame it used');
    assert.equal(r.stdout, '');
  } finally {
    assert.equal((await sim.stop('SIGTERM')).code, 0);
  }
  // The configuration the scenario wrote (serial 7), and no calibration block: bytes 20-39 still erased.
  const eeprom = Buffer.from((JSON.parse(readFileSync(state, 'utf8')) as { eeprom: string }).eeprom, 'hex');
  assert.equal(eeprom.readUInt16LE(2), 7);
  assert.ok(eeprom.subarray(20, 40).every((b) => b === 0xff), eeprom.subarray(20, 40).toString('hex'));
});

test('ltobms calibrate --json against ltobms sim: an idle board off by its tolerances, calibrated to its true 2290 mV, 0 mA and 20 °C', { skip, timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-calibrate-cli-'));
  const scenario = join(dir, 'idle.yaml');
  // No load: the cell sits at its open-circuit voltage, 2.29 V at 50 % on the LTO table, and so does the output.
  writeFileSync(scenario, 'name: idle\ncell: { soc_pct: 50 }\ntemperature: 20\neeprom: { serial_number: 7 }\nboard: { errors: { vref_pct: -1.1, divider_pct: 0.6, load_divider_pct: -0.4, adc_offset_lsb: 1, temp_k: -2 } }\n');
  const elf = (await firmware('LTO')).artifacts.elf;
  const sim = await startSim(['--firmware', elf, '--scenario', scenario, '--speed', '60', '--baud', '0', '--latency-ms', '0']);
  try {
    const args = ['calibrate', '-P', sim.updi, '--uart-port', sim.uart, '--vbatt', '2290', '--vload', '2290', '--zero', '--temp', '20', '--frame-timeout', '60'];
    const r = await runCli([...args, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { serialNumber: number; rows: { quantity: string; reading: number; after: number; ok: boolean }[]; after: { vbatt: { gain: number } }; block: string };
    assert.equal(result.serialNumber, 7);
    assert.deepEqual(result.rows.map((row) => row.quantity), ['v_batt', 'v_load', 'current', 'temp']);
    assert.ok(result.rows.every((row) => row.ok), JSON.stringify(result.rows));
    const vbatt = result.rows[0]!;
    assert.ok(vbatt.reading - 2290 > 15, `uncalibrated ${vbatt.reading} mV`);
    assert.ok(Math.abs(vbatt.after - 2290) <= 3, `calibrated ${vbatt.after} mV`);
    assert.equal(result.block.length, 40);
    assert.equal(r.stderr, '', '--json: nothing on stderr');
    // Again, as a person reads it: the board is calibrated now, so the table shows small changes.
    const human = await runCli(args);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^calibrated ATtiny824, board 0007 \(lto-bms\), 1 frame before and after$/m);
    assert.match(human.stdout, /^ +reading +reference +predicted +after +correction$/m);
    assert.match(human.stdout, /^v_batt mV +229\d +2290 +2290 +229\d ok +vbatt_gain 0\.9\d+ → 0\.9\d+$/m);
    assert.match(human.stdout, /^calibration block \(EEPROM 20-39\): 1bca[0-9a-f]{36}$/m);
    assert.match(human.stderr, /^ATtiny824, board 0007, calibrated before$/m);
  } finally {
    assert.equal((await sim.stop('SIGTERM')).code, 0);
  }
});
