// rodata.c on the emulator: constant tables generated here (seeded) are read back through the flash mapping
// (LD at 0x8000+) and with LPM (__flash); EEPROM and signature-row bytes through the data space.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { NvmMemories } from '../../../src/sim/nvm/memories.js';
import { BUILD_DIR, buildFixture, prngBytes, runProgram } from './avr-program.js';

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

test('const data via the 0x8000 flash mapping and LPM, EEPROM and SIGROW via the data space', async () => {
  const bytes = prngBytes(0xc0ffee, 256);
  const wordBytes = prngBytes(0xbeef, 128);
  const words = Array.from({ length: 64 }, (_, i) => wordBytes[2 * i]! | (wordBytes[2 * i + 1]! << 8));
  const text = 'read-only text in flash: 0123456789';
  const dir = await mkdtemp(join(tmpdir(), 'ltobms-rodata-'));
  await writeFile(
    join(dir, 'rodata_table.h'),
    `static const uint8_t RODATA_BYTES[256] = {${Array.from(bytes).join(',')}};\n` +
      `static const __flash uint16_t RODATA_WORDS[64] = {${words.join(',')}};\n` +
      `static const char RODATA_TEXT[] = ${JSON.stringify(text)};\n`,
  );
  const flash = await buildFixture('rodata.c', { includeDirs: [dir] });

  // The two tables really are read by the two mechanisms: LD through 0x8000+ for the const table, LPM for __flash.
  const { stdout: disasm } = await execa('avr-objdump', ['-d', join(BUILD_DIR, 'rodata.elf')]);
  assert.match(disasm, /\slpm\s/);

  const memories = new NvmMemories();
  const eeprom = prngBytes(0x5eed, 128);
  memories.eeprom.set(eeprom);
  const run = runProgram(flash, { memories, seconds: 5 });
  assert.equal(run.result, 'break', `program did not finish; output so far:\n${run.text}`);
  const lines = run.text.trimEnd().split('\n');
  const m = /^bytes ([0-9a-f]{8}) at ([0-9a-f]{4})$/.exec(lines[0]!);
  assert.ok(m, lines[0]);
  assert.equal(parseInt(m[1]!, 16), crc32(bytes));
  assert.ok(parseInt(m[2]!, 16) >= 0x8000, `const table should live in the flash mapping, is at 0x${m[2]}`);
  const sum = words.reduce((s, w, i) => (s + w * (i + 1)) >>> 0, 0);
  assert.equal(lines[1], `words ${sum.toString(16).padStart(8, '0')}`);
  assert.equal(lines[2], text);
  const hex2 = (v: number) => v.toString(16).padStart(2, '0');
  assert.equal(lines[3], `eeprom ${Array.from({ length: 8 }, (_, i) => hex2(eeprom[i * 17]!)).join(' ')}`);
  assert.equal(lines[4], `sigrow ${Array.from(memories.sigrow.subarray(0, 13), hex2).join(' ')}`);
  assert.ok(lines[4]!.startsWith('sigrow 1e 93 29'), 'signature bytes of the ATtiny824');
});
