/**
 * What `ltobms report` (and the demo) print about a report, as pure functions: a few lines per
 * board, and a terminal sparkline.
 */
import type { ReportResult } from './report.js';
import { formatDuration } from './page.js';
import type { BoardSummary } from './summary.js';

const BLOCKS = '▁▂▃▄▅▆▇█';

/**
 * `values` as one line of block characters, at most `width` wide (each block the mean of its share
 * of the values); a flat series is drawn at the lowest level.
 */
export function sparkline(values: readonly number[], width = 60): string {
  if (values.length === 0) return '';
  const cells = Math.min(width, values.length);
  const means: number[] = [];
  for (let c = 0; c < cells; c++) {
    const from = Math.floor((c * values.length) / cells);
    const to = Math.max(from + 1, Math.floor(((c + 1) * values.length) / cells));
    let sum = 0;
    for (let i = from; i < to; i++) sum += values[i]!;
    means.push(sum / (to - from));
  }
  const min = Math.min(...means);
  const span = Math.max(...means) - min;
  return means.map((v) => BLOCKS[span === 0 ? 0 : Math.round(((v - min) / span) * (BLOCKS.length - 1))]).join('');
}

const clock = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + 'Z';

/** `0007 (LTO)  2026-11-21 08:00Z → 11:00Z …`: the summary of one board on one or two lines. */
export function formatBoardLines(s: BoardSummary): string[] {
  const lockouts = s.episodes.length
    ? s.episodes.map((e) => `${e.state} at ${clock(e.fromMs).slice(11)} for ${formatDuration((e.toMs - e.fromMs) / 1000)}`).join(', ')
    : 'no lockout';
  return [
    `${s.id} (${s.chemistry})  ${clock(s.fromMs)} → ${clock(s.toMs)} (${formatDuration((s.toMs - s.fromMs) / 1000)}), ${s.frames} frames`,
    `  energy out ${s.energyOutMWh} mWh, in ${s.energyInMWh} mWh; cell ${(s.vBattMin.mV / 1000).toFixed(3)}–${(s.vBattMax.mV / 1000).toFixed(3)} V; ${lockouts}`,
  ];
}

export function formatReportLines(r: ReportResult, shownPath: string): string[] {
  const kb = Math.max(1, Math.round(r.bytes / 1024));
  const boards = r.boards.length === 1 ? '1 board' : `${r.boards.length} boards`;
  const skipped = r.skipped ? ` (${r.skipped} other lines skipped)` : '';
  return [`report: ${boards}, ${r.boards.reduce((n, b) => n + b.frames, 0)} frames${skipped} → ${shownPath} (${kb} KB)`, ...r.boards.flatMap(formatBoardLines)];
}
