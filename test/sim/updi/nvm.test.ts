// NvmMemories and Nvmctrl against the data sheet's NVMCTRL rules. Addresses, commands and
// factory values are re-declared here as literals from ATTINY824_FACTS.md / the data sheet,
// so the tests check the facts rather than the implementation's constants.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NvmMemories } from '../../../src/sim/nvm/memories.js';
import { Nvmctrl } from '../../../src/sim/nvm/nvmctrl.js';
import { NvmDataSpace } from '../../../src/sim/nvm/dataspace.js';
import { ManualClock } from '../../../src/sim/wire/clock.js';
import { LtobmsError } from '../../../src/errors.js';

// NVMCTRL at 0x1000: CTRLA +0, STATUS +2, INTCTRL +3, INTFLAGS +4, DATAL +6, ADDRL +8, ADDRH +9.
const CTRLA = 0x1000;
const STATUS = 0x1002;
const INTFLAGS = 0x1004;
const DATAL = 0x1006;
const ADDRL = 0x1008;
const ADDRH = 0x1009;
// Commands (CTRLA.CMD).
const WP = 1, ER = 2, ERWP = 3, PBC = 4, CHER = 5, EEER = 6, WFU = 7;
// STATUS bits.
const FBUSY = 0x01, EEBUSY = 0x02, WRERROR = 0x04;
const FLASH = 0x8000, EEPROM = 0x1400, USERROW = 0x1300, FUSES = 0x1280, LOCKBIT = 0x128a, SIGROW = 0x1100;

function chip(memories = new NvmMemories()) {
  const clock = new ManualClock();
  const nvmctrl = new Nvmctrl(memories, clock);
  const bus = NvmDataSpace.updiView(memories, nvmctrl);
  const cmd = (c: number) => bus.write(CTRLA, c);
  const idle = () => clock.advance(0.01); // longer than any operation
  return { memories, clock, nvmctrl, bus, cmd, idle };
}

test('a factory-fresh part: erased arrays, avr-libc default fuses, unlocked, signature 1E 93 29', () => {
  const { bus, memories } = chip();
  assert.ok(memories.flash.every((b) => b === 0xff));
  assert.ok(memories.eeprom.every((b) => b === 0xff));
  assert.ok(memories.userrow.every((b) => b === 0xff));
  const fuses = Array.from({ length: 10 }, (_, i) => bus.read(FUSES + i));
  // WDTCFG 00, BODCFG 00, OSCCFG 7E, reserved FF FF, SYSCFG0 F6, SYSCFG1 FF, APPEND 00, BOOTEND 00, byte 9 FF
  assert.deepEqual(fuses, [0x00, 0x00, 0x7e, 0xff, 0xff, 0xf6, 0xff, 0x00, 0x00, 0xff]);
  assert.equal(bus.read(LOCKBIT), 0xc5);
  assert.deepEqual([bus.read(SIGROW), bus.read(SIGROW + 1), bus.read(SIGROW + 2)], [0x1e, 0x93, 0x29]);
  assert.equal(bus.read(0x0f01), 0x01, 'SYSCFG.REVID = rev B');
  assert.equal(bus.read(0x2000), 0, 'unmapped addresses read 0');
  assert.equal(bus.unmappedReads, 1);
});

test('the serial number is configurable and sits at SIGROW+3..+12; TEMPSENSE0/1 at +0x20/+0x21', () => {
  const serial = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const { bus } = chip(new NvmMemories({ serialNumber: serial, tempsense: { gain: 0x90, offset: -5 } }));
  assert.deepEqual(Array.from({ length: 10 }, (_, i) => bus.read(SIGROW + 3 + i)), serial);
  assert.equal(bus.read(SIGROW + 0x20), 0x90);
  assert.equal(bus.read(SIGROW + 0x21), 0xfb, '-5 as a signed byte');
  assert.throws(() => new NvmMemories({ serialNumber: [1, 2, 3] }), /10 bytes/);
});

test('flash page write without erase ANDs into the page: bits only go from 1 to 0', () => {
  const { bus, memories, cmd, idle } = chip();
  bus.write(FLASH + 0x40, 0xf0);
  cmd(WP);
  idle();
  assert.equal(memories.flash[0x40], 0xf0);
  bus.write(FLASH + 0x40, 0x3c);
  cmd(WP);
  idle();
  assert.equal(memories.flash[0x40], 0x30, '0xF0 & 0x3C');
  assert.equal(memories.flash[0x41], 0xff, 'unloaded bytes of the page stay erased');
  // Erase-write replaces the page; the bytes not loaded become 0xFF.
  memories.flash[0x7f] = 0x00;
  bus.write(FLASH + 0x41, 0x12);
  cmd(ERWP);
  idle();
  assert.deepEqual([memories.flash[0x40], memories.flash[0x41], memories.flash[0x7f]], [0xff, 0x12, 0xff]);
  assert.equal(memories.flash[0x80], 0xff, 'the next page is untouched');
});

