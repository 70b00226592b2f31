/**
 * `ltobms manufacture --report`: what a ledger says about a production run — boards programmed
 * and failed, boards per hour, failures by step, the serial-number range with its gaps, and the
 * consistency checks (no number on two chips). Pure: ledger contents in, report object out; the
 * command renders it (`renderReport`) or prints it as JSON.
 */
import { LEDGER_STEPS, type LedgerContents, type LedgerStep } from './ledger.js';

/** A pause between two entries longer than this is a break, not production time. */
export const BREAK_MS = 10 * 60 * 1000;

export interface LedgerReport {
  ledger: string;
  entries: number;
  /** Successful entries (re-programmed chips included). */
  ok: number;
  failed: number;
  /** Distinct chips that passed at least once. */
  boards: number;
  reprogrammed: number;
  /** Failed attempts of chips that passed later (retries that worked). */
  recovered: number;
  /** Chips that failed and never passed. */
  rejected: number;
  failures_by_step: Record<LedgerStep, number>;
  /** Most common failure messages, with counts. */
  top_errors: { error: string; count: number }[];
  first_time: string | null;
  last_time: string | null;
  /** Production time: gaps between entries, with breaks longer than BREAK_MS left out. */
  active_hours: number;
  /** Successful entries per active hour (null with fewer than two entries). */
  boards_per_hour: number | null;
  /** Median milliseconds per successful board (programming time). */
  median_ms: number | null;
  /** Numbers given to boards that passed, ascending. */
  serials: number[];
  /** Numbers reserved for a chip (or named by a cut-off line) that never passed with it: on no board, or on one put aside. */
  void: number[];
  serial_range: {
    first: number | null;
    last: number | null;
    /** Numbers given out: serials and void. */
    count: number;
    /** Numbers inside [first, last] never given out (a `--start-sn` jump). */
    gaps: number[];
  };
  /** Reservations recorded. */
  reserved: number;
  /** Serial numbers held by more than one chip: must be empty. */
  duplicates: { sn: number; uids: string[] }[];
  /** Chips given a new number with --renumber. */
  renumbered: { uid: string; serials: number[] }[];
  /** Attempts per station (port on host). */
  stations: { port: string | null; host: string | null; ok: number; failed: number }[];
  firmware: { version: string | null; sha256: string; ok: number }[];
  damaged_lines: { line: number; sn: number | null; last: boolean }[];
}

