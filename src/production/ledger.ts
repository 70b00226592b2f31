/**
 * The production ledger: the source of truth for serial numbers. Two backends keep the same
 * records — a JSON-lines file (ledger-file.ts, the default) and PostgreSQL (ledger-postgres.ts, for
 * stations on one or more hosts) — and follow the same rules (serial-book.ts):
 *
 * - before a new number is written to a chip's EEPROM, "serial N reserved for chip UID" is on
 *   disk (file: a fsync'ed line; PostgreSQL: a committed row under a unique constraint);
 * - after any crash the reserved number belongs to that chip: re-inserted, it gets N again; never
 *   seen again, the report lists N as void. No number ever lands on two chips;
 * - a chip that passed keeps its number when it is programmed again, unless `--renumber`;
 * - every attempt (ok or failed) is recorded as it ends.
 */
import { LtobmsError } from '../errors.js';
import { CHEMISTRIES, type Chemistry } from '../part/chemistry.js';

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
  /** The serial number written (ok) or the chip's number when it failed; null if it had none yet. */
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
  /** The station's host name (stations on several hosts share a PostgreSQL ledger). */
  host?: string;
}

/** "Serial N reserved for chip UID", recorded before N is written to the chip. */
export interface LedgerReservation {
  sn: number;
  uid: string;
  result: 'reserved';
  time: string;
  port?: string;
  host?: string;
}

/** A line that is not JSON (cut short); what could be salvaged from it. */
export interface DamagedLine {
  line: number;
  text: string;
  /** The serial number it names, if any: treated as used (reserved for `uid`). */
  sn: number | null;
  uid: string | null;
  /** True for the last line without a newline (a crash while writing it). */
  last: boolean;
}

/** Everything a ledger holds, whatever the backend. */
export interface LedgerContents {
  entries: LedgerEntry[];
  reservations: LedgerReservation[];
  damaged: DamagedLine[];
}

/** What a chip gets. */
export interface SerialChoice {
  sn: number;
  /** The chip had passed with this number and keeps it. */
  reprogrammed: boolean;
  /** The number was reserved for this chip earlier (a crash, or a failure after the reservation). */
  resumed?: boolean;
  /** With renumber: the number it had before. */
  renumberedFrom?: number;
}

export interface ReserveRequest {
  uid: string;
  renumber: boolean;
  port: string;
  host: string;
}

/** Where a ledger stands, for the start-up line. */
export interface LedgerStatus {
  entries: number;
  /** The number the next new chip gets (null: none left). */
  next: number | null;
  /** Cut-off lines (file ledgers only). */
  damaged: DamagedLine[];
}

/** A ledger open for a production run: one per process, shared by its stations. */
export interface Ledger {
  /** Where it is, for messages: a path, or the URL without its password. */
  readonly location: string;
  readonly kind: 'file' | 'postgres';
  status(): Promise<LedgerStatus>;
  /**
   * The number for a chip: its own if it has one (unless renumber), else a new one, reserved
   * durably before this resolves.
   */
  reserve(request: ReserveRequest): Promise<SerialChoice>;
  /** Records an attempt durably. */
  append(entry: LedgerEntry): Promise<void>;
  /** The number the next new chip would get, or null. */
  next(): Promise<number | null>;
  close(): Promise<void>;
}

/**
 * The ledger cannot be read or written (disk, database): the run stops, since a board must never
 * be written without its record.
 */
export class LedgerError extends LtobmsError {
  constructor(message: string, options: ConstructorParameters<typeof LtobmsError>[1]) {
    super(message, options);
    this.name = 'LedgerError';
  }
}

const UID_RE = /^[0-9a-f]{20}$/;

function isSerial(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_SERIAL;
}

/** Checks one parsed record (attempt or reservation); returns it or why it is not one. */
export function checkRecord(value: unknown): LedgerEntry | LedgerReservation | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const e = value as Record<string, unknown>;
  if (e.result !== 'ok' && e.result !== 'failed' && e.result !== 'reserved') return 'result is neither "ok", "failed" nor "reserved"';
  if (e.sn !== null && !isSerial(e.sn)) return 'sn is not a number 0–65535';
  if (e.uid !== null && !(typeof e.uid === 'string' && UID_RE.test(e.uid))) return 'uid is not 20 hex digits';
  if (e.result !== 'failed' && (e.sn === null || e.uid === null)) return `an ${e.result} entry needs sn and uid`;
  if (typeof e.time !== 'string' || Number.isNaN(Date.parse(e.time))) return 'time is not an ISO date';
  if (e.result === 'reserved') return value as LedgerReservation;
  const fw = e.firmware as Record<string, unknown> | undefined;
  if (typeof fw !== 'object' || fw === null || typeof fw.file !== 'string' || typeof fw.sha256 !== 'string') return 'firmware is not {file, sha256, version}';
  if (!(CHEMISTRIES as readonly unknown[]).includes(e.chemistry)) return `chemistry is none of ${CHEMISTRIES.join(', ')}`;
  if (e.step !== undefined && !(LEDGER_STEPS as readonly unknown[]).includes(e.step)) return `step ${JSON.stringify(e.step)} is unknown`;
  return value as LedgerEntry;
}

/** True for a ledger named by a PostgreSQL URL rather than a file path. */
export function isPostgresLedger(spec: string): boolean {
  return /^postgres(ql)?:\/\//i.test(spec);
}
