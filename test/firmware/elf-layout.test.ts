/**
 * The device support in firmware/device/ and the link settings of src/firmware/avr.ts produce an
 * image laid out as the ATtiny824 needs it. Expectations come from the datasheet facts
 * (ATTINY824_FACTS.md §1.1, §1.4), checked with binutils' own readers (avr-objdump, avr-readelf,
 * avr-nm), not with our ELF parser — which is itself checked against avr-readelf here.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { compileAvrProgram, type AvrProgram } from '../../src/firmware/avr.js';
import { memoryUse, readElf } from '../../src/firmware/elf.js';
import { LtobmsError } from '../../src/errors.js';
import { REPO_ROOT } from '../helpers/cli.js';

const FIXTURE = join(REPO_ROOT, 'test/firmware/fixtures/layout.c');

interface Section {
  name: string;
  vma: number;
  lma: number;
  size: number;
}

/** Sections as avr-objdump -h reports them (VMA and LMA). */
async function objdumpSections(elf: string): Promise<Map<string, Section>> {
  const { stdout } = await execa('avr-objdump', ['-h', elf]);
  const map = new Map<string, Section>();
  for (const m of stdout.matchAll(/^\s*\d+\s+(\S+)\s+([0-9a-f]{8})\s+([0-9a-f]{8})\s+([0-9a-f]{8})/gm)) {
    map.set(m[1], { name: m[1], size: parseInt(m[2], 16), vma: parseInt(m[3], 16), lma: parseInt(m[4], 16) });
  }
  return map;
}

async function symbols(elf: string): Promise<Map<string, number>> {
  const { stdout } = await execa('avr-nm', [elf]);
  const map = new Map<string, number>();
  for (const m of stdout.matchAll(/^([0-9a-f]+) \S (\S+)$/gm)) map.set(m[2], parseInt(m[1], 16));
  return map;
}

/** Disassembly lines of .text: address → "mnemonic operands". */
async function disassembly(elf: string): Promise<Map<number, string>> {
  const { stdout } = await execa('avr-objdump', ['-d', '-j', '.text', elf]);
  const map = new Map<number, string>();
  for (const m of stdout.matchAll(/^\s+([0-9a-f]+):\t(?:[0-9a-f]{2} )+\s*\t(.*)$/gm)) {
    map.set(parseInt(m[1], 16), m[2].replace(/\s*;.*$/, '').replace(/\s+/g, ' ').trim());
  }
  return map;
}

/** Target of an `rjmp .+N` at address `at` (objdump prints the offset relative to the next instruction). */
function rjmpTarget(at: number, text: string): number {
  const m = /^rjmp \.([+-]\d+)$/.exec(text);
  assert.ok(m, `expected an rjmp at 0x${at.toString(16)}, got "${text}"`);
  return (at + 2 + Number(m[1]) + 0x2000) % 0x2000;
}

