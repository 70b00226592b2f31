/**
 * The production ledger: one JSON line per programming attempt, appended and fsync'ed before the
 * station moves on. It is the source of truth for serial numbers:
 *
 * - the next number is one past the highest number a board received successfully (or `--start-sn`
 *   if that is higher, or the ledger is new), so a crash or Ctrl-C never loses or repeats one —
 *   a board interrupted mid-way has no `ok` line, and its number is handed out again;
 * - a chip already in the ledger (same unique ID) keeps its number when it is programmed again,
 *   unless the caller asks for a new one (`renumber`);
 * - a last line cut short (power lost while writing) is tolerated and reported; if it names a
 *   serial number, that number counts as used (a board may carry it), so it is never given twice.
 *
 * One station owns a ledger at a time: a `<ledger>.lock` file with the owner's pid (src/util/lockfile.ts);
 * a lock left by a process that no longer runs (a crash) is taken over.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, readSync, writeSync, fstatSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { ExitCode, LtobmsError, UsageError } from '../errors.js';
import { CHEMISTRIES, type Chemistry } from '../eeprom/chemistry.js';
import { acquireLock, LockError, type HeldLock } from '../util/lockfile.js';

export const LEDGER_STEPS = ['detect', 'fuses', 'flash', 'eeprom', 'verify'] as const;
export type LedgerStep = (typeof LEDGER_STEPS)[number];

/** Largest serial number: the EEPROM field is a u16. */
export const MAX_SERIAL = 0xffff;

export interface LedgerFirmware {
  file: string;
  sha256: string;
  /** From the image's `ltobms-fw <version> <chemistry>` string; null for a foreign image. */
  version: string | null;
}

/** One attempt. Key order is fixed (sn and uid first) so a cut-off line still names them. */
export interface LedgerEntry {
  /** The serial number written (ok) or being written when it failed; null if not known yet. */
  sn: number | null;
  /** SIGROW.SERNUM0..9 as 20 lower-case hex digits; null if the chip could not be read. */
  uid: string | null;
  result: 'ok' | 'failed';
  time: string;
  firmware: LedgerFirmware;
  chemistry: Chemistry;
  /** The fuse bytes written (0x1280..), hex. */
  fuses: string;
  /** The 20-byte EEPROM configuration written, hex (ok entries). */
  eeprom?: string;
  /** True when the chip already had this number from an earlier ok entry. */
  reprogrammed?: boolean;
  /** The number the chip had before `--renumber`. */
  renumberedFrom?: number;
  step?: LedgerStep;
  error?: string;
  code?: string;
  /** Milliseconds from detection to the ledger entry. */
  ms?: number;
  port?: string;
}

/** A line that is not JSON (cut short); what could be salvaged from it. */
export interface DamagedLine {
  line: number;
  text: string;
  /** The serial number it names, if any: treated as used. */
  sn: number | null;
  uid: string | null;
  /** True for the last line without a newline (a crash while writing it). */
  last: boolean;
}

export interface LedgerContents {
  entries: LedgerEntry[];
  damaged: DamagedLine[];
  /** The file does not end in a newline (the next append starts one first). */
  missingNewline: boolean;
}

const UID_RE = /^[0-9a-f]{20}$/;

function badLedger(path: string, line: number, why: string): UsageError {
  return new UsageError(`${path} line ${line} is not a ledger entry (${why})`, {
    code: 'LEDGER_INVALID',
    hint: 'the ledger is written only by ltobms manufacture; restore that line from a backup or remove it by hand',
    details: { path, line },
  });
}

