/**
 * The memories beyond flash and EEPROM, end to end against `ltobms sim`: fuses by name
 * (`fuses --set`), the user row (`write userrow`), the lock byte (`lock`) and compare-only
 * `verify`. What the part holds is read from the simulator's state file, never from our reports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { simSkip as skip, simWorkspace } from './sim-cli.js';

const { startSim, ltobms } = simWorkspace('ltobms-memories-cli-');

test('fuses --set: names in any case, only what changes is written and read back, each value decoded; --dry-run writes nothing', { skip }, async () => {
  const sim = await startSim();
  try {
    const dry = await ltobms(['fuses', '--set', 'wdtcfg=0x7a,BODCFG=0b01001000', '--set', 'OSCCFG=126', '--dry-run'], sim);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^WDTCFG {3}0x00 -> 0x7a {4}period 4K cycles, window 512 cycles$/m);
    assert.match(dry.stdout, /^ATtiny824: dry run, would write 2 of 3 fuses \(nothing written\)$/m);

    const r = await ltobms(['fuses', '--set', 'wdtcfg=0x7a,BODCFG=0b01001000', '--set', 'OSCCFG=126', '--json'], sim);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    // The dry run left the factory values: the real run still finds both to change.
    assert.deepEqual(report.fuses.map((f: { name: string; before: number; value: number; written: boolean }) => [f.name, f.before, f.value, f.written]), [
      ['WDTCFG', 0x00, 0x7a, true],
      ['BODCFG', 0x00, 0x48, true],
      ['OSCCFG', 0x7e, 0x7e, false],
    ]);
    assert.equal(report.fuses[1].meaning, 'active sampled, sleep disabled, level 2.6 V, sampling 1 kHz');
    // All three are read back; the unchanged one too.
    assert.equal(report.verified, 3);
    assert.equal(report.dryRun, false);
    await sim.saved(r.from);
    assert.deepEqual([...sim.memories().fuses], [0x7a, 0x48, 0x7e, 0xff, 0xff, 0xf6, 0xff, 0x00, 0x00, 0xff]);

    // The planner's UPDI-pin rule holds for --set: refused (exit 2), nothing written.
    const lockout = await ltobms(['fuses', '--set', 'SYSCFG0=0xf3'], sim);
    assert.equal(lockout.code, 2, lockout.stderr);
    assert.match(lockout.stderr, /^error: refusing to write SYSCFG0 = 0xf3: RSTPINCFG = GPIO/m);
    assert.match(lockout.stderr, /^hint: .*--force/m);
    // A section end beyond this part's flash is known once the part is: exit 2 too.
    const append = await ltobms(['fuses', '--set', 'APPEND=33'], sim);
    assert.equal(append.code, 2, append.stderr);
    assert.match(append.stderr, /^error: --set APPEND=0x21: .*beyond the 8192 B flash of the ATtiny824$/m);
    assert.equal(sim.memories().fuses[5], 0xf6);
  } finally {
    await sim.proc.stop();
  }
});

test('fuses --set refusals come before the port is touched: one error line, a hint, exit 2', async () => {
  const cases: [string[], RegExp][] = [
    [['--set', 'OSCCFG=0x02'], /^error: --set OSCCFG=0x02: bits 6:2 of OSCCFG are reserved and must stay 1\nhint: write 0x7e/m],
    [['--set', 'NOPE=1'], /^error: --set NOPE=1: no fuse is named "NOPE"\nhint: the fuses are WDTCFG/m],
    [['--set', 'WDTCFG=0x7a', 'firmware/fuses.hex'], /^error: give a fuse file or --set, not both/m],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(['fuses', ...args, '--port', '/nonexistent/ttyNOPE']);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 2, r.stderr);
  }
});
