/**
 * The ledger as a JSON-lines file (the default): one line per reservation and per attempt,
 * appended and fsync'ed before the station goes on.
 *
 * - A last line cut short (power lost while writing) is tolerated and reported; a number it
 *   names counts as reserved for the chip it names, so it is never given to another.
 * - One process owns a file ledger at a time (`<ledger>.lock`, see ledger-lock.ts); its stations
 *   share it. Stations in several processes or on several hosts use a PostgreSQL ledger.
 * - The file is created with the first record, so a run that fails before any board (a wrong
 *   --port) leaves nothing behind.
 */
import { closeSync, existsSync, fstatSync, fsyncSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ExitCode, UsageError } from '../errors.js';
import { checkRecord, LedgerError, MAX_SERIAL, type DamagedLine, type Ledger, type LedgerContents, type LedgerEntry, type LedgerReservation, type LedgerStatus, type ReserveRequest, type SerialChoice } from './ledger.js';
import { SerialBook } from './serial-book.js';
import { takeLedgerLock } from './ledger-lock.js';
import type { HeldLock } from '../util/lockfile.js';

function badLedger(path: string, line: number, why: string): UsageError {
  return new UsageError(`${path} line ${line} is not a ledger entry (${why})`, {
    code: 'LEDGER_INVALID',
    hint: 'the ledger is written only by ltobms manufacture; restore that line from a backup or remove it by hand',
    details: { path, line },
  });
}

/** Parses a ledger's text. Damaged (non-JSON) lines are kept aside; invalid records are errors. */
export function parseLedger(text: string, path: string): LedgerContents & { missingNewline: boolean } {
  const lines = text.split('\n');
  const missingNewline = text.length > 0 && !text.endsWith('\n');
  if (!missingNewline) lines.pop();
  const entries: LedgerEntry[] = [];
  const reservations: LedgerReservation[] = [];
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
    const checked = checkRecord(value);
    if (typeof checked === 'string') throw badLedger(path, i + 1, checked);
    if (checked.result === 'reserved') reservations.push(checked);
    else entries.push(checked);
  });
  return { entries, reservations, damaged, missingNewline };
}

/** Reads a ledger file (missing = empty). */
export function readLedger(path: string): LedgerContents & { missingNewline: boolean } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') return { entries: [], reservations: [], damaged: [], missingNewline: false };
    throw new LedgerError(`cannot read the ledger ${path}: ${e.code === 'EISDIR' ? 'it is a folder' : e.message}`, {
      code: 'LEDGER_IO',
      exitCode: ExitCode.usage,
      hint: 'check --ledger',
    });
  }
  return parseLedger(text, path);
}

export class FileLedger implements Ledger {
  readonly kind = 'file';
  private fd: number | undefined;
  private closed = false;

  private constructor(
    readonly location: string,
    private readonly lock: HeldLock,
    private readonly contents: LedgerContents & { missingNewline: boolean },
    private readonly book: SerialBook,
  ) {}

  /**
   * Takes the lock and reads the ledger. Throws (and releases the lock) if no number could be
   * given — an empty ledger without `startSn` — before anything is written.
   */
  static open(path: string, startSn: number | undefined): FileLedger {
    if (!existsSync(dirname(path))) {
      throw new UsageError(`cannot create the ledger ${path}: the folder does not exist`, { code: 'LEDGER_IO', hint: 'create the folder or choose another --ledger' });
    }
    const lock = takeLedgerLock(path);
    try {
      const contents = readLedger(path);
      const book = new SerialBook(contents, startSn);
      book.next();
      return new FileLedger(path, lock, contents, book);
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  async status(): Promise<LedgerStatus> {
    return { entries: this.contents.entries.length, next: await this.next(), damaged: this.contents.damaged };
  }

  async reserve(request: ReserveRequest): Promise<SerialChoice> {
    const choice = this.book.choose(request.uid, request.renumber);
    if (choice.reprogrammed || choice.resumed) return choice;
    const line: LedgerReservation = { sn: choice.sn, uid: request.uid, result: 'reserved', time: new Date().toISOString(), port: request.port, host: request.host };
    this.write(line, 'the chip was not written: free disk space, then program it again');
    this.book.reserved(choice.sn, request.uid);
    return choice;
  }

  async append(entry: LedgerEntry): Promise<void> {
    this.write(entry, 'the board was programmed but not recorded: free disk space, then program it again (it keeps its reserved number)');
    if (entry.result === 'ok') this.book.passed(entry.sn!, entry.uid!);
    this.contents.entries.push(entry);
  }

  async next(): Promise<number | null> {
    try {
      return this.book.next();
    } catch {
      return null;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.lock.release();
  }

  /** Appends one line and waits until it is on disk. */
  private write(record: LedgerEntry | LedgerReservation, hint: string): void {
    if (this.closed) throw new Error('ledger is closed');
    try {
      const fd = this.fd ?? this.openForAppend();
      writeSync(fd, JSON.stringify(record) + '\n');
      fsyncSync(fd);
    } catch (err) {
      throw new LedgerError(`cannot write to the ledger ${this.location}: ${(err as Error).message}`, { code: 'LEDGER_IO', hint });
    }
  }

  /** Opens (creating) the file; ends a cut-off last line so the next record starts a line of its own. */
  private openForAppend(): number {
    const created = !existsSync(this.location);
    const fd = openSync(this.location, 'a+');
    this.fd = fd;
    if (created) syncDir(dirname(this.location));
    const size = fstatSync(fd).size;
    if (size > 0) {
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) {
        writeSync(fd, '\n');
        fsyncSync(fd);
      }
    }
    return fd;
  }
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
