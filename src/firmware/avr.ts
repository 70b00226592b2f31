/**
 * Compiling C (and assembler) programs for the ATtiny824 with Debian's avr-gcc 5.4.
 *
 * That compiler knows the core (`-mmcu=avrxmega3`) but not the part, so the device support
 * lives in `firmware/device/` (header `attiny824.h`, start-up `startup.S`) and the part's
 * memory layout (src/part/attiny824.ts) is given to the stock avrxmega3 linker script here, as symbol
 * overrides: flash 8 KB at 0, SRAM 1 KB at data address 0x3C00 (ELF 0x803C00), EEPROM 128 B. That script
 * already keeps `.rodata` in flash: its VMA is 0x8000 + its flash address, i.e. the flash
 * mapping in data space, so `const` data is read with plain LD and costs no RAM (checked by
 * test/firmware/elf-layout.test.ts).
 *
 * {@link compileAvrProgram} is the one entry point: the firmware build and the emulator's test
 * programs both use it. Compilation is incremental (see incremental.ts) and objects compile in
 * parallel under a shared {@link Limiter}.
 *
 * Example:
 * ```ts
 * const { elf, hex } = await compileAvrProgram({
 *   sources: ['test/emulator/programs/pit.c'],
 *   defines: { F_CPU: 3333333 },
 *   outDir: tmp,
 *   name: 'pit',
 * });
 * ```
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { InterruptedError, LtobmsError } from '../errors.js';
import { ATTINY824 } from '../part/attiny824.js';
import { FIRMWARE_DIR } from './paths.js';
import { isUpToDate, recordStep, type Step } from './incremental.js';
import { Limiter, runTool, type Diagnostic, type ToolHooks } from './toolchain.js';

/** avr-gcc's ELF puts data-space addresses (SRAM) at 0x800000 + address. */
export const ELF_DATA_OFFSET = 0x800000;

export { PACKAGE_ROOT, FIRMWARE_DIR } from './paths.js';
/** `attiny824.h`, `usart_tx.h` and `startup.S`. */
export const DEVICE_DIR = join(FIRMWARE_DIR, 'device');
export const STARTUP_SOURCE = join(DEVICE_DIR, 'startup.S');

/** Core selection: AVRxt core, ≤ 8 KB flash so RJMP/RCALL reach everywhere. */
export const AVR_ARCH_FLAGS = ['-mmcu=avrxmega3', '-mshort-calls'];

/** Linker flags that describe the ATtiny824 to the stock avrxmega3 script. */
export function avrLinkFlags(): string[] {
  const hex = (n: number) => `0x${n.toString(16)}`;
  return [
    ...AVR_ARCH_FLAGS,
    '-nostartfiles',
    '-Wl,--gc-sections',
    '-Wl,--relax',
    '-Wl,--pmem-wrap-around=8k',
    `-Wl,--defsym=__TEXT_REGION_LENGTH__=${ATTINY824.flashSize}`,
    `-Wl,--defsym=__DATA_REGION_ORIGIN__=${hex(ELF_DATA_OFFSET + ATTINY824.sramStart)}`,
    `-Wl,--defsym=__DATA_REGION_LENGTH__=${ATTINY824.sramSize}`,
    `-Wl,--defsym=__EEPROM_REGION_LENGTH__=${ATTINY824.eepromSize}`,
  ];
}

export type OptimizeLevel = '0' | '1' | '2' | '3' | 's' | 'g';
export type Defines = Record<string, string | number | boolean>;

export interface AvrProgramOptions {
  /** C (`.c`) and assembler (`.S`) files. The start-up file is added unless `startup` is false. */
  sources: string[];
  /** Extra `-I` folders; the device folder is always searched. */
  includeDirs?: string[];
  /** `-D` macros: `true` → `-DNAME`, `false` → omitted, else `-DNAME=value` (quote C strings yourself, see {@link cString}). */
  defines?: Defines;
  /** Where the ELF, HEX, BIN and map go. */
  outDir: string;
  /** Base name of the outputs: `<outDir>/<name>.elf` … */
  name: string;
  /** `-O` level, default `s`. */
  optimize?: OptimizeLevel;
  /** More compiler flags (after ours). */
  cflags?: string[];
  /** More linker flags (after ours). */
  ldflags?: string[];
  /** Object folder; default `<outDir>/obj/<name>`. */
  objDir?: string;
  /** Link firmware/device/startup.S (default true). */
  startup?: boolean;
}

