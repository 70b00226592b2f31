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
