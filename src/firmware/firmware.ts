/**
 * Building the BMS firmware (firmware/ in the package) for one chemistry: which sources, which
 * flags, which output names, and the size check against the part and the budget.
 *
 * Outputs (names kept from the original project's Makefile), in `outDir` (VER is `<ver>-debug` for
 * a debug build, in the names and in the embedded version string):
 *   main-<CHEM>-<VER>.elf / .hex / .bin   flash image (the .hex/.bin hold no EEPROM data)
 *   eeprom-<CHEM>-<VER>.bin / .hex        the default configuration block (serial 0), at 0x810000 in the .hex
 *   main-<CHEM>-<VER>.map                 linker map; .lst with `lst` (avr-objdump -d -S)
 * Objects live in `<outDir>/obj/<CHEM>[-debug]`, so switching variant or version only
 * recompiles what the changed flags affect.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LtobmsError, UsageError } from '../errors.js';
import {
  FIRMWARE_DIR,
  cString,
  compileAvrProgram,
  runStep,
  settleAll,
  type AvrBuildHooks,
  type Defines,
  type StepEvent,
} from './avr.js';
import type { Chemistry } from '../part/chemistry.js';
import { ATTINY824 } from '../part/attiny824.js';
import { memoryUse, readElf, type MemoryUse } from './elf.js';
import { Limiter } from './toolchain.js';

/** The part's memories (ATTINY824_FACTS.md §1.1): exceeding one fails the build. */
export const PART_LIMITS = { flash: ATTINY824.flashSize, ram: ATTINY824.sramSize, eeprom: ATTINY824.eepromSize };
/** The project's budget for a release build of one chemistry: `ltobms build` fails a release over it. */
export const BUDGET = { flash: 4096, ram: 256 };

export { FUSES_FILE } from './paths.js';

/** Written into every build folder; `ltobms clean` only removes folders that carry it. */
export const BUILD_MARKER = '.ltobms-build';

/**
 * Size-saving flags, measured on this firmware with avr-gcc 5.4: link-time optimisation
 * (-flto) takes about 12 % off, the two loop options another 1 %, -fno-gcse (global common
 * subexpression elimination, which keeps values alive across the main loop) another 0.5 % with no
 * change in cycles per tick.
 */
const FIRMWARE_CFLAGS = ['-flto', '-fno-move-loop-invariants', '-fno-tree-loop-optimize', '-fno-gcse'];

export interface FirmwareOptions {
  chemistry: Chemistry;
  /** Version string baked into the image and used in the file names. */
  version: string;
  /** Debug variant: start-up line, EEPROM dump and load result on the UART. */
  debug?: boolean;
  outDir: string;
  /** Also write the disassembly listing (.lst). */
  lst?: boolean;
  /** Extra -D macros, e.g. `{ FW_TEST_HANG_AFTER: 5 }` (test builds; use their own outDir). */
  defines?: Defines;
}

export interface FirmwareArtifacts {
  elf: string;
  hex: string;
  bin: string;
  eepromBin: string;
  eepromHex: string;
  map: string;
  lst?: string;
}

export interface FirmwareBuild {
  chemistry: Chemistry;
  version: string;
  debug: boolean;
  artifacts: FirmwareArtifacts;
  memory: MemoryUse;
  limits: typeof PART_LIMITS;
  budget: typeof BUDGET;
  /** Every memory within the part's size. */
  withinLimits: boolean;
  /** Flash and RAM within the release budget. */
  withinBudget: boolean;
  /** Sources recompiled by this build (0 for a no-op rebuild). */
  compiled: number;
  linked: boolean;
}

/** A step event of one chemistry's build. */
export type FirmwareEvent = StepEvent & { chemistry: Chemistry };

export interface FirmwareHooks extends Omit<AvrBuildHooks, 'onStep'> {
  onStep?: (event: FirmwareEvent) => void;
}

const VERSION_RE = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,39}$/;

/** Checks a version string for use in file names and as a C string. */
export function checkVersion(version: string): string {
  if (!VERSION_RE.test(version)) {
    throw new UsageError(`invalid firmware version "${version}"`, {
      code: 'BUILD_VERSION',
      hint: 'use letters, digits and . _ + - (at most 40 characters), e.g. --fw-version v1.2.0',
    });
  }
  return version;
}

