/**
 * The numbering rules every ledger backend follows, as pure functions over the ledger's records.
 *
 * Numbers are handed out in increasing order, so the number a chip has now is the highest one
 * reserved for it or recorded ok with it, whatever order the records come in; and it has passed
 * with that number if an ok entry says so.
 */
import { LtobmsError, UsageError } from '../errors.js';
import { MAX_SERIAL, type LedgerContents, type SerialChoice } from './ledger.js';

/** The number a chip has in the ledger. */
export interface ChipNumber {
  sn: number;
  /** An ok entry records this chip with this number. */
  passed: boolean;
}

/**
 * What a chip gets given the number it has: the same number (`keep`), or a new one (`renumberedFrom`
 * says which it had). A number reserved but never passed is always kept: the chip may carry it.
 */
export function keepOrNew(had: ChipNumber | undefined, renumber: boolean): { keep: SerialChoice } | { renumberedFrom?: number } {
  if (had && !had.passed) return { keep: { sn: had.sn, reprogrammed: false, resumed: true } };
  if (had && !renumber) return { keep: { sn: had.sn, reprogrammed: true } };
  return had ? { renumberedFrom: had.sn } : {};
}

/** One past the highest number used, or `--start-sn` if that is higher or nothing is used. */
export function nextNumber(highest: number | undefined, startSn: number | undefined): number {
  const sn = Math.max(highest !== undefined ? highest + 1 : -1, startSn ?? -1);
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

/** The numbering state of a ledger held in memory (the file backend). No I/O. */
export class SerialBook {
  private readonly byUid = new Map<string, ChipNumber>();
  private highest: number | undefined;

  constructor(
    contents: LedgerContents,
    /** `--start-sn`: the first number of a new ledger, or a jump ahead. */
    private readonly startSn: number | undefined,
  ) {
    for (const r of contents.reservations) this.reserved(r.sn, r.uid);
    // A cut-off line may be a reservation or an ok entry whose board carries the number: never reuse it.
    for (const d of contents.damaged) {
      if (d.sn === null) continue;
      if (d.uid !== null) this.reserved(d.sn, d.uid);
      else this.highest = Math.max(this.highest ?? -1, d.sn);
    }
    for (const e of contents.entries) if (e.result === 'ok') this.passed(e.sn!, e.uid!);
  }

  /** The number the next new chip gets. */
  next(): number {
    return nextNumber(this.highest, this.startSn);
  }

  /** The number for a chip (without reserving it). */
  choose(uid: string, renumber: boolean): SerialChoice {
    const decision = keepOrNew(this.byUid.get(uid), renumber);
    if ('keep' in decision) return decision.keep;
    const sn = this.next();
    return decision.renumberedFrom !== undefined ? { sn, reprogrammed: false, renumberedFrom: decision.renumberedFrom } : { sn, reprogrammed: false };
  }

  numberOf(uid: string): ChipNumber | undefined {
    return this.byUid.get(uid);
  }

  reserved(sn: number, uid: string): void {
    this.note(sn, uid, false);
  }

  passed(sn: number, uid: string): void {
    this.note(sn, uid, true);
  }

  private note(sn: number, uid: string, passed: boolean): void {
    this.highest = Math.max(this.highest ?? -1, sn);
    const had = this.byUid.get(uid);
    if (!had || sn > had.sn) this.byUid.set(uid, { sn, passed });
    else if (sn === had.sn && passed) had.passed = true;
  }
}
