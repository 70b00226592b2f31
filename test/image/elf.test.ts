/**
 * The ELF reader against avr-objcopy: a small program with .text, .rodata, .data, .eeprom, .fuse
 * and .signature sections is compiled with the real avr-gcc; what `avr-objcopy -O ihex` makes of
 * the ELF is the reference, and parseAvrElf must produce the same bytes at the same addresses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AVR_ARCH_XMEGA3, isElf, parseAvrElf } from '../../src/image/elf.js';
import { parseIntelHex, splitAvrMemories } from '../../src/image/ihex.js';
import { UsageError } from '../../src/errors.js';

const haveGcc = spawnSync('avr-gcc', ['--version']).status === 0;

const PROGRAM = `
#include <stdint.h>
volatile uint16_t counter = 0x1234;                  /* .data: runs in RAM, stored in flash */
const char message[] = "ltobms";                     /* .rodata */
uint8_t config[4] __attribute__((section(".eeprom"))) = { 0x37, 0x73, 0x07, 0x00 };
#ifndef SMALL_FUSES
const uint8_t fuses[9] __attribute__((section(".fuse"), used)) = { 0x7a, 0x00, 0x7e, 0xff, 0xff, 0xf7, 0xff, 0x00, 0x00 };
#endif
const uint8_t sig[3] __attribute__((section(".signature"), used)) = { 0x29, 0x93, 0x1e };
int main(void) { for (;;) { counter += message[counter & 3]; } }
`;

function build(dir: string, mmcu: string, ...flags: string[]): string {
  writeFileSync(join(dir, 'p.c'), PROGRAM);
  const elf = join(dir, 'p.elf');
  const r = spawnSync('avr-gcc', [`-mmcu=${mmcu}`, '-Os', ...flags, '-o', elf, join(dir, 'p.c')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return elf;
}

test('ELF load segments equal what avr-objcopy -O ihex writes', { skip: !haveGcc && 'avr-gcc not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-elf-'));
  try {
    const elf = build(dir, 'avrxmega3');
    const hex = join(dir, 'p.hex');
    const r = spawnSync('avr-objcopy', ['-O', 'ihex', elf, hex], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const buf = readFileSync(elf);
    assert.ok(isElf(buf));
    const image = parseAvrElf(buf, elf);
    const reference = splitAvrMemories(parseIntelHex(readFileSync(hex, 'utf8')));
    const mine = splitAvrMemories(image.segments);
    for (const memory of ['flash', 'eeprom', 'fuses', 'sigrow'] as const) {
      assert.deepEqual(mine[memory].map((s) => [s.address, [...s.data]]), reference[memory].map((s) => [s.address, [...s.data]]), memory);
    }
    // The .data initialiser (0x34 0x12) is in flash, after .text/.rodata, not at its RAM address.
    const flash = mine.flash[0]!.data;
    assert.ok(Buffer.from(flash).includes(Buffer.from([0x34, 0x12])));
    assert.ok(Buffer.from(flash).includes(Buffer.from('ltobms')));
    assert.deepEqual([...mine.eeprom[0]!.data], [0x37, 0x73, 0x07, 0x00]);
    assert.deepEqual([...image.signature!], [0x29, 0x93, 0x1e]);
    assert.equal(image.arch, AVR_ARCH_XMEGA3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an ELF for another AVR core reports its architecture (avr5 for an ATmega328P)', { skip: !haveGcc && 'avr-gcc not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-elf-'));
  try {
    const image = parseAvrElf(readFileSync(build(dir, 'atmega328p', '-DSMALL_FUSES')));
    assert.equal(image.arch, 5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file that is not an AVR ELF is a usage error', () => {
  assert.throws(() => parseAvrElf(Buffer.from('not an elf at all, definitely not'), 'x.elf'), (e: unknown) => e instanceof UsageError);
  // The host's own node binary is an ELF, but not for AVR.
  const node = readFileSync(process.execPath).subarray(0, 1 << 20);
  assert.throws(() => parseAvrElf(Buffer.from(node), 'node'), (e: unknown) => e instanceof UsageError && /not an AVR program|not a usable ELF/.test(e.message));
});