test('page erase acts on the page ADDR points into, and the page buffer ANDs repeated loads', () => {
  const { bus, memories, cmd, idle, nvmctrl } = chip();
  memories.flash.fill(0x00, 0x100, 0x140);
  memories.flash[0xff] = 0x00;
  bus.write(FLASH + 0x105, 0xff); // load sets ADDR to 0x8105
  cmd(ER);
  idle();
  assert.ok(memories.flash.subarray(0x100, 0x140).every((b) => b === 0xff), 'page 4 erased');
  assert.equal(memories.flash[0xff], 0x00, 'page 3 kept');
  bus.write(FLASH, 0xf3);
  bus.write(FLASH, 0x3f);
  assert.equal(nvmctrl.pageBufferSnapshot().data[0], 0x33, 'data sheet: AND of new and previous buffer content');
  cmd(PBC);
  assert.equal(nvmctrl.pageBufferSnapshot().data[0], 0xff, 'page buffer clear sets all bits');
});

test('EEPROM and user row are byte-granular: only loaded bytes are erased and written', () => {
  const { bus, memories, cmd, idle } = chip();
  memories.eeprom.set([0x11, 0x22, 0x33, 0x44], 0x20);
  bus.write(EEPROM + 0x21, 0xa5);
  cmd(ERWP);
  idle();
  assert.deepEqual(Array.from(memories.eeprom.subarray(0x20, 0x24)), [0x11, 0xa5, 0x33, 0x44]);
  // Write without erase ANDs, again only where loaded.
  bus.write(EEPROM + 0x22, 0x0f);
  cmd(WP);
  idle();
  assert.deepEqual(Array.from(memories.eeprom.subarray(0x20, 0x24)), [0x11, 0xa5, 0x03, 0x44]);
  // Erase of one loaded byte.
  bus.write(EEPROM + 0x23, 0x00);
  cmd(ER);
  idle();
  assert.deepEqual(Array.from(memories.eeprom.subarray(0x20, 0x24)), [0x11, 0xa5, 0x03, 0xff]);
  memories.userrow[5] = 0x55;
  bus.write(USERROW + 3, 0x77);
  cmd(ERWP);
  idle();
  assert.deepEqual([memories.userrow[3], memories.userrow[5]], [0x77, 0x55]);
});

test('busy times follow the data sheet: page write 2 ms (FBUSY), EEPROM erase-write 4 ms (EEBUSY)', () => {
  const { bus, cmd, clock } = chip();
  bus.write(FLASH, 0x00);
  cmd(WP);
  assert.equal(bus.read(STATUS), FBUSY);
  clock.advance(0.0019);
  assert.equal(bus.read(STATUS), FBUSY);
  clock.advance(0.0002);
  assert.equal(bus.read(STATUS), 0);
  bus.write(EEPROM, 0x00);
  cmd(ERWP);
  assert.equal(bus.read(STATUS), EEBUSY);
  assert.equal(bus.read(INTFLAGS) & 1, 0, 'EEREADY clear while busy');
  clock.advance(0.0039);
  assert.equal(bus.read(STATUS), EEBUSY);
  clock.advance(0.0002);
  assert.equal(bus.read(STATUS), 0);
  assert.equal(bus.read(INTFLAGS) & 1, 1, 'EEREADY set when the EEPROM is ready');
});

test('a command or buffer load while busy is refused with WRERROR; the next good command clears it', () => {
  const { bus, memories, cmd, idle, nvmctrl } = chip();
  bus.write(FLASH, 0x00);
  cmd(WP);
  bus.write(FLASH + 0x40, 0x00); // load while busy
  cmd(WP);
  assert.equal(bus.read(STATUS) & WRERROR, WRERROR);
  idle();
  assert.equal(memories.flash[0x40], 0xff, 'nothing written');
  assert.equal(nvmctrl.counts.rejected, 2);
  cmd(PBC);
  assert.equal(bus.read(STATUS), 0);
});