describe('ELF layout of a program built with firmware/device', () => {
  let dir: string;
  let program: AvrProgram;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ltobms-layout-'));
    program = await compileAvrProgram({ sources: [FIXTURE], outDir: dir, name: 'layout' });
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('starts with 30 vector entries, each one RJMP: reset → start-up, RTC_PIT (4) → its handler, others → default', async () => {
    const code = await disassembly(program.elf);
    const syms = await symbols(program.elf);
    const init = syms.get('__init');
    const pit = syms.get('__vector_4');
    const bad = syms.get('__bad_interrupt');
    assert.ok(init !== undefined && pit !== undefined && bad !== undefined);
    // 30 vectors x 2 bytes = 60 bytes; the first non-vector code starts at 0x3C.
    assert.equal(init, 60);
    for (let n = 0; n < 30; n++) {
      const target = rjmpTarget(2 * n, code.get(2 * n) ?? '');
      const expected: number = n === 0 ? init : n === 4 ? pit : bad;
      assert.equal(target, expected, `vector ${n}`);
    }
    assert.equal(code.get(pit), 'push r1', 'the handler is an ISR prologue');
    assert.match(code.get(bad) ?? '', /^rjmp \.-\d+$/);
    assert.equal(rjmpTarget(bad, code.get(bad) ?? ''), 0, 'the default handler restarts at address 0');
  });

  it('start-up clears r1 and SREG, sets SP = 0x3FFF, copies .data, clears .bss, then calls main', async () => {
    const code = await disassembly(program.elf);
    const syms = await symbols(program.elf);
    const init = syms.get('__init') ?? -1;
    const seq = [0, 2, 4, 6, 8, 10].map((o) => code.get(init + o));
    assert.deepEqual(seq, ['eor r1, r1', 'out 0x3f, r1', 'ldi r28, 0xFF', 'ldi r29, 0x3F', 'out 0x3d, r28', 'out 0x3e, r29']);
    const copy = syms.get('__do_copy_data') ?? -1;
    const clear = syms.get('__do_clear_bss') ?? -1;
    const main = syms.get('main') ?? -1;
    assert.ok(init < copy && copy < clear, 'copy-data then clear-bss follow the stack set-up');
    const call = [...code].find(([at, text]) => at > clear && at < main && text.startsWith('rcall'));
    assert.ok(call, 'an rcall after the .bss loop');
    assert.equal(call[0] + 2 + Number(/\.([+-]\d+)/.exec(call[1])?.[1]), main);
  });

  it('places .text at 0, .data/.bss in SRAM 0x3C00-0x3FFF, and .rodata in flash seen through 0x8000', async () => {
    const s = await objdumpSections(program.elf);
    const text = s.get('.text');
    const rodata = s.get('.rodata');
    const data = s.get('.data');
    const bss = s.get('.bss');
    assert.ok(text && rodata && data && bss);
    assert.equal(text.vma, 0);
    // ELF data addresses carry avr-gcc's 0x800000 offset.
    for (const sec of [data, bss]) {
      assert.ok(sec.vma >= 0x803c00 && sec.vma + sec.size <= 0x804000, `${sec.name} at 0x${sec.vma.toString(16)}`);
    }
    assert.equal(data.vma, 0x803c00);
    // .rodata: stored in flash right after .text, addressed at 0x8000 + its flash offset.
    assert.equal(rodata.lma, text.size);
    assert.equal(rodata.vma, 0x8000 + rodata.lma);
    // .data initialisers follow .rodata in flash.
    assert.equal(data.lma, rodata.lma + rodata.size);
    const syms = await symbols(program.elf);
    assert.equal(syms.get('__data_load_start'), data.lma);
  });

  it('keeps const strings out of RAM: the flash image holds them where the 0x8000 mapping points', async () => {
    const syms = await symbols(program.elf);
    const addr = syms.get('layout_message');
    assert.ok(addr !== undefined && addr >= 0x8000 && addr < 0xa000, 'a data-space address inside mapped flash');
    const bin = await readFile(program.bin);
    const text = 'rodata lives in flash';
    assert.equal(bin.toString('latin1', addr - 0x8000, addr - 0x8000 + text.length), text);
    // The initial value of layout_ticks (42) is in flash at the .data load address.
    const data = (await objdumpSections(program.elf)).get('.data');
    assert.ok(data);
    assert.equal(bin[data.lma + ((syms.get('layout_ticks') ?? 0) - 0x803c00)], 42);
    assert.equal(bin.length, data.lma + data.size, 'the .bin is the flash image: .text + .rodata + .data');
  });

  it('the ELF reader agrees with avr-readelf on every section and the size split', async () => {
    const { stdout } = await execa('avr-readelf', ['-S', '-W', program.elf]);
    const elf = await readElf(program.elf);
    const readelf = [...stdout.matchAll(/\]\s+(\.\S+)\s+\S+\s+([0-9a-f]{8})\s+[0-9a-f]{6}\s+([0-9a-f]{6})/g)];
    assert.ok(readelf.length >= 4);
    for (const m of readelf) {
      const ours = elf.sections.find((s) => s.name === m[1]);
      assert.ok(ours, m[1]);
      assert.equal(ours.addr, parseInt(m[2], 16), `${m[1]} address`);
      assert.equal(ours.size, parseInt(m[3], 16), `${m[1]} size`);
    }
    assert.equal(elf.machine, 83, 'EM_AVR');
    const s = await objdumpSections(program.elf);
    const use = memoryUse(elf);
    const size = (n: string) => s.get(n)?.size ?? 0;
    assert.equal(use.flash, size('.text') + size('.rodata') + size('.data'));
    assert.equal(use.ram, size('.data') + size('.bss'));
    assert.ok(use.flash < 1024 && use.ram === 2 + 16, `fixture uses ${use.flash} B flash, ${use.ram} B RAM`);
  });

  it('the HEX holds the same bytes as the BIN, and nothing outside flash', async () => {
    const hex = await readFile(program.hex, 'utf8');
    const bin = await readFile(program.bin);
    const image: number[] = [];
    let base = 0;
    for (const line of hex.trim().split(/\r?\n/)) {
      const bytes = Buffer.from(line.slice(1), 'hex');
      const [len, hi, lo, type] = bytes;
      if (type === 4) base = ((bytes[4] << 8) | bytes[5]) << 16;
      if (type !== 0) continue;
      for (let i = 0; i < len; i++) image[base + ((hi << 8) | lo) + i] = bytes[4 + i];
    }
    assert.equal(image.length, bin.length);
    assert.deepEqual(Buffer.from(image), bin);
  });
});

describe('link settings enforce the part limits', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ltobms-limits-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function expectLinkError(name: string, source: string, pattern: RegExp) {
    const file = join(dir, `${name}.c`);
    await writeFile(file, source);
    const lines: string[] = [];
    await assert.rejects(
      compileAvrProgram({ sources: [file], outDir: dir, name }, { onDiagnostic: (d) => lines.push(d.text) }),
      (err: unknown) => err instanceof LtobmsError && err.code === 'BUILD_FAILED',
    );
    assert.match(lines.join('\n'), pattern);
  }

  it('1 KB of SRAM: 1025 bytes of static data do not link', async () => {
    await expectLinkError(
      'ram',
      '#include <stdint.h>\nvolatile uint8_t big[1025];\nint main(void) { big[3] = 1; return big[1024]; }\n',
      /region `data' overflowed|not within region `data'/,
    );
  });

  it('8 KB of flash: 8200 bytes of constants do not link', async () => {
    await expectLinkError(
      'flash',
      '#include <stdint.h>\nconst volatile uint8_t table[8200] = {1};\nint main(void) { return table[8199]; }\n',
      /region `text' overflowed/,
    );
  });

  it('a compile error is reported with its file:line', async () => {
    const file = join(dir, 'broken.c');
    await writeFile(file, 'int main(void)\n{\n    return undefined_name;\n}\n');
    const seen: { file?: string; line?: number; severity?: string }[] = [];
    await assert.rejects(
      compileAvrProgram({ sources: [file], outDir: dir, name: 'broken' }, { onDiagnostic: (d) => seen.push(d) }),
      /compile broken\.c failed \(first error at .*broken\.c:3\)/,
    );
    assert.ok(seen.some((d) => d.file === file && d.line === 3 && d.severity === 'error'));
  });
});
