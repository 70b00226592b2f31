// avrdude 7.1 (serialupdi), an independent programmer, against `ltobms sim` over a real
// pseudo-terminal: signature, full flash, EEPROM, fuses, user row, lock and unlock; the state
// file must then hold exactly what avrdude wrote. Data is pseudo-random with fixed seeds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { avrdude, avrdudeAvailable, seededBytes, type AvrdudeResult } from './harness.js';
import { startSim } from '../../helpers/sim.js';

const skip = avrdudeAvailable() ? false : 'avrdude is not installed';

function ok(r: AvrdudeResult): void {
  assert.equal(r.code, 0, `avrdude failed:\n${r.output}`);
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('avrdude reads the signature of the virtual ATtiny824', { skip }, async () => {
  const sim = await startSim(['--baud', '0', '--latency-ms', '0']);
  try {
    const r = await avrdude(sim.port, []);
    ok(r);
    assert.match(r.output, /device signature = 0x1e9329/);
  } finally {
    await sim.stop();
  }
});

test('avrdude writes and verifies 8 KB of flash, EEPROM, fuses and the user row; the state file holds exactly that', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-sim-avrdude-'));
  const state = join(dir, 'state.json');
  const flash = seededBytes('flash', 8192);
  const eeprom = seededBytes('eeprom', 128);
  const userrow = seededBytes('userrow', 32);
  const f = seededBytes('fuses', 9);
  // Fuse 5 keeps RSTPINCFG = UPDI (bits 3:2 = 01) like any sane image; fuses 3, 4 are reserved.
  const fuses = new Map<number, number>([[0, f[0]], [1, f[1]], [2, f[2]], [5, (f[5] & ~0x0c) | 0x04], [6, f[6]], [7, f[7]], [8, f[8]]]);
  for (const [name, bytes] of [['flash', flash], ['eeprom', eeprom], ['userrow', userrow]] as const) {
    writeFileSync(join(dir, `${name}.bin`), bytes);
  }
  const serial = '0102030405060708090a';
  const sim = await startSim(['--baud', '0', '--latency-ms', '0', '--state', state, '--serial', serial, '--json']);
  try {
    const from = sim.lines.length;
    const r = await avrdude(sim.port, [
      '-U', `flash:w:${join(dir, 'flash.bin')}:r`,
      '-U', `eeprom:w:${join(dir, 'eeprom.bin')}:r`,
      '-U', `userrow:w:${join(dir, 'userrow.bin')}:r`,
      ...[...fuses].flatMap(([n, v]) => ['-U', `fuse${n}:w:0x${v.toString(16)}:m`]),
      // avrdude 7.1's "sernum" sits one byte too high (0x1104); "prodsig" starts at SERNUM0 (0x1103).
      '-U', `prodsig:r:${join(dir, 'prodsig.hex')}:h`,
    ]);
    ok(r);
    assert.match(r.output, /8192 bytes of flash verified/);
    assert.match(r.output, /128 bytes of eeprom verified/);
    const prodsig = readFileSync(join(dir, 'prodsig.hex'), 'utf8').trim().split(',');
    assert.equal(prodsig.slice(0, 10).join(','), '0x1,0x2,0x3,0x4,0x5,0x6,0x7,0x8,0x9,0xa', '--serial is the unique ID');
    await sim.waitForEvent((e) => e.event === 'saved' && e.reason === 'session-end', from);
  } finally {
    const { code } = await sim.stop('SIGTERM');
    assert.equal(code, 0, `ltobms sim exit code; stderr: ${sim.stderr()}`);
  }
  const saved = JSON.parse(readFileSync(state, 'utf8')) as Record<string, string>;
  assert.equal(saved.flash, hex(flash));
  assert.equal(saved.eeprom, hex(eeprom));
  assert.equal(saved.userrow, hex(userrow));
  const expectedFuses = [0x00, 0x00, 0x7e, 0xff, 0xff, 0xf6, 0xff, 0x00, 0x00, 0xff];
  for (const [n, v] of fuses) expectedFuses[n] = v;
  assert.equal(saved.fuses, hex(Uint8Array.from(expectedFuses)));
  assert.equal(saved.lockbits, 'c5');
  assert.equal(saved.sigrow.slice(0, 26), '1e9329' + serial);

  // A new sim from the same state serves the same memories: avrdude verifies them.
  const again = await startSim(['--baud', '0', '--latency-ms', '0', '--state', state]);
  try {
    ok(await avrdude(again.port, ['-U', `flash:v:${join(dir, 'flash.bin')}:r`, '-U', `eeprom:v:${join(dir, 'eeprom.bin')}:r`, '-U', `userrow:v:${join(dir, 'userrow.bin')}:r`]));
  } finally {
    await again.stop();
  }
});

test('avrdude locks the part, finds it locked next time, and unlocks it with a chip erase (-e -F)', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-sim-lock-'));
  const state = join(dir, 'state.json');
  writeFileSync(join(dir, 'flash.bin'), seededBytes('lock', 1024));
  const sim = await startSim(['--baud', '0', '--latency-ms', '0', '--state', state, '--json']);
  try {
    ok(await avrdude(sim.port, ['-U', `flash:w:${join(dir, 'flash.bin')}:r`, '-U', 'fuse5:w:0xf6:m', '-U', 'lock:w:0x3a:m']));
    const locked = await avrdude(sim.port, []);
    assert.notEqual(locked.code, 0, 'a locked part reads signature 00 00 00, which avrdude refuses');
    assert.match(locked.output, /unable to enter NVM programming mode: device is locked/);
    assert.match(locked.output, /unable to read signature data/);
    const from = sim.lines.length;
    ok(await avrdude(sim.port, ['-e', '-F']));
    await sim.waitForEvent((e) => e.event === 'updi' && e.type === 'chip-erase', from);
    const unlocked = await avrdude(sim.port, ['-U', `lock:r:${join(dir, 'lock.hex')}:h`]);
    ok(unlocked);
    assert.match(unlocked.output, /device signature = 0x1e9329/);
    assert.equal(readFileSync(join(dir, 'lock.hex'), 'utf8').trim(), '0xc5');
  } finally {
    await sim.stop();
  }
  const saved = JSON.parse(readFileSync(state, 'utf8')) as Record<string, string>;
  assert.equal(saved.flash, 'ff'.repeat(8192), 'the chip erase emptied the flash');
});

test('with the wire model on (115200 baud, 1 ms adapter latency) avrdude still writes and verifies 8 KB, no faster than the wire allows', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-sim-wire-'));
  const image = seededBytes('paced', 8192);
  writeFileSync(join(dir, 'flash.bin'), image);
  const sim = await startSim(['--baud', '115200', '--latency-ms', '1', '--state', join(dir, 'state.json')]);
  try {
    const r = await avrdude(sim.port, ['-U', `flash:w:${join(dir, 'flash.bin')}:r`]);
    ok(r);
    assert.match(r.output, /8192 bytes of flash verified/);
    // Every image byte crosses the wire twice (write, then verify read), 12 bits each.
    const lowerBound = (2 * 8192 * 12) / 115200;
    assert.ok(r.seconds >= lowerBound, `took ${r.seconds.toFixed(2)} s, below the wire-time bound ${lowerBound.toFixed(2)} s`);
  } finally {
    await sim.stop();
  }
});
