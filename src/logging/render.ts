/**
 * What `ltobms log` shows, as pure functions: the JSON record of a frame (also what `--json`
 * prints), the compact coloured console line made from that record, and the summary text.
 */
import type { BmsState, Frame, Point } from './frame.js';
import type { LogSummary } from './session.js';

export interface FrameRecord extends Frame {
  type: 'frame';
  /** ISO 8601 UTC time the line completed. */
  time: string;
  /** The same instant in ns since the epoch (a string: it exceeds 2^53). */
  timeNs: string;
  port: string;
}

export function frameRecord(port: string, point: Point): FrameRecord {
  const ms = Number(point.timeNs / 1_000_000n);
  return { type: 'frame', time: new Date(ms).toISOString(), timeNs: point.timeNs.toString(), port, ...point.frame };
}

const ANSI: Record<string, [number, number]> = {
  green: [32, 39],
  yellow: [33, 39],
  red: [31, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  dim: [2, 22],
  bold: [1, 22],
};

/** Colour per state: normal operation quiet, lockouts loud. */
const STATE_COLOURS: Record<BmsState, string[]> = {
  BMS_STATE_IDLE: [],
  BMS_STATE_CHARGING: ['green'],
  BMS_STATE_DISCHARGING: ['cyan'],
  BMS_STATE_UVLO: ['yellow', 'bold'],
  BMS_STATE_OVLO: ['yellow', 'bold'],
  BMS_STATE_OCLO: ['magenta', 'bold'],
  BMS_STATE_ERR: ['red', 'bold'],
  BMS_STATE_INVALID: ['red', 'bold'],
};

export function paint(text: string, styles: readonly string[], colour: boolean): string {
  if (!colour) return text;
  return styles.reduce((t, s) => `\x1b[${ANSI[s]![0]}m${t}\x1b[${ANSI[s]![1]}m`, text);
}

/** Whether to colour a stream: a TTY, and neither NO_COLOR nor FORCE_COLOR=0 set (FORCE_COLOR≠0 forces it). */
export function wantColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return stream.isTTY === true;
}

function clock(iso: string): string {
  const d = new Date(iso);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** `14:03:00  0007  2.512 V  2.509 V    -35 mA  CHARGING` (battery V, load V, current, state). */
export function formatFrameLine(r: FrameRecord, options: { colour: boolean; showPort: boolean }): string {
  const volts = (mv: number) => `${(mv / 1000).toFixed(3)} V`;
  const state = r.state.replace('BMS_STATE_', '');
  const parts = [
    paint(clock(r.time), ['dim'], options.colour),
    ...(options.showPort ? [paint(r.port, ['dim'], options.colour)] : []),
    r.measurement === 'nai-bms' ? `${r.id} Na` : r.id,
    volts(r.v_batt),
    volts(r.v_load),
    `${String(r.current).padStart(6)} mA`,
    paint(state, STATE_COLOURS[r.state], options.colour),
  ];
  return parts.join('  ');
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The end-of-run summary, a few lines of text. */
export function formatSummary(s: LogSummary): string[] {
  const reasons = Object.entries(s.garbageByReason)
    .map(([r, n]) => `${r} ${n}`)
    .join(', ');
  const lines = [
    `summary: ${plural(s.frames, 'frame')}, ${plural(s.written, 'point')} written to ${s.target}`,
    `  ${plural(s.garbage, 'garbage line')}${reasons ? ` (${reasons})` : ''}, ${plural(s.debug, 'debug line')}, ${plural(s.reconnects, 'reconnect')}`,
    `  ${plural(s.spooled, 'point')} spooled while the target was unavailable, ${s.deadLettered} dead-lettered, ${s.leftInSpool} left in the spool` +
      (s.resumed ? `, ${s.resumed} resumed from an earlier run` : ''),
  ];
  if (s.leftInSpool) lines.push(`  ${s.leftInSpool === 1 ? 'that point is' : 'those points are'} sent when ltobms log runs again with the same target`);
  return lines;
}
