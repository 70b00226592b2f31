/**
 * The embedded default target: one line-protocol file per UTC day (`YYYY-MM-DD.lp`, named by each
 * point's own timestamp) in the output folder, appended and fsynced per batch. The files load into
 * any InfluxDB with their original timestamps (`ltobms log --replay FILE`, or `influx write`).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LtobmsError } from '../../errors.js';
import { WriteError, type Sink } from './types.js';

/** The day file a line belongs to, from the ns timestamp at its end. */
export function dayFileName(line: string): string {
  const ns = line.slice(line.lastIndexOf(' ') + 1);
  const ms = Number(ns.length > 6 ? ns.slice(0, -6) : '0');
  return `${new Date(ms).toISOString().slice(0, 10)}.lp`;
}

export class DailyFileSink implements Sink {
  readonly description: string;
  readonly durable = true;

  constructor(readonly outDir: string) {
    this.description = `line-protocol files in ${outDir}`;
    try {
      mkdirSync(outDir, { recursive: true });
    } catch (err) {
      throw new LtobmsError(`cannot create the log folder ${outDir}: ${(err as Error).message}`, {
        code: 'LOG_OUT_DIR',
        hint: 'choose a writable folder with --out-dir (or LTOBMS_DATA_DIR)',
      });
    }
  }

  async write(lines: readonly string[]): Promise<void> {
    this.writeSync(lines);
  }

  /** Appends and fsyncs before it returns, so the caller may report the lines as stored. */
  writeSync(lines: readonly string[]): void {
    const byDay = new Map<string, string[]>();
    for (const line of lines) {
      const name = dayFileName(line);
      let group = byDay.get(name);
      if (!group) byDay.set(name, (group = []));
      group.push(line);
    }
    for (const [name, group] of byDay) {
      const path = join(this.outDir, name);
      try {
        const fd = openSync(path, 'a');
        try {
          writeSync(fd, group.join('\n') + '\n');
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
      } catch (err) {
        throw new WriteError(`cannot append to ${path}: ${(err as Error).message}`, true);
      }
    }
  }

  async close(): Promise<void> {}
}
