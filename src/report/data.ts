/**
 * The frames a report shows: read from recorded line-protocol files (the daily `.lp` files of
 * `ltobms log` and `ltobms demo`, a dead-letter file, `log.py`'s output), parsed as strictly as
 * `ltobms log --replay` parses them, filtered by board and time, and grouped per board in time order.
 */
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { classifyLine, seriesKey, type Frame, type Point } from '../logging/frame.js';
import { LineAssembler } from '../logging/lines.js';

export interface PointFilter {
  /** Board ids to keep (4 hex digits; case does not matter). Empty or absent: every board. */
  ids?: string[];
  /** Keep points at or after this instant (ms since the epoch). */
  fromMs?: number;
  /** Keep points at or before this instant (ms since the epoch). */
  toMs?: number;
}

/** One board's frames in time order: `measurement,id=XXXX` is the series, as in InfluxDB. */
export interface BoardPoints {
  series: string;
  measurement: Frame['measurement'];
  id: string;
  points: Point[];
}

export interface ReadResult {
  files: string[];
  /** Frames read from the files before filtering. */
  frames: number;
  /** Lines that are not frames with a timestamp (counted, never shown). */
  skipped: number;
  boards: BoardPoints[];
}

/** The `.lp` files an input names: the file itself, or every `.lp` file directly in a folder. */
export function inputFiles(inputs: string[]): string[] {
  const files: string[] = [];
  for (const input of inputs) {
    if (!existsSync(input)) {
      throw new UsageError(`${input} does not exist`, { code: 'REPORT_INPUT', hint: 'give a .lp file or a folder of them (ltobms-data/log by default)' });
    }
    if (!statSync(input).isDirectory()) {
      files.push(input);
      continue;
    }
    const found = readdirSync(input).filter((f) => f.endsWith('.lp')).sort().map((f) => join(input, f));
    if (found.length === 0) {
      throw new UsageError(`${input} holds no .lp files`, { code: 'REPORT_INPUT', hint: 'ltobms log and ltobms demo write YYYY-MM-DD.lp files; point at that folder' });
    }
    files.push(...found);
  }
  return files;
}

/** Keeps the points the filter admits and groups them per board, each in time order. */
export function groupPoints(points: Iterable<Point>, filter: PointFilter = {}): BoardPoints[] {
  const ids = filter.ids?.map((id) => id.toUpperCase());
  const from = filter.fromMs === undefined ? undefined : BigInt(Math.round(filter.fromMs)) * 1_000_000n;
  const to = filter.toMs === undefined ? undefined : BigInt(Math.round(filter.toMs)) * 1_000_000n;
  const boards = new Map<string, BoardPoints>();
  for (const p of points) {
    if (ids?.length && !ids.includes(p.frame.id)) continue;
    if ((from !== undefined && p.timeNs < from) || (to !== undefined && p.timeNs > to)) continue;
    const series = seriesKey(p.frame);
    let board = boards.get(series);
    if (!board) boards.set(series, (board = { series, measurement: p.frame.measurement, id: p.frame.id, points: [] }));
    board.points.push(p);
  }
  for (const board of boards.values()) {
    board.points.sort((a, b) => (a.timeNs < b.timeNs ? -1 : a.timeNs > b.timeNs ? 1 : 0));
    // The same series and timestamp is one point in InfluxDB (a re-sent batch): keep the last copy.
    board.points = board.points.filter((p, i, all) => i === all.length - 1 || all[i + 1]!.timeNs !== p.timeNs);
  }
  return [...boards.values()].sort((a, b) => a.series.localeCompare(b.series));
}

/** Reads every frame with a timestamp from the files (`#` comment lines and other lines skipped). */
export async function readPoints(inputs: string[], filter: PointFilter = {}): Promise<ReadResult> {
  const files = inputFiles(inputs);
  const points: Point[] = [];
  let skipped = 0;
  for (const file of files) {
    const assembler = new LineAssembler((line, status) => {
      if (status !== 'complete') {
        skipped++;
        return;
      }
      if (line[0] === 0x23) return; // '#' comment (dead-letter headers)
      const c = classifyLine(line, 0, line.length, { timestamp: 'required' });
      if (c.kind === 'frame') points.push({ frame: c.frame, timeNs: c.timeNs! });
      else if (c.kind !== 'blank') skipped++;
    });
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) assembler.push(chunk as Buffer);
    assembler.end();
  }
  return { files, frames: points.length, skipped, boards: groupPoints(points, filter) };
}
