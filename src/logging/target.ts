/**
 * From a resolved configuration to a running {@link PointWriter}: the sink for the target, its spool
 * folder and its dead-letter file under the data folder.
 *
 *   <data dir>/log/YYYY-MM-DD.lp             daily files of the file target (default --out-dir)
 *   <data dir>/spool/<target key>/           the spool in front of a database
 *   <data dir>/dead-letter/<target key>.lp   points a database refused for good
 */
import { join } from 'node:path';
import { LtobmsError } from '../errors.js';
import { targetKey, type LogConfig } from './config.js';
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
  return new PointWriter({
    sink: createSink(config, options.timeoutMs),
    spoolDir: join(config.dataDir, 'spool', key),
    deadLetterPath: join(config.dataDir, 'dead-letter', `${key}.lp`),
    batchSize: options.batchSize,
    writeAhead: options.writeAhead,
    onEvent: options.onEvent,
  });
}

/** The error a session ends with when the writer's own queue failed (disk full, spool unreadable). */
export function writerFailure(writer: PointWriter, dataDir: string): LtobmsError | undefined {
  if (!writer.fatal) return undefined;
  return new LtobmsError(`logging stopped: ${writer.fatal.message}`, {
    code: 'LOG_SPOOL',
    hint: `free disk space or choose another --data-dir (${dataDir}); points counted as left in the spool were not stored`,
  });
}
