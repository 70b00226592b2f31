// Assembles a snippet of AVR assembly with the real binutils (avr-gcc as driver, linked at address 0) and
// returns the flash words, plus the word address of every label.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface Assembled {
  words: number[];
  /** Label → word address. */
  labels: Map<string, number>;
}

export async function assemble(source: string): Promise<Assembled> {
  const dir = await mkdtemp(join(tmpdir(), 'ltobms-asm-'));
  try {
    const src = join(dir, 'prog.S');
    const elf = join(dir, 'prog.elf');
    const bin = join(dir, 'prog.bin');
    await writeFile(src, `.global _start\n_start:\n${source}\n`);
    await execa('avr-gcc', ['-mmcu=avrxmega3', '-nostdlib', '-nostartfiles', '-Wl,-Ttext=0', '-Wl,--no-relax', src, '-o', elf]);
    await execa('avr-objcopy', ['-O', 'binary', '-j', '.text', elf, bin]);
    const bytes = await readFile(bin);
    const words: number[] = [];
    for (let i = 0; i + 1 < bytes.length; i += 2) words.push(bytes[i]! | (bytes[i + 1]! << 8));
    const { stdout } = await execa('avr-nm', [elf]);
    const labels = new Map<string, number>();
    for (const m of stdout.matchAll(/^([0-9a-f]+) [tT] (\S+)$/gm)) labels.set(m[2]!, parseInt(m[1]!, 16) / 2);
    return { words, labels };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
