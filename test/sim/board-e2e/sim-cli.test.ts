/** `ltobms sim` with firmware: the two port lines, --trace output, the scenario's end, bad options. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { PACKAGE_ROOT } from '../../../src/firmware/avr.js';
import { CHEMISTRY } from '../../../src/eeprom/chemistry.js';
import { runCli } from '../../helpers/cli.js';
import { socatAvailable } from '../../../src/serial/pty.js';
import { firmware } from './harness.js';
import { startSimChild } from './sim-process.js';

const skip = socatAvailable() ? false : 'needs socat';

test('ltobms sim --firmware --scenario --speed max --trace: ports, pins, states, resets, a clean end', { skip, timeout: 60_000 }, async () => {
  const build = await firmware('NAION');
  const scenario = join(PACKAGE_ROOT, 'examples', 'scenarios', 'overcurrent.json');
  const sim = await startSimChild(['--firmware', build.artifacts.elf, '--chemistry', 'NAION', '--scenario', scenario, '--speed', 'max', '--trace']);
  const { code } = await sim.exited;
  assert.equal(code, 0, sim.stderr());
  assert.match(sim.updi, /^\/dev\/pts\/\d+$/);
  assert.match(sim.uart, /^\/dev\/pts\/\d+$/);
  assert.notEqual(sim.updi, sim.uart);
  const err = sim.stderr();
  assert.match(err, /^sim 00:00:00\.000 reset \(power-on\)$/m);
  // The short at 60 s opens both outputs; the scenario's 5 s oclo_timeout closes them again.
  assert.match(err, /^sim 00:01:00\.\d{3} pin PA4 input \(main output OFF\)$/m);
  assert.match(err, /^sim 00:01:0[67]\.\d{3} pin PA4 high \(main output ON\)$/m);
  assert.match(err, /^sim 00:00:00\.\d{3} state \(none\) -> IDLE$/m);
  assert.match(err, /sim: scenario ended after 00:03:00\.000 simulated in state DISCHARGING/);
  assert.ok(CHEMISTRY.NAION.defaults.ocloTimeout !== 5, 'the release time above comes from the scenario, not the default');
});

test('ltobms sim refuses a bad --speed and --eeprom without --firmware (exit 2, hint)', async () => {
  for (const [args, message] of [
    [['--speed', 'fast'], /--speed fast: expected 1 \(real time\), a factor such as 60, or max/],
    [['--speed', '0'], /--speed 0/],
    [['--eeprom'], /--eeprom loads the EEPROM section of --firmware/],
    [['--chemistry', 'NiMH'], /NiMH/],
  ] as const) {
    const r = await runCli(['sim', ...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /^hint: /m);
    assert.equal(r.stdout, '', 'no ports were opened');
  }
});
