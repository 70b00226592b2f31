/**
 * The result of `ltobms build` as one object (printed as-is by `--json`) and its human view:
 * a size table against the part's limits and the project's budget, and the artefacts.
 */
import { relative } from 'node:path';
import type { FirmwareBuild } from './firmware.js';

export interface BuildReport {
  version: string;
  debug: boolean;
  outDir: string;
  builds: FirmwareBuild[];
  /** Wall-clock time of the whole build. */
  seconds: number;
}

function percent(used: number, of: number): string {
  return `${((100 * used) / of).toFixed(1)} %`;
}

function cell(used: number, of: number): string {
  return `${used} / ${of} B (${percent(used, of)})`;
}

function pad(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

/** Paths relative to `cwd` when inside it (shorter to read), else absolute. */
export function displayPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') ? rel : path;
}

export function formatBuildReport(report: BuildReport, cwd = process.cwd()): string {
  const first = report.builds[0];
  const budget = first?.budget;
  const rows = [
    ['chemistry', 'flash', 'RAM (static)', 'EEPROM', `budget ${budget?.flash ?? '?'} B / ${budget?.ram ?? '?'} B`, 'work'],
  ];
  for (const b of report.builds) {
    const fit = !b.withinLimits ? 'TOO BIG for the part' : b.withinBudget ? 'within' : 'over';
    const work = b.compiled === 0 && !b.linked ? 'up to date' : `${b.compiled} compiled${b.linked ? ', linked' : ''}`;
    rows.push([
      b.chemistry,
      cell(b.memory.flash, b.limits.flash),
      cell(b.memory.ram, b.limits.ram),
      cell(b.memory.eeprom, b.limits.eeprom),
      fit,
      work,
    ]);
  }
  const variant = report.debug ? 'debug' : 'release';
  const lines = [
    `firmware ${report.version} (${variant}) in ${displayPath(report.outDir, cwd)}/, ${report.seconds.toFixed(2)} s`,
    pad(rows),
    '',
  ];
  for (const b of report.builds) {
    const a = b.artifacts;
    const files = [a.elf, a.hex, a.bin, a.eepromBin, a.eepromHex, ...(a.lst ? [a.lst] : [])];
    lines.push(`${b.chemistry}: ${files.map((f) => displayPath(f, cwd)).join('  ')}`);
  }
  return lines.join('\n') + '\n';
}
