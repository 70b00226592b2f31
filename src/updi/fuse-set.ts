/**
 * `ltobms fuses --set NAME=VALUE,…`: single fuse values by their data-sheet names, checked before
 * anything is connected and turned into the fuse image the planner takes from a file (so one rule
 * decides, for both, whether SYSCFG0 may take the UPDI pin away).
 *
 * Names are case-insensitive (WDTCFG, bodcfg …); values are decimal, 0x hex or 0b binary, 0 to 255.
 * Each value is range-checked against its fuse's reserved bits and field values (src/part/fuse-rules.ts).
 */
import { UsageError } from '../errors.js';
import type { Segment } from '../image/ihex.js';
import { FUSE, type FuseName } from '../part/fuses.js';
import { fuseValueProblem } from '../part/fuse-rules.js';
import type { DeviceInfo } from '../part/tinyavr2.js';
import { hex } from '../util/hex.js';

export interface FuseSetting {
  name: FuseName;
  index: number;
  value: number;
}

const NAMES = Object.keys(FUSE) as FuseName[];
const VALUE = /^(0x[0-9a-f]+|0b[01]+|\d+)$/i;

/** One byte written as decimal, 0x hex or 0b binary; undefined if it is not one. */
export function parseByte(text: string): number | undefined {
  const t = text.trim();
  if (!VALUE.test(t)) return undefined;
  const lower = t.toLowerCase();
  const value = lower.startsWith('0b') ? parseInt(lower.slice(2), 2) : lower.startsWith('0x') ? parseInt(lower.slice(2), 16) : parseInt(lower, 10);
  return value >= 0 && value <= 0xff ? value : undefined;
}

function usage(message: string, hint: string, details: Record<string, unknown> = {}): UsageError {
  return new UsageError(message, { code: 'FUSE_SET', hint, details });
}

/**
 * The settings of every `--set` (each one or more comma-separated NAME=VALUE), in fuse order.
 * A fuse named twice must get the same value both times.
 */
export function parseFuseSettings(specs: readonly string[]): FuseSetting[] {
  const byIndex = new Map<number, FuseSetting>();
  for (const item of specs.flatMap((s) => s.split(','))) {
    const text = item.trim();
    if (!text) continue;
    const eq = text.indexOf('=');
    if (eq < 0) throw usage(`--set ${text}: expected NAME=VALUE`, 'for example --set WDTCFG=0x7a,BODCFG=0');
    const rawName = text.slice(0, eq).trim();
    const name = NAMES.find((n) => n.toLowerCase() === rawName.toLowerCase());
    if (!name) throw usage(`--set ${text}: no fuse is named "${rawName}"`, `the fuses are ${NAMES.join(', ')} (any case)`);
    const value = parseByte(text.slice(eq + 1));
    if (value === undefined) throw usage(`--set ${text}: "${text.slice(eq + 1).trim()}" is not a byte`, 'a value is 0 to 255: decimal (122), hex (0x7a) or binary (0b01111010)');
    const index = FUSE[name];
    const earlier = byIndex.get(index);
    if (earlier && earlier.value !== value) throw usage(`--set gives ${name} twice: ${hex(earlier.value, 2)} and ${hex(value, 2)}`, `set ${name} once`);
    checkFuseSetting({ name, index, value });
    byIndex.set(index, { name, index, value });
  }
  if (!byIndex.size) throw usage('--set names no fuse', 'for example --set WDTCFG=0x7a,BODCFG=0');
  return [...byIndex.values()].sort((a, b) => a.index - b.index);
}

/** Refuses a value its fuse does not allow (with `device`, also section ends beyond its flash). */
export function checkFuseSetting(s: FuseSetting, device?: DeviceInfo): void {
  const problem = fuseValueProblem(s.name, s.value, device);
  if (problem) throw usage(`--set ${s.name}=${hex(s.value, 2)}: ${problem.why}`, problem.fix, { fuse: s.name, value: s.value });
}

/** The settings as the fuse image a fuse file would give (fuse offsets, for planProgram). */
export function fuseSegments(settings: readonly FuseSetting[]): Segment[] {
  return settings.map((s) => ({ address: s.index, data: Uint8Array.of(s.value) }));
}