test('WRERROR: buffer loaded for EEPROM but ADDR moved into flash; WFU from the CPU', () => {
  const { bus, memories, cmd, nvmctrl } = chip();
  bus.write(EEPROM, 0x12);
  bus.write(ADDRL, 0x00);
  bus.write(ADDRH, 0x80);
  cmd(WP);
  assert.equal(bus.read(STATUS), WRERROR);
  assert.equal(memories.flash[0], 0xff);
  assert.equal(memories.eeprom[0], 0xff);
  // Fuse write is UPDI-only.
  nvmctrl.writeRegister(0x08, 0x80, 'cpu');
  nvmctrl.writeRegister(0x09, 0x12, 'cpu');
  nvmctrl.writeRegister(0x06, 0x12, 'cpu');
  nvmctrl.writeRegister(0x00, WFU, 'cpu');
  assert.equal(nvmctrl.readRegister(0x02), WRERROR);
  assert.equal(memories.fuses[0], 0x00);
});

test('WFU from the UPDI writes DATAL to the fuse or lock byte at ADDR', () => {
  const { bus, memories, cmd, clock } = chip();
  const writeFuse = (addr: number, value: number) => {
    bus.write(ADDRL, addr & 0xff);
    bus.write(ADDRH, addr >> 8);
    bus.write(DATAL, value);
    cmd(WFU);
    clock.advance(0.01);
  };
  writeFuse(0x1285, 0xf7);
  writeFuse(0x1280, 0x7a);
  assert.deepEqual([bus.read(0x1285), bus.read(0x1280)], [0xf7, 0x7a]);
  writeFuse(LOCKBIT, 0x3a);
  assert.equal(memories.lockbits[0], 0x3a);
  assert.equal(memories.lockBitsSet, true);
  bus.write(FUSES + 1, 0x55);
  assert.equal(memories.fuses[1], 0x00, 'a plain data-space write cannot change a fuse');
});

test('chip erase keeps the EEPROM when SYSCFG0.EESAVE is set, clears the lock, never touches the user row', () => {
  for (const syscfg0 of [0xf7, 0xf6]) {
    const { memories, cmd, idle } = chip();
    memories.flash.fill(0x00);
    memories.eeprom.fill(0x5a);
    memories.userrow.fill(0x21);
    memories.fuses[5] = syscfg0;
    memories.lockbits[0] = 0x3a;
    cmd(CHER);
    idle();
    assert.ok(memories.flash.every((b) => b === 0xff));
    const kept = memories.eeprom.every((b) => b === 0x5a);
    assert.equal(kept, syscfg0 === 0xf7, `EESAVE=${syscfg0 & 1}`);
    assert.equal(memories.lockbits[0], 0xc5);
    assert.ok(memories.userrow.every((b) => b === 0x21));
  }
  const { memories, cmd, idle } = chip();
  memories.eeprom.fill(0);
  cmd(EEER);
  idle();
  assert.ok(memories.eeprom.every((b) => b === 0xff), 'EEPROM erase');
});

test('the state file round-trips every memory, is written atomically, and bad files are refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-nvm-'));
  const file = join(dir, 'sub', 'state.json');
  const a = new NvmMemories({ serialNumber: [9, 8, 7, 6, 5, 4, 3, 2, 1, 0] });
  a.flash[0x1234] = 0x42;
  a.eeprom[127] = 0x01;
  a.fuses[5] = 0xf7;
  a.lockbits[0] = 0x3a;
  a.userrow[31] = 0x99;
  a.save(file);
  assert.deepEqual(readdirSync(join(dir, 'sub')), ['state.json'], 'no temporary file left behind');
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  assert.equal(json.flash.slice(0x1234 * 2, 0x1235 * 2), '42');
  assert.equal(json.sigrow.slice(6, 26), '09080706050403020100');
  const b = NvmMemories.fromFile(file);
  for (const name of ['flash', 'eeprom', 'fuses', 'lockbits', 'userrow', 'sigrow'] as const) {
    assert.deepEqual(b[name], a[name], name);
  }
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ ...json, eeprom: 'ff' }));
  const before = b.flash.slice();
  assert.throws(
    () => b.load(bad),
    (e: unknown) => e instanceof LtobmsError && e.code === 'SIM_STATE' && /eeprom holds 1 bytes, expected 128/.test(e.message),
  );
  assert.deepEqual(b.flash, before, 'a refused file changes nothing');
  writeFileSync(bad, '{not json');
  assert.throws(() => b.load(bad), /not valid JSON/);
  assert.equal(existsSync(join(dir, 'missing.json')), false);
  assert.throws(() => b.load(join(dir, 'missing.json')), /cannot read/);
});
