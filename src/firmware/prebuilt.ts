/**
 * The release firmware images that ship with the package (firmware/prebuilt/), so `ltobms demo`
 * and `ltobms sim` work on a machine with Node and nothing else.
 *
 * They are what `ltobms build --fw-version <package version>` makes: the embedded version string is
 * `ltobms-fw <package version> <CHEM>` (not `git describe`, which an installed package cannot run
 * and which changes with every commit). SHA256SUMS lists every file; the test suite rebuilds them
 * with the Debian toolchain and fails if a byte differs, so the shipped bytes are the sources' bytes.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Chemistry } from '../part/chemistry.js';
import { LtobmsError } from '../errors.js';
import { FIRMWARE_DIR, PACKAGE_ROOT } from './paths.js';

export const PREBUILT_DIR = join(FIRMWARE_DIR, 'prebuilt');
export const PREBUILT_SUMS = 'SHA256SUMS';
/** The chemistries shipped prebuilt (every one the firmware builds). */
export const PREBUILT_CHEMISTRIES: readonly Chemistry[] = ['LTO', 'NAION'];
/** The image formats shipped: .hex for programmers and the demo, .elf for `sim --firmware --eeprom`. */
export const PREBUILT_EXTENSIONS = ['hex', 'elf'] as const;

export interface PrebuiltFirmware {
  chemistry: Chemistry;
  version: string;
  hex: string;
  elf: string;
}

/** The version the prebuilt images carry: the package's own version. */
export async function prebuiltVersion(root = PACKAGE_ROOT): Promise<string> {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export function prebuiltFileNames(chemistry: Chemistry, version: string): string[] {
  return PREBUILT_EXTENSIONS.map((ext) => `main-${chemistry}-${version}.${ext}`);
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `sha256sum` format: one `<hex>  <name>` line per file, sorted by name. */
export function formatSums(sums: Map<string, string>): string {
  return [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, sum]) => `${sum}  ${name}\n`).join('');
}

export function parseSums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.trim());
    if (m) sums.set(m[2], m[1]);
  }
  return sums;
}

/**
 * The prebuilt images of one chemistry, checked against SHA256SUMS (a damaged or hand-edited file
 * is refused rather than programmed into a board).
 */
export async function prebuiltFirmware(chemistry: Chemistry, dir = PREBUILT_DIR): Promise<PrebuiltFirmware> {
  const version = await prebuiltVersion();
  const missing = (cause: unknown) =>
    new LtobmsError(`the prebuilt firmware for ${chemistry} is missing from ${dir}`, {
      code: 'PREBUILT_MISSING',
      hint: 'install the AVR toolchain (sudo apt-get install -y gcc-avr avr-libc binutils-avr) or reinstall ltobms',
      cause,
    });
  const sums = parseSums(await readFile(join(dir, PREBUILT_SUMS), 'utf8').catch((err: unknown) => Promise.reject(missing(err))));
  for (const name of prebuiltFileNames(chemistry, version)) {
    const bytes = await readFile(join(dir, name)).catch((err: unknown) => Promise.reject(missing(err)));
    if (sums.get(name) !== sha256(bytes)) {
      throw new LtobmsError(`the prebuilt firmware ${join(dir, name)} does not match its SHA256SUMS entry`, {
        code: 'PREBUILT_CORRUPT',
        hint: 'reinstall ltobms, or build the firmware with ltobms build',
      });
    }
  }
  const [hex, elf] = prebuiltFileNames(chemistry, version).map((name) => join(dir, name));
  return { chemistry, version, hex, elf };
}

/** Whether `program` is an executable on PATH (checked without running it). */
export async function onPath(program: string, path = process.env.PATH ?? ''): Promise<boolean> {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    try {
      await access(join(dir, program), constants.X_OK);
      return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}

/**
 * Builds the release images of every chemistry with the installed toolchain into `outDir` (only the
 * shipped files, plus SHA256SUMS) and returns the sums. The scratch build folder is removed.
 */
export async function buildPrebuilt(outDir: string): Promise<Map<string, string>> {
  const { buildFirmwares } = await import('./firmware.js');
  const version = await prebuiltVersion();
  const scratch = await mkdtemp(join(tmpdir(), 'ltobms-prebuilt-'));
  try {
    const builds = await buildFirmwares([...PREBUILT_CHEMISTRIES], { version, outDir: scratch });
    const sums = new Map<string, string>();
    for (const build of builds) {
      for (const [name, from] of [
        [`main-${build.chemistry}-${version}.hex`, build.artifacts.hex],
        [`main-${build.chemistry}-${version}.elf`, build.artifacts.elf],
      ] as const) {
        // written afresh (not copied) so the shipped files do not keep the linker's executable mode
        const bytes = await readFile(from);
        await writeFile(join(outDir, name), bytes, { mode: 0o644 });
        sums.set(name, sha256(bytes));
      }
    }
    await writeFile(join(outDir, PREBUILT_SUMS), formatSums(sums));
    return sums;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
