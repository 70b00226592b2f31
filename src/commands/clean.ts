/**
 * `ltobms clean`: remove the build folder `ltobms build` made. Only a folder that carries the
 * build marker is removed, so a mistyped --out cannot delete anything else.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { printJson, type ActionContext } from '../cli/run.js';
import { UsageError } from '../errors.js';
import { BUILD_MARKER } from '../firmware/firmware.js';
import { displayPath } from '../firmware/report.js';

interface CleanOptions {
  out: string;
  json?: boolean;
}

export interface CleanReport {
  path: string;
  removed: boolean;
  files: number;
  bytes: number;
}

async function usage(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const sub = await usage(path);
      files += sub.files;
      bytes += sub.bytes;
    } else {
      files++;
      bytes += (await stat(path)).size;
    }
  }
  return { files, bytes };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export async function cleanBuild(outDir: string): Promise<CleanReport> {
  const path = resolve(outDir);
  if (!(await exists(path))) return { path, removed: false, files: 0, bytes: 0 };
  if (!(await exists(join(path, BUILD_MARKER)))) {
    throw new UsageError(`${displayPath(path)} is not an ltobms build folder (no ${BUILD_MARKER} in it); nothing removed`, {
      code: 'CLEAN_NOT_BUILD',
      hint: 'pass the folder `ltobms build --out` wrote, or delete it yourself',
    });
  }
  const { files, bytes } = await usage(path);
  await rm(path, { recursive: true, force: true });
  return { path, removed: true, files, bytes };
}

/** The action of `ltobms clean` (declared in src/cli/commands/clean.ts). */
export async function execute(opts: CleanOptions, _cmd: Command, _ctx: ActionContext): Promise<void> {
  const report = await cleanBuild(opts.out);
  if (opts.json) printJson(report);
  else if (!report.removed) process.stdout.write(`${displayPath(report.path)}: nothing to clean\n`);
  else {
    const kb = (report.bytes / 1024).toFixed(1);
    process.stdout.write(`removed ${displayPath(report.path)}/ (${report.files} files, ${kb} KB)\n`);
  }
}
