/**
 * `makeReport`: recorded frames → one self-contained HTML file with charts and a summary per board.
 * The library behind `ltobms report` and the report `ltobms demo` writes; it never prints.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { LtobmsError, UsageError } from '../errors.js';
import type { Point } from '../logging/frame.js';
import { groupPoints, readPoints, type PointFilter } from './data.js';
import { renderReportPage } from './page.js';
import type { BoardSummary } from './summary.js';

export interface ReportResult {
  /** The HTML file written. */
  output: string;
  bytes: number;
  /** Files read (empty when the points came from memory). */
  files: string[];
  /** Frames read before filtering, and lines that were not frames. */
  frames: number;
  skipped: number;
  boards: BoardSummary[];
}

export interface ReportOptions {
  output: string;
  filter?: PointFilter;
  title?: string;
}

function writeHtml(output: string, html: string): void {
  try {
    mkdirSync(dirname(output), { recursive: true });
    writeFileSync(output, html);
  } catch (err) {
    throw new LtobmsError(`cannot write ${output}: ${(err as Error).message}`, { code: 'REPORT_WRITE', hint: 'choose a writable place with -o' });
  }
}

function noFrames(what: string, filter: PointFilter | undefined): UsageError {
  const filtered = filter && (filter.ids?.length || filter.fromMs !== undefined || filter.toMs !== undefined);
  return new UsageError(`${what} ${filtered ? 'match --id/--from/--to' : 'are in the input'}`, {
    code: 'REPORT_EMPTY',
    hint: filtered ? 'widen --from/--to or check --id (ltobms report FILE without them lists what there is)' : 'give the .lp files ltobms log or ltobms demo wrote (frames with timestamps)',
  });
}

/** Reads `.lp` files (or folders of them) and writes the report. */
export async function makeReport(inputs: string[], options: ReportOptions): Promise<ReportResult> {
  const read = await readPoints(inputs, options.filter);
  if (read.boards.length === 0) throw noFrames(read.frames ? `none of the ${read.frames} frames` : 'no frames', options.filter);
  const page = renderReportPage(read.boards, { title: options.title ?? 'LTO-BMS report' });
  writeHtml(options.output, page.html);
  return { output: options.output, bytes: Buffer.byteLength(page.html), files: read.files, frames: read.frames, skipped: read.skipped, boards: page.summaries };
}

/** Writes the report for points already in memory (the demo's own frames). */
export function makeReportFromPoints(points: Point[], options: ReportOptions): ReportResult {
  const boards = groupPoints(points, options.filter);
  if (boards.length === 0) throw noFrames('no frames', options.filter);
  const page = renderReportPage(boards, { title: options.title ?? 'LTO-BMS report' });
  writeHtml(options.output, page.html);
  return { output: options.output, bytes: Buffer.byteLength(page.html), files: [], frames: points.length, skipped: 0, boards: page.summaries };
}
