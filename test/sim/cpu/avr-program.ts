// Builds the emulator's C test programs (test/fixtures/avr) with the project's avr-gcc wrapper and runs them on
// the emulated ATtiny824, collecting what they print on USART0.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { compileAvrProgram, type Defines } from '../../../src/firmware/avr.js';
import { Attiny824, type Attiny824Options, type RunResult } from '../../../src/sim/chip.js';
import type { ChipTraceEvent } from '../../../src/sim/chip-types.js';
import { NvmMemories } from '../../../src/sim/nvm/memories.js';
import { REPO_ROOT } from '../../helpers/cli.js';
import { prng } from './harness.js';

export const FIXTURES = join(REPO_ROOT, 'test/fixtures/avr');
export const BUILD_DIR = join(REPO_ROOT, 'dist/test-build/avr');

export interface BuildOptions {
  defines?: Defines;
  /** Extra include folders (e.g. a folder with a generated header). */
  includeDirs?: string[];
  /** Output name when one source is built in several variants. */
  name?: string;
  /** Extra linker flags. */
  ldflags?: string[];
  /** Extra ELF sections to include in the flash image (e.g. one placed with --section-start). */
  sections?: string[];
}

/** Compiles test/fixtures/avr/<source> and returns the raw flash image. */
export async function buildFixture(source: string, options: BuildOptions = {}): Promise<Uint8Array> {
  const name = options.name ?? source.replace(/\.c$/, '');
  const program = await compileAvrProgram({
    sources: [join(FIXTURES, source)],
    includeDirs: [FIXTURES, ...(options.includeDirs ?? [])],
    defines: options.defines,
    ldflags: options.ldflags,
    outDir: BUILD_DIR,
    name,
  });
  if (!options.sections?.length) return new Uint8Array(await readFile(program.bin));
  const bin = join(BUILD_DIR, `${name}.full.bin`);
  const sections = ['.text', '.rodata', '.data', ...options.sections].flatMap((s) => ['-j', s]);
  await execa('avr-objcopy', [...sections, '--gap-fill', '0xff', '-O', 'binary', program.elf, bin]);
  return new Uint8Array(await readFile(bin));
}

export interface ProgramRun {
  chip: Attiny824;
  /** Everything printed, as text. */
  text: string;
  /** Each byte with the simulated time its stop bit ended. */
  bytes: { byte: number; t: number }[];
  result: RunResult;
  trace: ChipTraceEvent[];
}

export interface RunOptions extends Partial<Omit<Attiny824Options, 'memories'>> {
  /** Stop at this simulated time if no BREAK came first (default 5 s). */
  seconds?: number;
  /** Fuse overrides by index (defaults are the factory fuses). */
  fuses?: Record<number, number>;
  memories?: NvmMemories;
}

/** Runs a flash image until BREAK or `seconds`, in slices so a BREAK ends the run early. */
export function runProgram(flash: Uint8Array, options: RunOptions = {}): ProgramRun {
  const memories = options.memories ?? new NvmMemories();
  memories.flash.fill(0xff);
  memories.flash.set(flash);
  for (const [i, v] of Object.entries(options.fuses ?? {})) memories.fuses[Number(i)] = v;
  const bytes: { byte: number; t: number }[] = [];
  const trace: ChipTraceEvent[] = [];
  const chip = new Attiny824({
    ...options,
    memories,
    onUartByte: (byte, t) => {
      bytes.push({ byte, t });
      options.onUartByte?.(byte, t);
    },
    trace: (e) => {
      trace.push(e);
      options.trace?.(e);
    },
  });
  const limit = options.seconds ?? 5;
  let result: RunResult = 'limit';
  for (let t = 0.01; t <= limit + 1e-9 && result !== 'break'; t += 0.01) result = chip.runUntil(Math.min(t, limit));
  return { chip, text: Buffer.from(bytes.map((b) => b.byte)).toString('latin1'), bytes, result, trace };
}

/** Seeded pseudo-random bytes for generated test data. */
export function prngBytes(seed: number, n: number): Uint8Array {
  const rnd = prng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
}
