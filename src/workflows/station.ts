/**
 * The production loop of `ltobms manufacture`: wait for a board on the UPDI port (polling it),
 * program it ({@link programBoard}), write the ledger entry, wait until it is taken off, repeat.
 *
 * Several stations (one per fixture) may share one ledger and one board budget (`--count`).
 * A passed board is recorded before it is released from programming mode, so a fixture that swaps
 * boards when they are released never takes off a board the ledger does not know.
 *
 * After a failure the caller decides (`decide`): retry the same board, go on to the next, or quit.
 * Ctrl-C while waiting ends the run normally; Ctrl-C in the middle of a board ends it with that
 * board unrecorded (a number reserved for it stays with it). Reports through `onEvent`; never prints.
 */
import { performance } from 'node:perf_hooks';
import { hostname } from 'node:os';
import { InterruptedError, LtobmsError } from '../errors.js';
import { portLost, withProgrammer } from '../updi/connect.js';
import type { ProgressEvent } from '../updi/progress.js';
import { START_BAUD } from '../updi/session.js';
import { isLostPort, lostError, portNodeWatch } from '../serial/errors.js';
import { openUpdiPort } from '../serial/serialport.js';
import type { ByteStream } from '../serial/stream.js';
import type { DeviceInfo } from '../part/tinyavr2.js';
import { BoardStepError, programBoard, type BoardEvent, type BoardJob, type BoardResult } from '../production/board.js';
import { LedgerError, type Ledger, type LedgerEntry, type LedgerFirmware, type LedgerStatus, type LedgerStep } from '../production/ledger.js';
import { openLedger } from '../production/ledger-open.js';
import { KeepOpenTransport, probeBoard, type ProbeResult } from '../production/probe.js';
import type { Chemistry } from '../part/chemistry.js';

export type Decision = 'retry' | 'next' | 'quit';

export interface FailedBoard {
  uid: string | null;
  sn: number | null;
  step: LedgerStep;
  error: LtobmsError;
  attempt: number;
}

export type StationEvent =
  | { type: 'waiting'; port: string }
  | { type: 'adapter-silent'; port: string; reason: string }
  | { type: 'detected'; uid: string | null; locked: boolean }
  | { type: 'board'; event: BoardEvent }
  | { type: 'ok'; entry: LedgerEntry; result: BoardResult }
  | { type: 'failed'; entry: LedgerEntry; failure: FailedBoard }
  | { type: 'remove'; uid: string | null; ok: boolean }
  | { type: 'removed'; uid: string | null };

export interface StationSummary {
  port: string;
  ledger: string;
  /** Boards taken through the loop (a retried board counts once). */
  boards: number;
  ok: number;
  failed: number;
  /** Attempts, retries included. */
  attempts: number;
  reprogrammed: number;
  /** Serial numbers written in this run, in order. */
  serials: number[];
  failuresByStep: Partial<Record<LedgerStep, number>>;
  /** The next new chip would get this number. */
  nextSn: number | null;
  seconds: number;
  stoppedBy: 'count' | 'quit' | 'interrupt' | 'error';
  /** A board was being programmed when Ctrl-C came (not recorded). */
  interruptedBoard: boolean;
}

export interface StationOptions {
  port: string;
  baud: number;
  timeoutMs: number;
  /** The part named with -p: a board whose signature names another is a failed attempt. */
  part?: DeviceInfo;
  /** An open byte stream, left open at the end; without one the station opens (and closes) `port`. */
  transport?: ByteStream;
  job: Omit<BoardJob, 'reserve' | 'signal'>;
  /** Chips already in the ledger get a new number. */
  renumber: boolean;
  /** Shared by every station of the run. */
  ledger: Ledger;
  /** The parts of every entry that do not change from board to board. */
  entryBase: { firmware: LedgerFirmware; chemistry: Chemistry; fuses: string };
  /** Stop after this many boards (shared by the stations of a run: see {@link BoardBudget}). */
  count?: number | BoardBudget;
  /** Board polling interval, ms (default 300). */
  pollMs?: number;
  signal: AbortSignal;
  decide(failure: FailedBoard): Promise<Decision>;
  onEvent(event: StationEvent): void;
  onProgress?(event: ProgressEvent): void;
}

/** How many boards the stations of a run may still take (`--count` across several fixtures). */
export class BoardBudget {
  private taken = 0;
  constructor(readonly count: number) {}