/** The report's object; its keys are the ones `--report --json` prints (snake_case, as the issue and README name them). */
export function ledgerReport(location: string, contents: LedgerContents): LedgerReport {
  const { entries } = contents;
  const ok = entries.filter((e) => e.result === 'ok');
  const failed = entries.filter((e) => e.result === 'failed');
  const passedUids = new Set(ok.map((e) => e.uid!));

  const failuresByStep = Object.fromEntries(LEDGER_STEPS.map((s) => [s, 0])) as Record<LedgerStep, number>;
  for (const e of failed) failuresByStep[e.step ?? 'detect']++;
  const errorCounts = new Map<string, number>();
  for (const e of failed) errorCounts.set(e.error ?? '?', (errorCounts.get(e.error ?? '?') ?? 0) + 1);
  const topErrors = [...errorCounts].map(([error, count]) => ({ error, count })).sort((a, b) => b.count - a.count).slice(0, 5);

  const failedUids = new Set(failed.map((e) => e.uid).filter((u): u is string => u !== null));
  const recovered = failed.filter((e) => e.uid !== null && passedUids.has(e.uid)).length;
  const rejected = [...failedUids].filter((u) => !passedUids.has(u)).length;

  const times = entries.map((e) => Date.parse(e.time)).sort((a, b) => a - b);
  let activeMs = 0;
  for (let i = 1; i < times.length; i++) {
    const gap = times[i]! - times[i - 1]!;
    if (gap <= BREAK_MS) activeMs += gap;
  }
  // The first board's own programming time precedes the first entry; count it too.
  const firstMs = entries.length ? (entries.find((e) => Date.parse(e.time) === times[0])?.ms ?? 0) : 0;
  const hoursWithFirst = (activeMs + firstMs) / 3_600_000;
  const boardsPerHour = entries.length >= 2 && hoursWithFirst > 0 ? round(ok.length / hoursWithFirst, 1) : null;
  const okMs = ok.map((e) => e.ms).filter((m): m is number => typeof m === 'number').sort((a, b) => a - b);
  const medianMs = okMs.length ? okMs[Math.floor((okMs.length - 1) / 2)]! : null;

  // Serial numbers: which chips hold each (passed or reserved).
  const holders = new Map<number, Set<string>>();
  const hold = (sn: number, uid: string) => {
    if (!holders.has(sn)) holders.set(sn, new Set());
    holders.get(sn)!.add(uid);
  };
  const byUid = new Map<string, number[]>();
  for (const e of ok) {
    hold(e.sn!, e.uid!);
    const list = byUid.get(e.uid!) ?? [];
    if (!list.includes(e.sn!)) list.push(e.sn!);
    byUid.set(e.uid!, list);
  }
  for (const r of contents.reservations) hold(r.sn, r.uid);
  const passed = new Set(ok.map((e) => e.sn!));
  const serials = [...passed].sort((a, b) => a - b);
  const reservedNumbers = [...contents.reservations.map((r) => r.sn), ...contents.damaged.map((d) => d.sn).filter((n): n is number => n !== null)];
  const voided = [...new Set(reservedNumbers.filter((n) => !passed.has(n)))].sort((a, b) => a - b);
  const given = [...new Set([...serials, ...voided])].sort((a, b) => a - b);
  const first = given.length ? given[0]! : null;
  const last = given.length ? given[given.length - 1]! : null;
  const givenSet = new Set(given);
  const gaps: number[] = [];
  if (first !== null && last !== null) for (let n = first; n <= last && gaps.length < 1000; n++) if (!givenSet.has(n)) gaps.push(n);
  const duplicates = [...holders].filter(([, uids]) => uids.size > 1).map(([sn, uids]) => ({ sn, uids: [...uids].sort() })).sort((a, b) => a.sn - b.sn);
  const renumbered = [...byUid].filter(([, list]) => list.length > 1).map(([uid, list]) => ({ uid, serials: list }));

  const stations = new Map<string, { port: string | null; host: string | null; ok: number; failed: number }>();
  for (const e of entries) {
    const key = `${e.host ?? ''}\0${e.port ?? ''}`;
    const row = stations.get(key) ?? { port: e.port ?? null, host: e.host ?? null, ok: 0, failed: 0 };
    row[e.result]++;
    stations.set(key, row);
  }

  const fw = new Map<string, { version: string | null; sha256: string; ok: number }>();
  for (const e of entries) {
    const key = e.firmware.sha256;
    const row = fw.get(key) ?? { version: e.firmware.version ?? null, sha256: key, ok: 0 };
    if (e.result === 'ok') row.ok++;
    fw.set(key, row);
  }

  return {
    ledger: location,
    entries: entries.length,
    ok: ok.length,
    failed: failed.length,
    boards: passedUids.size,
    reprogrammed: ok.filter((e) => e.reprogrammed).length,
    recovered,
    rejected,
    failures_by_step: failuresByStep,
    top_errors: topErrors,
    first_time: times.length ? new Date(times[0]!).toISOString() : null,
    last_time: times.length ? new Date(times[times.length - 1]!).toISOString() : null,
    active_hours: round(activeMs / 3_600_000, 3),
    boards_per_hour: boardsPerHour,
    median_ms: medianMs,
    serials,
    void: voided,
    serial_range: { first, last, count: given.length, gaps },
    reserved: contents.reservations.length,
    duplicates,
    renumbered,
    stations: [...stations.values()],
    firmware: [...fw.values()],
    damaged_lines: contents.damaged.map((d) => ({ line: d.line, sn: d.sn, last: d.last })),
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** The human view of a report: the same facts as the JSON, one per line. */
export function renderReport(r: LedgerReport): string[] {
  const out: string[] = [];
  out.push(`ledger ${r.ledger}: ${r.entries} entr${r.entries === 1 ? 'y' : 'ies'}${r.first_time ? `, ${r.first_time} .. ${r.last_time}` : ''}`);
  out.push(`boards ok:      ${r.boards} chip${r.boards === 1 ? '' : 's'} (${r.ok} successful entr${r.ok === 1 ? 'y' : 'ies'}, ${r.reprogrammed} re-programmed)`);
  out.push(`failed:         ${r.failed} attempt${r.failed === 1 ? '' : 's'} (${r.recovered} on chips that passed later, ${r.rejected} chip${r.rejected === 1 ? '' : 's'} never passed)`);
  const steps = LEDGER_STEPS.filter((s) => r.failures_by_step[s] > 0).map((s) => `${s} ${r.failures_by_step[s]}`);
  out.push(`failures by step: ${steps.length ? steps.join(', ') : 'none'}`);
  for (const e of r.top_errors) out.push(`  ${e.count}× ${e.error}`);
  out.push(
    `rate:           ${r.boards_per_hour === null ? '–' : `${r.boards_per_hour} boards/hour`} over ${(r.active_hours * 60).toFixed(1)} active minutes` +
      (r.median_ms === null ? '' : `, median ${(r.median_ms / 1000).toFixed(1)} s per board`),
  );
  if (r.stations.length > 1) for (const s of r.stations) out.push(`station:        ${s.port ?? '?'}${s.host ? ` on ${s.host}` : ''}: ${s.ok} ok, ${s.failed} failed`);
  const s = r.serial_range;
  out.push(`serial numbers: ${s.first === null ? 'none' : `${s.first}..${s.last} (${r.serials.length} on boards that passed${s.gaps.length ? `, never given: ${formatRanges(s.gaps)}` : ''})`}`);
  out.push(`void:           ${r.void.length ? `${formatRanges(r.void)} (reserved for a chip that never passed with it)` : 'none'}`);
  out.push(`duplicates:     ${r.duplicates.length ? r.duplicates.map((d) => `sn ${d.sn} on ${d.uids.join(' and ')}`).join('; ') : 'none (every number is on one chip)'}`);
  if (r.renumbered.length) out.push(`renumbered:     ${r.renumbered.map((x) => `${x.uid} ${x.serials.join(' → ')}`).join('; ')}`);
  for (const f of r.firmware) out.push(`firmware:       ${f.version ?? '(no version string)'} sha256 ${f.sha256.slice(0, 12)}…: ${f.ok} ok`);
  for (const d of r.damaged_lines) out.push(`warning: line ${d.line} is cut short${d.last ? ' (written during a crash?)' : ''}${d.sn !== null ? `; its sn ${d.sn} counts as used` : ''}`);
  return out;
}

/** 3,4,5,9 → "3–5, 9". */
export function formatRanges(numbers: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < numbers.length; ) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j]! + 1) j++;
    parts.push(i === j ? `${numbers[i]}` : `${numbers[i]}–${numbers[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}
