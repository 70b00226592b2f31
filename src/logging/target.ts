/**
 * From a resolved configuration to a running {@link PointWriter}: the sink for the target, its spool
 * folder and its dead-letter file under the data folder.
 *
 *   <data dir>/log/YYYY-MM-DD.lp             daily files of the file target (default --out-dir)
 *   <data dir>/spool/<target key>/           the spool in front of a database (+ `target`: its description)
 *   <data dir>/dead-letter/<target key>.lp   points a database refused for good
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LtobmsError } from '../errors.js';
import { processAlive, readLockOwner } from '../util/lockfile.js';
import { describeTarget, targetKey, type LogConfig } from './config.js';
import { spoolBacklog } from './spool.js';
import { DailyFileSink } from './sinks/file.js';
import { Influx1Sink } from './sinks/influx1.js';
import { Influx2Sink } from './sinks/influx2.js';
import type { Sink } from './sinks/types.js';
import { PointWriter, type WriterEvent } from './writer.js';

/** `timeoutMs`: how long one write request may take before it counts as failed (and is retried). */
export function createSink(config: LogConfig, timeoutMs = 10_000): Sink {
  const t = config.target;
  switch (t.kind) {
    case 'file':
      return new DailyFileSink(t.outDir);
    case 'influx1':
      return new Influx1Sink(t, timeoutMs);
    case 'influx2':
      return new Influx2Sink(t, timeoutMs);
  }
}

export function openWriter(
  config: LogConfig,
  options: { batchSize?: number; writeAhead?: boolean; timeoutMs?: number; onEvent?: (e: WriterEvent) => void } = {},
): PointWriter {
  const key = targetKey(config.target);
  const writer = new PointWriter({
    sink: createSink(config, options.timeoutMs),
    spoolDir: join(config.dataDir, 'spool', key),
    deadLetterPath: join(config.dataDir, 'dead-letter', `${key}.lp`),
    batchSize: options.batchSize,
    writeAhead: options.writeAhead,
    onEvent: options.onEvent,
  });
  // The spool's own description (no secrets), so another configuration can name what it holds.
  const spoolDir = join(config.dataDir, 'spool', key);
  if (existsSync(spoolDir) && !existsSync(join(spoolDir, 'target'))) {
    try {
      writeFileSync(join(spoolDir, 'target'), describeTarget(config.target) + '\n');
    } catch {
      // only a description: the spool works without it
    }
  }
  return writer;
}

/** Points another target's spool still holds (left by an earlier configuration: a corrected URL). */
export interface OtherSpool {
  dir: string;
  /** The target it was written for, when the spool says so. */
  target: string | undefined;
  points: number;
  /** Its segment files with undelivered points (what `--replay` takes). */
  segments: string[];
  /** A live logger using it, if any. */
  inUseBy: number | undefined;
}

/** The spools under the data folder, other than this target's, that still hold points. */
export function otherSpools(config: LogConfig): OtherSpool[] {
  const root = join(config.dataDir, 'spool');
  const own = targetKey(config.target);
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const found: OtherSpool[] = [];
  for (const name of names.sort()) {
    const dir = join(root, name);
    if (name === own || !statSync(dir).isDirectory()) continue;
    const { points, segments } = spoolBacklog(dir);
    if (points === 0) continue;
    let target: string | undefined;
    try {
      target = readFileSync(join(dir, 'target'), 'utf8').trim() || undefined;
    } catch {
      target = undefined;
    }
    let inUseBy: number | undefined;
    try {
      const owner = readLockOwner(join(dir, 'lock'));
      if (owner && owner.pid !== process.pid && processAlive(owner.pid)) inUseBy = owner.pid;
    } catch {
      inUseBy = undefined; // an unreadable lock: the replay's own errors will say more
    }
    found.push({ dir, target, points, segments, inUseBy });
  }
  return found;
}

/** The error a session ends with when the writer's own queue failed (disk full, spool unreadable). */
export function writerFailure(writer: PointWriter, dataDir: string): LtobmsError | undefined {
  if (!writer.fatal) return undefined;
  return new LtobmsError(`logging stopped: ${writer.fatal.message}`, {
    code: 'LOG_SPOOL',
    hint: `free disk space or choose another --data-dir (${dataDir}); points counted as left in the spool were not stored`,
  });
}