  get exhausted(): boolean {
    return this.taken >= this.count;
  }

  /** Claims a board; false when the count is reached. */
  claim(): boolean {
    if (this.exhausted) return false;
    this.taken++;
    return true;
  }
}

export interface StationsRunInput extends Omit<StationOptions, 'port' | 'baud' | 'timeoutMs' | 'part' | 'transport' | 'ledger' | 'count' | 'decide' | 'onEvent' | 'onProgress'> {
  /** One station per adapter. */
  ports: { port: string; baud: number; timeoutMs: number; part?: DeviceInfo }[];
  /** The ledger: a file path or a postgres:// URL. */
  ledger: string;
  startSn?: number;
  /** Boards over all stations. */
  count?: number;
  decide(station: number, failure: FailedBoard): Promise<Decision>;
  onEvent(station: number, event: StationEvent): void;
  onProgress?(station: number, event: ProgressEvent): void;
  /** Once the ledger and every adapter are open, before the first board. */
  onOpen?(ledger: { location: string; status: LedgerStatus }): void;
}

export interface StationsRunResult {
  summaries: StationSummary[];
  /** The first error that stopped a station (an adapter gone, the ledger unwritable), if any. */
  failure?: unknown;
}

/**
 * A production run: open the ledger (checking that a number can be given; a file ledger is
 * created only with its first record, so a wrong port leaves nothing behind), then every adapter,
 * run one {@link Station} per adapter on the shared ledger and board count, and close everything
 * whatever happens.
 */
export async function runStations(input: StationsRunInput): Promise<StationsRunResult> {
  const ledger = await openLedger(input.ledger, input.startSn);
  const transports: ByteStream[] = [];
  try {
    const status = await ledger.status();
    for (const p of input.ports) transports.push(await openUpdiPort(p.port, Math.min(p.baud, START_BAUD)));
    input.onOpen?.({ location: ledger.location, status });
    const budget = input.count !== undefined ? new BoardBudget(input.count) : undefined;
    const stations = input.ports.map(
      (p, i) =>
        new Station({
          ...input,
          ...p,
          transport: transports[i],
          ledger,
          count: budget,
          decide: (failure) => input.decide(i, failure),
          onEvent: (event) => input.onEvent(i, event),
          onProgress: input.onProgress ? (event) => input.onProgress!(i, event) : undefined,
        }),
    );
    const outcomes = await Promise.allSettled(stations.map((s) => s.run()));
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    return { summaries: stations.map((s) => s.summary), ...(failed ? { failure: failed.reason } : {}) };
  } finally {
    await ledger.close();
    for (const t of transports) await t.close().catch(() => undefined);
  }
}

/** Probes in a row that must agree before a board counts as inserted or removed. */
const CONFIRM = 2;
/** Every this many silent probes, start with a double BREAK (a UPDI stuck in its error state). */
const BREAK_EVERY = 10;

export class Station {
  readonly summary: StationSummary;
  private readonly t0 = performance.now();
  private transport: KeepOpenTransport | undefined;
  private silentProbes = 0;
  /** Why the port went away, once it has (the stream's end, or its device node gone). */
  private lostReason: string | undefined;
  /** Whether the port's device node (or link) has gone since the run started. */
  private nodeGone: () => string | undefined = () => undefined;
  private readonly budget: BoardBudget | undefined;
  private readonly host = hostname();

  constructor(private readonly o: StationOptions) {
    this.budget = typeof o.count === 'number' ? new BoardBudget(o.count) : o.count;
    this.summary = {
      port: o.port,
      ledger: o.ledger.location,
      boards: 0,
      ok: 0,
      failed: 0,
      attempts: 0,
      reprogrammed: 0,
      serials: [],
      failuresByStep: {},
      nextSn: null,
      seconds: 0,
      stoppedBy: 'interrupt',
      interruptedBoard: false,
    };
  }

