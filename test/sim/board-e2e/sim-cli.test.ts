/** `ltobms sim` with firmware: the two port lines, --trace output, the scenario's end, bad options. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { PACKAGE_ROOT } from '../../../src/firmware/avr.js';
import { CHEMISTRY } from '../../../src/part/chemistry.js';
import { runCli } from '../../helpers/cli.js';
import { socatAvailable } from '../../../src/serial/pty.js';
import type { EnergyReport } from '../../../src/sim/runtime/energy.js';
import { firmware } from './harness.js';
import { startSim } from '../../helpers/sim.js';

const skip = socatAvailable() ? false : 'needs socat';

test('ltobms sim --firmware --scenario --speed max --trace: ports, pins, states, resets, a clean end', { skip, timeout: 60_000 }, async () => {
  const build = await firmware('NAION');
  const scenario = join(PACKAGE_ROOT, 'examples', 'scenarios', 'overcurrent.json');
  const sim = await startSim(['--firmware', build.artifacts.elf, '--chemistry', 'NAION', '--scenario', scenario, '--speed', 'max', '--trace']);
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

test('ltobms sim --speed max --report: the energy report at the end, as lines and as JSON', { skip, timeout: 90_000 }, async () => {
  const build = await firmware('LTO');
  const scenario = join(PACKAGE_ROOT, 'examples', 'scenarios', 'discharge-uvlo.yaml');
  const args = ['--firmware', build.artifacts.elf, '--chemistry', 'LTO', '--scenario', scenario, '--speed', 'max', '--report'];
  const human = await startSim(args);
  assert.equal((await human.exited).code, 0, human.stderr());
  const out = human.stdout();
  assert.match(out, /^energy report: 40m 0s simulated, LTO, "discharge into UVLO, recover on a charger" \(40 frames\)$/m);
  assert.match(out, /^ {2}protection {3}1 entered \(UVLO 1, OVLO 0, OCLO 0\)$/m);
  assert.match(out, /^ {15}UVLO entered \d\d:\d\d:00 \(after \d\d:\d\d:00\)$/m);
  assert.match(out, /^ {2}MCU {10}\d\.\d\d µA average/m);

  const json = await startSim([...args, '--json']);
  assert.equal((await json.exited).code, 0, json.stderr());
  const line = json.stdout().split('\n').find((l) => l.startsWith('{"event":"report"'));
  assert.ok(line, json.stdout());
  const report = JSON.parse(line) as EnergyReport;
  assert.ok(Math.abs(report.simulatedSeconds - 2400) < 1e-3, `${report.simulatedSeconds} s`);
  assert.equal(report.frames, 40); // uptime 0 … 2340; the 2400 s frame would come just after the end
  assert.deepEqual(report.protection.map((e) => `${e.state} ${e.change}`), ['UVLO entered', 'UVLO left']);
  // 300 mA out until UVLO cuts it after about 9 minutes (~46 mAh), then a 500 mA charger from 20 min.
  assert.ok(report.charge.outMah > 40 && report.charge.outMah < 55, `out ${report.charge.outMah} mAh`);
  assert.ok(report.charge.inMah > 50, `in ${report.charge.inMah} mAh`);
  assert.ok(report.cell.minVolts < 1.75 && report.cell.minVolts > 1.5, `min ${report.cell.minVolts} V`);
  assert.ok(report.mcu.averageMicroamps > 1 && report.mcu.averageMicroamps < 10, `${report.mcu.averageMicroamps} µA`);
  assert.ok(report.states.UVLO! > 0 && report.states.DISCHARGING! > 0);
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