/** Checks one parsed line; returns the entry or why it is not one. */
export function checkEntry(value: unknown): LedgerEntry | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const e = value as Record<string, unknown>;
  if (e.result !== 'ok' && e.result !== 'failed') return 'result is neither "ok" nor "failed"';
  if (e.sn !== null && !(Number.isInteger(e.sn) && (e.sn as number) >= 0 && (e.sn as number) <= MAX_SERIAL)) return 'sn is not a number 0–65535';
  if (e.uid !== null && !(typeof e.uid === 'string' && UID_RE.test(e.uid))) return 'uid is not 20 hex digits';
  if (e.result === 'ok' && (e.sn === null || e.uid === null)) return 'an ok entry needs sn and uid';
  if (typeof e.time !== 'string' || Number.isNaN(Date.parse(e.time))) return 'time is not an ISO date';
  const fw = e.firmware as Record<string, unknown> | undefined;
  if (typeof fw !== 'object' || fw === null || typeof fw.file !== 'string' || typeof fw.sha256 !== 'string') return 'firmware is not {file, sha256, version}';
  if (!(CHEMISTRIES as readonly unknown[]).includes(e.chemistry)) return `chemistry is none of ${CHEMISTRIES.join(', ')}`;
  if (e.step !== undefined && !(LEDGER_STEPS as readonly unknown[]).includes(e.step)) return `step ${JSON.stringify(e.step)} is unknown`;
  return value as LedgerEntry;
}

/** Parses a ledger's text. Damaged (non-JSON) lines are kept aside; invalid entries are errors. */
export function parseLedger(text: string, path: string): LedgerContents {
  const lines = text.split('\n');
  const missingNewline = text.length > 0 && !text.endsWith('\n');
  if (!missingNewline) lines.pop();
  const entries: LedgerEntry[] = [];
  const damaged: DamagedLine[] = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      const sn = /^\{"sn":(\d{1,5})[,}]/.exec(line);
      const uid = /"uid":"([0-9a-f]{20})"/.exec(line);
      const n = sn ? Number(sn[1]) : null;
      damaged.push({ line: i + 1, text: line.slice(0, 120), sn: n !== null && n <= MAX_SERIAL ? n : null, uid: uid ? uid[1]! : null, last: i === lines.length - 1 });
      return;
    }
    const checked = checkEntry(value);
    if (typeof checked === 'string') throw badLedger(path, i + 1, checked);
    entries.push(checked);
  });
  return { entries, damaged, missingNewline };
}

/** Reads a ledger file (missing = empty). */
export function readLedger(path: string): LedgerContents {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') return { entries: [], damaged: [], missingNewline: false };
    throw new LtobmsError(`cannot read the ledger ${path}: ${e.code === 'EISDIR' ? 'it is a folder' : e.message}`, {
      code: 'LEDGER_IO',
      exitCode: ExitCode.usage,
      hint: 'check --ledger',
    });
  }
  return parseLedger(text, path);
}

/** What serial number a chip gets. */
export interface SerialChoice {
  sn: number;
  /** The chip had this number already (ok entry) and keeps it. */
  reprogrammed: boolean;
  /** With renumber: the number it had before. */
  renumberedFrom?: number;
}

/** The ledger's state: numbers in use and which chip has which. Pure; no I/O. */
export class SerialBook {
  /** uid → sn of its latest ok entry. */
  private readonly byUid = new Map<string, number>();
  private highest = -1;

  constructor(
    contents: LedgerContents,
    /** `--start-sn`: the first number of a new ledger, or a jump ahead. */
    private readonly startSn: number | undefined,
  ) {
    for (const e of contents.entries) if (e.result === 'ok') this.record(e.sn!, e.uid!);
    // A cut-off line may be an ok entry whose board carries the number: never reuse it.
    for (const d of contents.damaged) {
      if (d.sn !== null) this.highest = Math.max(this.highest, d.sn);
      if (d.sn !== null && d.uid !== null && !this.byUid.has(d.uid)) this.byUid.set(d.uid, d.sn);
    }
  }

  /** The number the next new chip gets. */
  next(): number {
    const fromLedger = this.highest >= 0 ? this.highest + 1 : undefined;
    const sn = Math.max(fromLedger ?? -1, this.startSn ?? -1);
    if (sn < 0) {
      throw new UsageError('the ledger is empty, so the first serial number must be given', {
        code: 'MANUFACTURE_NO_START',
        hint: 'pass --start-sn N (e.g. --start-sn 1); later runs continue from the ledger',
      });
    }
    if (sn > MAX_SERIAL) {
      throw new LtobmsError(`serial numbers are used up: the next would be ${sn}, above ${MAX_SERIAL}`, {
        code: 'MANUFACTURE_SN_EXHAUSTED',
        hint: 'start a new ledger with a new --start-sn range only if the numbers may repeat across products',
      });
    }
    return sn;
  }