/** Progress of one build step: starting, finished, or skipped because it was up to date. */
export interface StepEvent {
  kind: 'compile' | 'link' | 'objcopy' | 'objdump';
  /** The source (compile) or output (link, objcopy) file. */
  file: string;
  status: 'start' | 'done' | 'up-to-date';
}

export interface AvrBuildHooks extends ToolHooks {
  onStep?: (event: StepEvent) => void;
  /** Shared concurrency limit for compiler processes (default: one per CPU). */
  limiter?: Limiter;
}

export interface AvrProgram {
  elf: string;
  /** Intel HEX of flash only (.text, .rodata, .data initialisers). */
  hex: string;
  /** Raw flash image from address 0. */
  bin: string;
  map: string;
  /** Sources that were (re)compiled by this call. */
  compiled: string[];
  /** Whether the ELF was (re)linked. */
  linked: boolean;
}

/** Quotes a string as a C string literal for a `-D` value. */
export function cString(value: string): string {
  return JSON.stringify(value);
}

function defineFlags(defines: Defines = {}): string[] {
  const flags: string[] = [];
  for (const [name, value] of Object.entries(defines)) {
    if (value === false) continue;
    flags.push(value === true ? `-D${name}` : `-D${name}=${value}`);
  }
  return flags;
}

/** Compiler flags for one translation unit (without -c/-o/-MF). */
export function avrCompileFlags(options: Pick<AvrProgramOptions, 'includeDirs' | 'defines' | 'optimize' | 'cflags'>): string[] {
  return [
    ...AVR_ARCH_FLAGS,
    `-O${options.optimize ?? 's'}`,
    '-g',
    '-std=gnu11',
    '-Wall',
    '-Wextra',
    '-Wstrict-prototypes',
    '-funsigned-char',
    '-funsigned-bitfields',
    '-ffunction-sections',
    '-fdata-sections',
    '-fdiagnostics-color=never',
    `-I${DEVICE_DIR}`,
    ...(options.includeDirs ?? []).map((d) => `-I${resolve(d)}`),
    ...defineFlags(options.defines),
    ...(options.cflags ?? []),
  ];
}

/** Object file names: the source path below the sources' common folder, `/` → `__`. */
function objectNames(sources: string[]): string[] {
  const dirs = sources.map((s) => dirname(s).split(sep));
  const common: string[] = [];
  for (let i = 0; dirs.every((d) => i < d.length && d[i] === dirs[0][i]); i++) common.push(dirs[0][i]);
  const root = common.join(sep) || sep;
  return sources.map((s) => {
    const rel = relative(root, s);
    return rel.slice(0, rel.length - extname(rel).length).split(sep).join('__') + '.o';
  });
}

/** Thrown when a tool exits non-zero; `details.diagnostics` holds what it printed. */
export function toolFailed(what: string, diagnostics: Diagnostic[]): LtobmsError {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const first = errors[0];
  const where = first?.file ? ` (first error at ${first.file}:${first.line})` : '';
  return new LtobmsError(`${what} failed${where}`, {
    code: 'BUILD_FAILED',
    hint: 'fix the errors printed above and run the build again',
    details: { diagnostics: diagnostics.map((d) => d.text) },
  });
}

/**
 * Runs one step unless it is up to date; returns true if the tool ran. With `captureStdout`
 * the tool's standard output becomes the step's output file (avr-objdump listings).
 */