  /** Runs until --count, quit, Ctrl-C or a fatal error (thrown after the summary is final). */
  async run(): Promise<StationSummary> {
    const { signal } = this.o;
    try {
      const inner = this.o.transport ?? (await openUpdiPort(this.o.port, Math.min(this.o.baud, START_BAUD)));
      this.transport = new KeepOpenTransport(inner);
      this.nodeGone = portNodeWatch(this.o.port);
      inner.onEnd((reason) => (this.lostReason ??= reason));
      let previous: string | null | undefined;
      while (!signal.aborted) {
        if (this.budget?.exhausted) {
          this.summary.stoppedBy = 'count';
          break;
        }
        const board = await this.waitForBoard(previous);
        if (!board) {
          if (this.budget?.exhausted) this.summary.stoppedBy = 'count';
          break;
        }
        if (this.budget && !this.budget.claim()) {
          this.summary.stoppedBy = 'count'; // another station took the last board
          break;
        }
        const { quit, uid } = await this.handleBoard();
        previous = uid ?? board.uid;
        this.summary.boards++;
        if (quit) {
          this.summary.stoppedBy = 'quit';
          break;
        }
      }
    } catch (err) {
      if (err instanceof InterruptedError || signal.aborted) {
        this.summary.stoppedBy = 'interrupt';
        this.summary.interruptedBoard = true;
      } else {
        this.summary.stoppedBy = 'error';
        throw err;
      }
    } finally {
      this.summary.seconds = (performance.now() - this.t0) / 1000;
      this.summary.nextSn = await this.o.ledger.next().catch(() => null);
      if (!this.o.transport) await this.transport?.inner.close().catch(() => undefined);
    }
    return this.summary;
  }

  /**
   * Waits until the board `previous` (if any) is gone and a board is there; returns what the
   * probe saw, or undefined on Ctrl-C.
   */
  private async waitForBoard(previous: string | null | undefined): Promise<Extract<ProbeResult, { present: true }> | undefined> {
    const { signal } = this.o;
    if (previous !== undefined) {
      let absent = 0;
      while (!signal.aborted) {
        if (this.budget?.exhausted) return undefined; // the other stations took the last boards
        const seen = await this.probe(previous === null ? 'waiting for the board to be taken off' : `waiting for board ${previous} to be taken off`);
        if (!seen.present) absent++;
        else if (previous !== null && seen.uid !== previous) break; // swapped already: a new board
        else absent = 0;
        if (absent >= CONFIRM) break;
        await this.sleep();
      }
      if (signal.aborted) return undefined;
      this.o.onEvent({ type: 'removed', uid: previous });
    }
    this.o.onEvent({ type: 'waiting', port: this.o.port });
    let last: ProbeResult | undefined;
    let agree = 0;
    let warned = false;
    while (!signal.aborted) {
      if (this.budget?.exhausted) return undefined;
      const seen = await this.probe('waiting for a board');
      if (seen.present) {
        agree = last?.present && last.uid === seen.uid ? agree + 1 : 1;
        if (agree >= CONFIRM) {
          this.o.onEvent({ type: 'detected', uid: seen.uid, locked: seen.locked });
          return seen;
        }
      } else {
        agree = 0;
        if (seen.noEcho && !warned) {
          warned = true;
          this.o.onEvent({ type: 'adapter-silent', port: this.o.port, reason: seen.reason });
        }
      }
      last = seen;
      await this.sleep();
    }
    return undefined;
  }

  /** `activity`: what the station was doing, named if the adapter goes away during the probe. */
  private async probe(activity: string): Promise<ProbeResult> {
    const doubleBreak = this.silentProbes > 0 && this.silentProbes % BREAK_EVERY === 0;
    let seen: ProbeResult;
    try {
      seen = await probeBoard(this.transport!, { baud: this.o.baud, timeoutMs: Math.min(this.o.timeoutMs, 100), doubleBreak });
    } catch (err) {
      throw isLostPort(err) ? portLost(this.o.port, activity, err) : err;
    }
    this.silentProbes = seen.present ? 0 : this.silentProbes + 1;
    return seen;
  }

