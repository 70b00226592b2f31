/**
 * Where the installed package keeps its firmware: sources, device files and the fuse file are
 * found beside the package, not in the current directory. A module of its own (no imports beyond
 * node:) so that declaring a command's defaults loads nothing of the toolchain.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The installed ltobms package root. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const FIRMWARE_DIR = join(PACKAGE_ROOT, 'firmware');

/**
 * The fuse values `ltobms fuses` writes by default: Intel HEX, 9 bytes at 0x820000 (WDTCFG,
 * BODCFG, OSCCFG, 2 reserved, SYSCFG0, SYSCFG1, APPEND, BOOTEND), see firmware/README.md.
 */
export const FUSES_FILE = join(FIRMWARE_DIR, 'fuses.hex');
