/**
 * The memories beyond flash and EEPROM, end to end against `ltobms sim`: fuses by name
 * (`fuses --set`), the user row (`write userrow`), the lock byte (`lock`) and compare-only
 * `verify`. What the part holds is read from the simulator's state file, never from our reports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { simSkip as skip, simWorkspace } from './sim-cli.js';
import { seededBytes } from '../sim/updi/harness.js';
import { formatIntelHex } from '../../src/image/ihex.js';

const { startSim, ltobms, file } = simWorkspace('ltobms-memories-cli-');

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

test('verify: compare only — exit 0 on a match; exit 1 naming the first differing address and the count; --json on both; nothing written', { skip }, async () => {
  const flash = seededBytes('verify-flash', 3000);
  const eeprom = seededBytes('verify-eeprom', 20);
  const sim = await startSim((m) => {
    m.flash.set(flash);
    m.eeprom.set(eeprom, 8);
  });
  try {
    const image = file('v.hex', formatIntelHex([{ address: 0, data: flash }, { address: 0x810008, data: eeprom }, { address: 0x850000, data: Uint8Array.of(1, 2) }]));
    const ok = await ltobms(['verify', image, '--eeprom'], sim);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^ATtiny824: 3000 B of flash and 20 B of eeprom match .*v\.hex \(\d+\.\d+ s\)$/m);
    assert.match(ok.stderr, /^note: .*v\.hex also has 2 B of userrow data; not compared \(use `ltobms write userrow`\)$/m);

    // Two flash bytes and one EEPROM byte differ: the first is flash offset 0x123.
    const wrong = Uint8Array.from(flash);
    wrong[0x123]! ^= 0x10;
    wrong[2999]! ^= 0xff;
    const wrongEeprom = Uint8Array.from(eeprom);
    wrongEeprom[3]! ^= 0x01;
    const bad = file('bad.hex', formatIntelHex([{ address: 0, data: wrong }, { address: 0x810008, data: wrongEeprom }]));
    const r = await ltobms(['verify', bad, '--eeprom'], sim);
    assert.equal(r.code, 1, r.stderr);
    const expected = wrong[0x123]!.toString(16).padStart(2, '0');
    const actual = flash[0x123]!.toString(16).padStart(2, '0');
    assert.equal(
      r.stderr.trim(),
      `error: verify failed: flash at offset 0x0123 (data address 0x8123) reads 0x${actual}, expected 0x${expected}; 3 of 3020 bytes differ\nhint: the part does not hold ${bad}; \`ltobms flash ${bad}\` writes it`,
    );
    assert.equal(r.stdout, '');

    const json = await ltobms(['verify', bad, '--eeprom', '--json'], sim);
    assert.equal(json.code, 1, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.equal(report.match, false);
    assert.equal(report.differing, 3);
    assert.deepEqual(report.first, { memory: 'flash', offset: 0x123, address: 0x8123, expected: wrong[0x123], actual: flash[0x123] });
    assert.deepEqual(report.memories.map((m: { memory: string; differing: number }) => [m.memory, m.differing]), [['flash', 2], ['eeprom', 1]]);
    assert.equal(report.memories[1].first.address, 0x1400 + 8 + 3);
    // Without --eeprom only the flash is compared, as `flash` would only write it.
    const flashOnly = await ltobms(['verify', bad, '--json'], sim);
    assert.equal(JSON.parse(flashOnly.stdout).differing, 2);

    // Nothing was written: the part still holds the first image.
    const again = await ltobms(['verify', image, '--eeprom', '--json'], sim);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).match, true);
    const m = sim.memories();
    assert.deepEqual(m.flash.subarray(0, 3000), flash);
  } finally {
    await sim.proc.stop();
  }
});

test('write userrow / lock: a .bin and --hex written and read back; lock wants its typed flag; a locked part takes its user row by key only with --no-verify; erase unlocks and keeps the row', { skip }, async () => {
  const sim = await startSim();
  try {
    const row = seededBytes('userrow-cli', 32);
    const written = await ltobms(['write', 'userrow', file('row.bin', row)], sim);
    assert.equal(written.code, 0, written.stderr);
    assert.match(written.stdout, /^ATtiny824: wrote userrow 32 B, verified 32 B in /m);
    const hex = await ltobms(['write', 'userrow', '--hex', 'de ad,be:ef', '--offset', '0x1c', '--json'], sim);
    assert.equal(hex.code, 0, hex.stderr);
    assert.deepEqual(JSON.parse(hex.stdout), { ...JSON.parse(hex.stdout), device: 'ATtiny824', memory: 'userrow', source: '--hex', offset: 28, written: 4, verified: 4, locked: false, method: 'nvm' });
    await sim.saved(hex.from);
    const expected = Uint8Array.from(row);
    expected.set([0xde, 0xad, 0xbe, 0xef], 28);
    assert.deepEqual(sim.memories().userrow, expected);

    const unconfirmed = await ltobms(['lock'], sim);
    assert.equal(unconfirmed.code, 2, unconfirmed.stderr);
    assert.match(unconfirmed.stderr, /^error: locking makes flash, EEPROM and fuses unreadable .*only a chip erase unlocks the part, and it erases the flash\nhint: .*--yes-lock-the-chip$/m);
    const lock = await ltobms(['lock', '--yes-lock-the-chip'], sim);
    assert.equal(lock.code, 0, lock.stderr);
    assert.match(lock.stdout, /^ATtiny824: LOCKBIT 0xc5 -> 0x3a, read back, locked after reset in /m);
    await sim.saved(lock.from);
    assert.equal(sim.memories().lockbits[0], 0x3a);
    const info = await ltobms(['info', '--json'], sim);
    assert.equal(JSON.parse(info.stdout).locked, true);

    const verified = await ltobms(['write', 'userrow', '--hex', '01'], sim);
    assert.equal(verified.code, 1, verified.stderr);
    assert.match(verified.stderr, /^error: the part is locked: its user row can be written \(USERROW key\) but not read back to verify\nhint: pass --no-verify/m);
    const byKey = await ltobms(['write', 'userrow', '--hex', '01 02', '--no-verify'], sim);
    assert.equal(byKey.code, 0, byKey.stderr);
    assert.match(byKey.stdout, /^locked part: wrote the user row \(32 B\) by the USERROW key in .*; not read back/m);
    await sim.saved(byKey.from);
    const m = sim.memories();
    assert.deepEqual([...m.userrow.subarray(0, 3)], [1, 2, 0xff]);
    assert.equal(m.lockbits[0], 0x3a, 'still locked');

    // A chip erase unlocks and keeps the user row (it is never erased by one).
    const erase = await ltobms(['erase'], sim);
    assert.equal(erase.code, 0, erase.stderr);
    const read = await ltobms(['read', 'userrow', '--json'], sim);
    assert.equal(JSON.parse(read.stdout).data, '0102' + 'ff'.repeat(30));
  } finally {
    await sim.proc.stop();
  }
});

test('write refusals before the port opens: flash and fuses have their own commands, bad --hex, file and --hex together', async () => {
  const cases: [string[], RegExp][] = [
    [['write', 'flash', 'x.hex'], /^error: ltobms write takes userrow or eeprom, not "flash"\nhint: `flash` has its own command: `ltobms flash FILE`/m],
    [['write', 'fuses', '--hex', '00'], /^hint: `fuses` has its own command: `ltobms fuses FILE` or `ltobms fuses --set NAME=VALUE`/m],
    [['write', 'userrow', '--hex', 'xyz'], /^error: --hex "xyz": not a list of hex bytes\nhint: two hex digits per byte/m],
    [['write', 'userrow', '--hex', '123'], /^error: --hex "123": not a list of hex bytes/m],
    [['write', 'userrow', 'a.bin', '--hex', '01'], /^error: give a file or --hex, not both/m],
    [['write', 'userrow'], /^error: no bytes to write to the userrow/m],
    [['write', 'userrow', '--hex', '01', '--offset', '300'], /^error: --offset 300: expected a byte offset from 0 to 255/m],
  ];
  for (const [args, message] of cases) {
    const r = await runCli([...args, '--port', '/nonexistent/ttyNOPE']);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
  }
});