  /** Programs the board on the fixture until it passes or the operator moves on. */
  private async handleBoard(): Promise<{ quit: boolean; uid: string | null }> {
    for (let attempt = 1; ; attempt++) {
      this.summary.attempts++;
      const t0 = performance.now();
      try {
        const { result, entry } = await this.programOnce(t0);
        this.summary.ok++;
        if (result.choice.reprogrammed) this.summary.reprogrammed++;
        this.summary.serials.push(result.choice.sn);
        this.o.onEvent({ type: 'ok', entry, result });
        this.o.onEvent({ type: 'remove', uid: result.uid, ok: true });
        return { quit: false, uid: result.uid };
      } catch (caught) {
        if (caught instanceof InterruptedError || caught instanceof LedgerError || this.o.signal.aborted) throw caught;
        const err = this.adapterGone(caught);
        const failure = toFailure(err, attempt);
        const entry = this.entry({
          sn: failure.sn,
          uid: failure.uid,
          result: 'failed',
          step: failure.step,
          error: failure.error.message,
          code: failure.error.code,
          ms: Math.round(performance.now() - t0),
        });
        await this.o.ledger.append(entry);
        this.summary.failed++;
        this.summary.failuresByStep[failure.step] = (this.summary.failuresByStep[failure.step] ?? 0) + 1;
        this.o.onEvent({ type: 'failed', entry, failure });
        // The adapter is gone: nothing to retry or go on with; the station ends with that error.
        if (isLostPort(err)) throw err;
        const decision = await this.o.decide(failure);
        if (decision === 'retry' && !this.o.signal.aborted) continue;
        this.o.onEvent({ type: 'remove', uid: failure.uid, ok: false });
        return { quit: decision === 'quit', uid: failure.uid };
      }
    }
  }

  /**
   * A board attempt that failed some other way (no answer, a timeout) just as the adapter went
   * away failed because of the adapter: the station then ends with one error naming the port,
   * instead of counting a board failure and waiting for the next board on a port that is gone.
   * The stream may learn of the hang-up a moment after the read that timed out, so the port's
   * device node is looked at too.
   */
  private adapterGone(err: unknown): unknown {
    if (isLostPort(err)) return err;
    const reason = this.lostReason ?? this.nodeGone();
    if (reason === undefined) return err;
    const step = err instanceof BoardStepError ? err : undefined;
    const lost = portLost(this.o.port, step ? `programming board ${step.uid ?? 'on the fixture'} (${step.step})` : 'connecting to the board', lostError(this.o.port, reason));
    return step ? new BoardStepError(step.step, step.uid, step.sn, lost) : lost;
  }

  /** Programs the board and records it as passed, both before it leaves programming mode. */
  private async programOnce(t0: number): Promise<{ result: BoardResult; entry: LedgerEntry }> {
    const transport = this.transport!;
    await transport.setBaud(Math.min(this.o.baud, START_BAUD));
    const { ledger, renumber, signal } = this.o;
    const reserve = (uid: string) => ledger.reserve({ uid, renumber, port: this.o.port, host: this.host });
    return withProgrammer({ port: this.o.port, baud: this.o.baud, timeoutMs: this.o.timeoutMs, part: this.o.part, transport, signal, onProgress: this.o.onProgress }, async (p) => {
      const result = await programBoard(p, { ...this.o.job, reserve, signal }, (event) => this.o.onEvent({ type: 'board', event }));
      const entry = this.entry({
        sn: result.choice.sn,
        uid: result.uid,
        result: 'ok',
        eeprom: Buffer.from(result.eeprom).toString('hex'),
        ...(result.choice.reprogrammed ? { reprogrammed: true } : {}),
        ...(result.choice.renumberedFrom !== undefined ? { renumberedFrom: result.choice.renumberedFrom } : {}),
        ms: Math.round(performance.now() - t0),
      });
      await ledger.append(entry);
      return { result, entry };
    });
  }

  private entry(fields: Pick<LedgerEntry, 'sn' | 'uid' | 'result'> & Partial<LedgerEntry>): LedgerEntry {
    const { sn, uid, result, ...rest } = fields;
    return { sn, uid, result, time: new Date().toISOString(), ...this.o.entryBase, ...rest, port: this.o.port, host: this.host };
  }

  private sleep(): Promise<void> {
    const ms = this.o.pollMs ?? 300;
    const signal = this.o.signal;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

function toFailure(err: unknown, attempt: number): FailedBoard {
  if (err instanceof BoardStepError) {
    const original = err.original instanceof LtobmsError ? err.original : err;
    return { uid: err.uid, sn: err.sn, step: err.step, error: original, attempt };
  }
  // The port went away mid-board: the step it was in, with the error that names what was in progress.
  const step = err instanceof LtobmsError && err.cause instanceof BoardStepError ? err.cause : undefined;
  if (step && err instanceof LtobmsError) return { uid: step.uid, sn: step.sn, step: step.step, error: err, attempt };
  // Connecting failed before any step ran (the board went away, or the link does not come up).
  const error = err instanceof LtobmsError ? err : new LtobmsError(err instanceof Error ? err.message : String(err), { code: 'MANUFACTURE_FAILED' });
  return { uid: null, sn: null, step: 'detect', error, attempt };
}