export async function runStep(
  step: Step,
  kind: StepEvent['kind'],
  label: string,
  hooks: AvrBuildHooks,
  limiter: Limiter,
  captureStdout = false,
): Promise<boolean> {
  if (await isUpToDate(step)) {
    hooks.onStep?.({ kind, file: label, status: 'up-to-date' });
    return false;
  }
  await limiter.run(async () => {
    if (hooks.signal?.aborted) throw new InterruptedError();
    hooks.onStep?.({ kind, file: label, status: 'start' });
    const [program, ...args] = step.command;
    const result = await runTool(program, args, hooks);
    if (result.exitCode !== 0) throw toolFailed(`${kind} ${basename(label)}`, result.diagnostics);
    if (captureStdout) await writeFile(step.output, result.stdout);
  });
  await recordStep(step);
  hooks.onStep?.({ kind, file: label, status: 'done' });
  return true;
}

/** Waits for all tasks; rethrows an interrupt first, else the first failure. */
export async function settleAll<T>(tasks: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(tasks);
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
  if (failures.length) throw failures.find((f) => f instanceof InterruptedError) ?? failures[0];
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** The objcopy arguments that extract the flash image (no EEPROM, fuses or signatures). */
export const FLASH_SECTIONS = ['.text', '.rodata', '.data'];

/**
 * Compiles and links `sources` into `<outDir>/<name>.{elf,hex,bin,map}` for the ATtiny824,
 * rebuilding only what changed. Compiler diagnostics stream through `hooks.onDiagnostic`;
 * a failing step rejects with a BUILD_FAILED {@link LtobmsError}.
 */
export async function compileAvrProgram(options: AvrProgramOptions, hooks: AvrBuildHooks = {}): Promise<AvrProgram> {
  const limiter = hooks.limiter ?? new Limiter();
  const outDir = resolve(options.outDir);
  const objDir = resolve(options.objDir ?? join(outDir, 'obj', options.name));
  const sources = [...(options.startup === false ? [] : [STARTUP_SOURCE]), ...options.sources.map((s) => resolve(s))];
  if (options.sources.length === 0) {
    throw new LtobmsError('no source files to compile', { code: 'BUILD_NO_SOURCES' });
  }
  await mkdir(objDir, { recursive: true });
  const flags = avrCompileFlags(options);
  const names = objectNames(sources);
  const objects = names.map((n) => join(objDir, n));

  const compiled: string[] = [];
  await settleAll(
    sources.map(async (source, i) => {
      const object = objects[i];
      const depFile = object.replace(/\.o$/, '.d');
      // No debug info for assembler sources: gas would record the preprocessor's random temp file
      // name and the absolute source path, so two builds of the same sources would differ (the
      // prebuilt images are checked byte for byte); the C units' debug info ends at the LTO link.
      const unitFlags = source.endsWith('.S') ? flags.filter((f) => f !== '-g') : flags;
      const step: Step = {
        output: object,
        command: ['avr-gcc', ...unitFlags, '-MMD', '-MP', '-MF', depFile, '-c', source, '-o', object],
        inputs: [source],
        depFile,
      };
      if (await runStep(step, 'compile', source, hooks, limiter)) compiled.push(source);
    }),
  );

  const elf = join(outDir, `${options.name}.elf`);
  const map = join(outDir, `${options.name}.map`);
  const link: Step = {
    output: elf,
    command: [
      'avr-gcc',
      ...avrLinkFlags(),
      `-O${options.optimize ?? 's'}`,
      `-Wl,-Map=${map}`,
      ...(options.ldflags ?? []),
      ...objects,
      '-o',
      elf,
    ],
    inputs: objects,
  };
  const linked = await runStep(link, 'link', elf, hooks, limiter);

  const hex = join(outDir, `${options.name}.hex`);
  const bin = join(outDir, `${options.name}.bin`);
  const only = FLASH_SECTIONS.flatMap((s) => ['-j', s]);
  await settleAll([
    runStep({ output: hex, command: ['avr-objcopy', ...only, '-O', 'ihex', elf, hex], inputs: [elf] }, 'objcopy', hex, hooks, limiter),
    runStep({ output: bin, command: ['avr-objcopy', ...only, '-O', 'binary', elf, bin], inputs: [elf] }, 'objcopy', bin, hooks, limiter),
  ]);
  return { elf, hex, bin, map, compiled, linked };
}