  /** The number for a chip: its own if it has one (unless renumber), else the next. */
  choose(uid: string, renumber: boolean): SerialChoice {
    const had = this.byUid.get(uid);
    if (had !== undefined && !renumber) return { sn: had, reprogrammed: true };
    const sn = this.next();
    return had !== undefined ? { sn, reprogrammed: false, renumberedFrom: had } : { sn, reprogrammed: false };
  }

  /** The number a chip has in the ledger, if any. */
  serialOf(uid: string): number | undefined {
    return this.byUid.get(uid);
  }

  record(sn: number, uid: string): void {
    this.byUid.set(uid, sn);
    this.highest = Math.max(this.highest, sn);
  }
}

/** A ledger open for appending, with its lock. */
export class LedgerWriter {
  private fd: number | undefined;

  private constructor(
    readonly path: string,
    fd: number,
    private readonly lock: HeldLock,
  ) {
    this.fd = fd;
  }

  /**
   * Takes the lock, opens the ledger for appending (creating it), and ends a cut-off last line
   * with a newline so the next entry starts a line of its own.
   */
  static open(path: string): LedgerWriter {
    if (!existsSync(dirname(path))) {
      throw new UsageError(`cannot create the ledger ${path}: the folder does not exist`, { code: 'LEDGER_IO', hint: 'create the folder or choose another --ledger' });
    }
    const lock = takeLock(path);
    let fd: number;
    try {
      const created = !existsSync(path);
      fd = openSync(path, 'a+');
      if (created) syncDir(dirname(path));
      const size = fstatSync(fd).size;
      if (size > 0) {
        const last = Buffer.alloc(1);
        readSync(fd, last, 0, 1, size - 1);
        if (last[0] !== 0x0a) {
          writeSync(fd, '\n');
          fsyncSync(fd);
        }
      }
    } catch (err) {
      lock.release();
      throw new LtobmsError(`cannot open the ledger ${path} for writing: ${(err as Error).message}`, { code: 'LEDGER_IO', hint: 'check the permissions of the file and its folder' });
    }
    return new LedgerWriter(path, fd, lock);
  }

  /** Appends one entry and waits until it is on disk. */
  append(entry: LedgerEntry): void {
    if (this.fd === undefined) throw new Error('ledger is closed');
    const line = JSON.stringify(entry) + '\n';
    try {
      writeSync(this.fd, line);
      fsyncSync(this.fd);
    } catch (err) {
      throw new LtobmsError(`cannot write to the ledger ${this.path}: ${(err as Error).message}`, {
        code: 'LEDGER_IO',
        hint: 'the board was programmed but not recorded: free disk space, then program it again (it keeps no number until recorded)',
      });
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    this.lock.release();
  }
}

export function lockPathOf(ledger: string): string {
  return `${ledger}.lock`;
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not every file system lets a directory be opened for fsync; the entry's own fsync still holds.
  }
}

/** Creates `<ledger>.lock` exclusively; takes over a lock whose process is gone. */
function takeLock(ledger: string): HeldLock {
  const lock = lockPathOf(ledger);
  try {
    return acquireLock(lock);
  } catch (err) {
    if (!(err instanceof LockError)) throw err;
    if (err.reason === 'io' || !err.owner) {
      throw new LtobmsError(err.message, { code: 'LEDGER_IO', hint: 'check the permissions of the ledger folder' });
    }
    const owner = err.owner;
    const sameHost = owner.host === undefined || owner.host === hostname();
    throw new LtobmsError(`the ledger ${ledger} is in use by another ltobms manufacture (pid ${owner.pid}${sameHost ? '' : ` on ${owner.host}`})`, {
      code: 'LEDGER_LOCKED',
      hint: sameHost
        ? 'one station per ledger: stop the other run, or give this station its own --ledger and --start-sn range'
        : `stop the run on ${owner.host}; if it is gone, delete ${lock}`,
      details: { lock, owner },
    });
  }
}
