/**
 * The board's part against literal data-sheet values (ATTINY824_FACTS.md §1.1), and against the
 * firmware's own C header, which states the same memory map for the compiler and cannot import it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ATTINY824 } from '../../src/part/attiny824.js';
import { DATA_SPACE } from '../../src/part/tinyavr2.js';
import { DEVICE_DIR } from '../../src/firmware/avr.js';

test('ATtiny824: signature, memories, pages and SRAM as in the data sheet', () => {
  assert.equal(ATTINY824.name, 'ATtiny824');
  assert.deepEqual([...ATTINY824.signature], [0x1e, 0x93, 0x29]);
  assert.deepEqual([ATTINY824.flashSize, ATTINY824.flashPageSize, ATTINY824.flashBase], [8192, 64, 0x8000]);
  assert.deepEqual([ATTINY824.eepromSize, ATTINY824.eepromPageSize, ATTINY824.eepromBase], [128, 32, 0x1400]);
  assert.deepEqual([ATTINY824.userRowSize, ATTINY824.userRowBase], [32, 0x1300]);
  assert.deepEqual([ATTINY824.sramStart, ATTINY824.sramSize], [0x3c00, 1024]);
  assert.equal(ATTINY824.sramStart + ATTINY824.sramSize - 1, DATA_SPACE.RAMEND, 'SRAM ends at RAMEND');
});

test("the firmware's attiny824.h states the same memory map", () => {
  const header = readFileSync(`${DEVICE_DIR}/attiny824.h`, 'utf8');
  const define = (name: string) => {
    const m = new RegExp(`^#define\\s+${name}\\s+(0x[0-9a-f]+|\\d+)u?\\b`, 'im').exec(header);
    assert.ok(m, `attiny824.h defines ${name}`);
    return Number(m[1]);
  };
  assert.deepEqual(
    [define('FLASH_SIZE'), define('FLASH_PAGE_SIZE'), define('MAPPED_PROGMEM_START'), define('RAMSTART'), define('RAMEND'), define('RAM_SIZE')],
    [ATTINY824.flashSize, ATTINY824.flashPageSize, ATTINY824.flashBase, ATTINY824.sramStart, DATA_SPACE.RAMEND, ATTINY824.sramSize],
  );
  assert.deepEqual(
    [define('EEPROM_START'), define('EEPROM_SIZE'), define('EEPROM_PAGE_SIZE'), define('SIGROW_START'), define('USERROW_START')],
    [ATTINY824.eepromBase, ATTINY824.eepromSize, ATTINY824.eepromPageSize, ATTINY824.sigrowBase, ATTINY824.userRowBase],
  );
});
