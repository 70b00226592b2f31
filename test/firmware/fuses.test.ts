/**
 * firmware/fuses.hex holds the fuse bytes of HARDWARE.md ("Fuses used by the original project"),
 * and the fields that matter decode to what the board needs (ATTINY824_FACTS.md §1.2).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { FUSES_FILE } from '../../src/firmware/firmware.js';
import { parseIntelHex } from '../../src/image/ihex.js';

describe('firmware/fuses.hex', () => {
  it('is 9 bytes at 0x820000 with the documented values', async () => {
    const segments = parseIntelHex(await readFile(FUSES_FILE, 'utf8'), FUSES_FILE);
    assert.equal(segments.length, 1);
    assert.equal(segments[0].address, 0x820000);
    assert.deepEqual([...segments[0].data], [0x7a, 0x00, 0x7e, 0xff, 0xff, 0xf7, 0xff, 0x00, 0x00]);
  });

  it('keeps UPDI on the reset pin, EEPROM over chip erase, 20 MHz and the windowed watchdog', async () => {
    const [fuse] = parseIntelHex(await readFile(FUSES_FILE, 'utf8'), FUSES_FILE);
    const [wdtcfg, bodcfg, osccfg, , , syscfg0, syscfg1, append, bootend] = fuse.data;
    assert.equal(wdtcfg & 0x0f, 0xa, 'watchdog period 4K cycles (~4.1 s)');
    assert.equal(wdtcfg >> 4, 0x7, 'closed window 512 cycles (~0.5 s)');
    assert.equal(bodcfg, 0, 'brown-out detector off');
    assert.equal(osccfg & 0x03, 2, 'FREQSEL 20 MHz');
    assert.equal((syscfg0 >> 2) & 0x03, 1, 'RSTPINCFG = UPDI (anything else locks the programmer out)');
    assert.equal(syscfg0 & 0x01, 1, 'EESAVE: chip erase keeps the configuration');
    assert.equal(syscfg0 >> 6, 3, 'no CRC check at boot');
    assert.equal(syscfg1 & 0x07, 7, 'longest start-up time (64 ms)');
    assert.equal(append, 0);
    assert.equal(bootend, 0);
  });
});