/** The firmware's C sources: main.c plus everything in firmware/src and firmware/hw. */
export async function firmwareSources(): Promise<string[]> {
  const list = async (dir: string) =>
    (await readdir(join(FIRMWARE_DIR, dir))).filter((f) => f.endsWith('.c')).sort().map((f) => join(FIRMWARE_DIR, dir, f));
  try {
    return [join(FIRMWARE_DIR, 'main.c'), ...(await list('src')), ...(await list('hw'))];
  } catch (err) {
    throw new LtobmsError(`the firmware sources are missing from ${FIRMWARE_DIR}`, {
      code: 'BUILD_NO_SOURCES',
      hint: 'reinstall ltobms: its package ships the firmware/ folder',
      cause: err,
    });
  }
}

/** Compiles one chemistry incrementally and sizes the result. */
export async function buildFirmware(options: FirmwareOptions, hooks: FirmwareHooks = {}): Promise<FirmwareBuild> {
  const { chemistry } = options;
  const version = checkVersion(options.version);
  const debug = options.debug ?? false;
  const outDir = resolve(options.outDir);
  // A debug build is its own version: `<ver>-debug` in the file names and in the embedded string
  // (`ltobms-fw <ver>-debug <CHEM>`, which the production line recognises and refuses), so it
  // never overwrites the release files nor passes for them.
  const label = debug ? checkVersion(`${version}-debug`) : version;
  const name = `main-${chemistry}-${label}`;
  const limiter = hooks.limiter ?? new Limiter();
  const stepHooks: AvrBuildHooks = {
    ...hooks,
    limiter,
    onStep: hooks.onStep ? (e) => hooks.onStep?.({ ...e, chemistry }) : undefined,
  };
  await mkdir(outDir, { recursive: true });
  const marker = join(outDir, BUILD_MARKER);
  await writeFile(marker, 'ltobms build output; `ltobms clean` removes this folder\n', { flag: 'wx' }).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  });

  const program = await compileAvrProgram(
    {
      sources: await firmwareSources(),
      includeDirs: [join(FIRMWARE_DIR, 'src'), join(FIRMWARE_DIR, 'hw')],
      defines: { [`CELL_${chemistry}`]: true, FW_VERSION: cString(label), FW_DEBUG: debug, ...options.defines },
      outDir,
      name,
      objDir: join(outDir, 'obj', debug ? `${chemistry}-debug` : chemistry),
      cflags: FIRMWARE_CFLAGS,
      ldflags: [...FIRMWARE_CFLAGS, '-Wl,--undefined=fw_version'],
    },
    stepHooks,
  );

  const eepromBin = join(outDir, `eeprom-${chemistry}-${label}.bin`);
  const eepromHex = join(outDir, `eeprom-${chemistry}-${label}.hex`);
  const lst = options.lst ? join(outDir, `${name}.lst`) : undefined;
  const elf = program.elf;
  await settleAll([
    runStep(
      { output: eepromBin, command: ['avr-objcopy', '-j', '.eeprom', '-O', 'binary', elf, eepromBin], inputs: [elf] },
      'objcopy',
      eepromBin,
      stepHooks,
      limiter,
    ),
    runStep(
      { output: eepromHex, command: ['avr-objcopy', '-j', '.eeprom', '-O', 'ihex', elf, eepromHex], inputs: [elf] },
      'objcopy',
      eepromHex,
      stepHooks,
      limiter,
    ),
    ...(lst
      ? [runStep({ output: lst, command: ['avr-objdump', '-d', '-S', elf], inputs: [elf] }, 'objdump', lst, stepHooks, limiter, true)]
      : []),
  ]);

  const memory = memoryUse(await readElf(elf));
  const artifacts: FirmwareArtifacts = { elf, hex: program.hex, bin: program.bin, eepromBin, eepromHex, map: program.map };
  if (lst) artifacts.lst = lst;
  return {
    chemistry,
    version,
    debug,
    artifacts,
    memory,
    limits: PART_LIMITS,
    budget: BUDGET,
    withinLimits:
      memory.flash <= PART_LIMITS.flash && memory.ram <= PART_LIMITS.ram && memory.eeprom <= PART_LIMITS.eeprom,
    withinBudget: memory.flash <= BUDGET.flash && memory.ram <= BUDGET.ram,
    compiled: program.compiled.length,
    linked: program.linked,
  };
}

/** Builds several chemistries in parallel, sharing one compiler limit. */
export async function buildFirmwares(
  chemistries: Chemistry[],
  options: Omit<FirmwareOptions, 'chemistry'>,
  hooks: FirmwareHooks = {},
): Promise<FirmwareBuild[]> {
  const shared = { ...hooks, limiter: hooks.limiter ?? new Limiter() };
  return settleAll(chemistries.map((chemistry) => buildFirmware({ ...options, chemistry }, shared)));
}
