/**
 * The device table against literal values from avrdude 7.1's avrdude.conf (parts t424 … t3227:
 * signature, flash size / page size, EEPROM size / page size), and — when avrdude is installed —
 * against the avrdude.conf on this machine, an independent source.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { DATA_SPACE, DEVICES, LOCKBIT, SERIAL_NUMBER_SIZE, SIGROW_OFFSET, SIGROW_SIZE, deviceByName, deviceBySignature } from '../../src/part/tinyavr2.js';

// [avrdude id, signature, flash, flash page, eeprom, eeprom page]
const LITERAL: [string, number[], number, number, number, number][] = [
  ['t424', [0x1e, 0x92, 0x2c], 4096, 64, 128, 32],
  ['t426', [0x1e, 0x92, 0x2b], 4096, 64, 128, 32],
  ['t427', [0x1e, 0x92, 0x2a], 4096, 64, 128, 32],
  ['t824', [0x1e, 0x93, 0x29], 8192, 64, 128, 32],
  ['t826', [0x1e, 0x93, 0x28], 8192, 64, 128, 32],
  ['t827', [0x1e, 0x93, 0x27], 8192, 64, 128, 32],
  ['t1624', [0x1e, 0x94, 0x2a], 16384, 64, 256, 32],
  ['t1626', [0x1e, 0x94, 0x29], 16384, 64, 256, 32],
  ['t1627', [0x1e, 0x94, 0x28], 16384, 64, 256, 32],
  ['t3224', [0x1e, 0x95, 0x28], 32768, 128, 256, 64],
  ['t3226', [0x1e, 0x95, 0x27], 32768, 128, 256, 64],
  ['t3227', [0x1e, 0x95, 0x26], 32768, 128, 256, 64],
];

test('every tinyAVR 2-series part is in the table with the avrdude.conf values', () => {
  assert.equal(DEVICES.length, LITERAL.length);
  for (const [id, sig, flash, flashPage, eeprom, eepromPage] of LITERAL) {
    const d = deviceByName(id);
    assert.ok(d, id);
    assert.deepEqual([...d.signature], sig, id);
    assert.deepEqual([d.flashSize, d.flashPageSize, d.eepromSize, d.eepromPageSize], [flash, flashPage, eeprom, eepromPage], id);
    assert.equal(deviceBySignature(sig), d);
  }
});

test('ATtiny824 data-space layout (facts §1.1)', () => {
  const d = deviceByName('ATtiny824')!;
  assert.deepEqual(
    [d.flashBase, d.eepromBase, d.userRowBase, d.fuseBase, d.lockAddress, d.sigrowBase, d.fuseCount, d.userRowSize],
    [0x8000, 0x1400, 0x1300, 0x1280, 0x128a, 0x1100, 9, 32],
  );
});

test('the table agrees with the avrdude.conf installed on this machine', { skip: !existsSync('/etc/avrdude.conf') && 'no /etc/avrdude.conf' }, () => {
  const conf = readFileSync('/etc/avrdude.conf', 'utf8');
  for (const d of DEVICES) {
    const start = conf.search(new RegExp(`^\\s*id\\s*=\\s*"${d.avrdudeId}";`, 'm'));
    assert.ok(start > 0, d.avrdudeId);
    const block = conf.slice(start, conf.indexOf('\n;', start));
    const sig = /signature\s*=\s*(0x\w+)\s+(0x\w+)\s+(0x\w+)/.exec(block)!;
    assert.deepEqual(sig.slice(1).map(Number), [...d.signature], d.name);
    const mem = (name: string) => {
      const m = new RegExp(`memory "${name}"([\\s\\S]*?)\\n\\s*;`).exec(block)![1]!;
      return [Number(/\bsize\s*=\s*(\w+)/.exec(m)![1]), Number(/page_size\s*=\s*(\w+)/.exec(m)![1])];
    };
    assert.deepEqual(mem('flash'), [d.flashSize, d.flashPageSize], d.name);
    assert.deepEqual(mem('eeprom'), [d.eepromSize, d.eepromPageSize], d.name);
  }
});

test('the data-space map, signature row and lock values every 2-series part shares (facts §1.1, §1.3)', () => {
  assert.deepEqual(
    [DATA_SPACE.IO_END, DATA_SPACE.SYSCFG_REVID, DATA_SPACE.NVMCTRL, DATA_SPACE.SIGROW, DATA_SPACE.SERNUM, DATA_SPACE.FUSES, DATA_SPACE.LOCKBIT, DATA_SPACE.USERROW, DATA_SPACE.EEPROM, DATA_SPACE.RAMEND, DATA_SPACE.MAPPED_FLASH],
    [0x1100, 0x0f01, 0x1000, 0x1100, 0x1103, 0x1280, 0x128a, 0x1300, 0x1400, 0x3fff, 0x8000],
  );
  assert.deepEqual([SIGROW_SIZE, SERIAL_NUMBER_SIZE], [64, 10]);
  assert.deepEqual(SIGROW_OFFSET, { deviceId: 0x00, serialNumber: 0x03, osccal16m: 0x18, osccal20m: 0x1a, tempsense0: 0x20, tempsense1: 0x21 });
  assert.deepEqual(LOCKBIT, { NOLOCK: 0xc5, RWLOCK: 0x3a });
});
