/**
 * Text for `ltobms manufacture`: the lines the station's events and its summary become. Pure
 * (strings out); the command decides where they go.
 */
import type { LedgerEntry, SerialChoice } from '../production/ledger.js';
import type { StationEvent, StationSummary } from '../workflows/station.js';
import { formatRanges } from '../production/report.js';

/** A chip's unique ID for messages. */
export function uidText(uid: string | null): string {
  return uid ?? '(unknown chip)';
}

/** The result line of one attempt (stdout). */
export function entryLine(e: LedgerEntry): string {
  const secs = e.ms !== undefined ? ` ${(e.ms / 1000).toFixed(1)} s` : '';
  if (e.result === 'ok') {
    const note = e.reprogrammed ? ' (re-programmed, same number)' : e.renumberedFrom !== undefined ? ` (renumbered from ${e.renumberedFrom})` : '';
    return `ok      sn ${e.sn}  uid ${e.uid}${secs}${note}`;
  }
  return `FAILED  ${e.sn !== null ? `sn ${e.sn} ` : ''}uid ${uidText(e.uid)}  at ${e.step}: ${e.error}${secs}`;
}

/** A status line (stderr) for an event, or undefined for events shown otherwise. */
export function statusLine(e: StationEvent): string | undefined {
  switch (e.type) {
    case 'waiting':
      return `waiting for a board on ${e.port}…`;
    case 'adapter-silent':
      return `warning: nothing comes back on ${e.port}, not even the echo (${e.reason}); check --port and the adapter wiring`;
    case 'detected':
      return `board ${e.locked ? '(locked: will be unlocked by chip erase)' : uidText(e.uid)} detected`;
    case 'board': {
      const b = e.event;
      if (b.type === 'identified') return `programming ${b.uid}${b.wasLocked ? ' (unlocked by chip erase)' : ''}`;
      if (b.type === 'reserved') return `sn ${b.choice.sn} for ${b.uid}: ${choiceText(b.choice)}`;
      return undefined;
    }
    case 'remove':
      return e.ok ? 'done: take the board off' : 'take the board off (put it aside)';
    case 'removed':
      return 'board removed';
    case 'ok':
    case 'failed':
      return undefined;
  }
}

/** Why a chip gets its number. */
export function choiceText(c: SerialChoice): string {
  if (c.reprogrammed) return 'already in the ledger, keeps its number';
  if (c.resumed) return 'reserved for it earlier, the same number again';
  return c.renumberedFrom !== undefined ? `reserved, renumbered (had ${c.renumberedFrom})` : 'reserved, new';
}

export function summaryLines(s: StationSummary): string[] {
  const steps = Object.entries(s.failuresByStep).map(([k, v]) => `${k} ${v}`);
  const lines = [
    `${s.boards} board${s.boards === 1 ? '' : 's'}: ${s.ok} ok, ${s.failed} failed attempt${s.failed === 1 ? '' : 's'}${steps.length ? ` (${steps.join(', ')})` : ''}, ${s.reprogrammed} re-programmed, in ${formatDuration(s.seconds)}`,
  ];
  if (s.serials.length) lines.push(`serial numbers written: ${formatRanges([...new Set(s.serials)].sort((a, b) => a - b))}`);
  if (s.nextSn !== null) lines.push(`next serial number: ${s.nextSn}`);
  if (s.interruptedBoard) lines.push('interrupted in the middle of a board: it is not recorded; a number reserved for it stays with that chip');
  lines.push(`ledger: ${s.ledger}`);
  return lines;
}

function formatDuration(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  return m < 120 ? `${m} min ${Math.round(seconds - m * 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
