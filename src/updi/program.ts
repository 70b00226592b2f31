/**
 * The executor: runs a plan (erase, page writes, fuse writes, verify) and reads memories, reporting
 * every memory operation through one progress reporter (see progress.ts). Recovery lives here and
 * only here: a transfer that fails with a recoverable error (timeout, bad echo, NACK, lost link) is
 * retried after a double BREAK and resynchronisation, a bounded number of times; a verify mismatch
 * rewrites the page once more and then is reported with the first differing address. Never prints.
 */
import { throwIfAborted } from '../errors.js';
import { NVM_CMD, NVM_STATUS } from './constants.js';
import { UpdiError } from './errors.js';
import { hex } from '../util/hex.js';
import { TinyNvm, type ReadBack } from './nvm.js';
import type { UpdiSession } from './session.js';
import { requireDevice, requirePart } from './devices.js';
import { DATA_SPACE, type DeviceInfo } from '../part/tinyavr2.js';
import type { PagedMemory, PlannedPage, PlanMemory, ProgramPlan, VerifyRange } from './plan.js';
import { firstDifference, subtractCovered, verifyError } from './compare.js';
import type { MemoryName } from './memory-names.js';
import { READ_CHUNK } from './memory.js';
import { ProgressReporter, type Operation, type Phase, type PhaseResult, type ProgressEvent } from './progress.js';

const NVM_BUSY = NVM_STATUS.FBUSY | NVM_STATUS.EEBUSY;
/** The smallest chunk a read shrinks to after failures (a flash page). */
const MIN_READ_CHUNK = 64;
/**
 * Attempts per page or read chunk after the first. Three were sometimes too few: bench:updi-faults (drop, corrupt, delay 0.0005 each per byte),
 * seeds 1–150: 147 of 150 flashes succeeded with 3, all 150 with 5 (0 silent corruptions either
 * way), for 1 % more virtual time over the 150. The price: a target that stops answering
 * altogether is reported after two more resynchronisations; a port that goes away is not retried.
 */
const DEFAULT_RETRIES = 5;
/** Pipelined page writes whose timing guess is checked by a status read before it is trusted. */
const TIMING_CHECKS = 2;

/**
 * How pages are streamed (see writePages); the mode only moves forward.
 * - probing: pipelined (each write reads back the page before it, no status poll), and after each
 *   of the first writes a status read checks the guess that the read-back outlasts the programming;
 * - pipelined: the guess held;
 * - polled: the guess failed (a wire faster than its baud rate says, such as a target model
 *   without pacing): still each write reads back the page before it, and ends with a status read,
 *   polled until the controller is ready — one bus turnaround per page plus the polls;
 * - careful: status poll after every page and a read-back of the page itself, after a read-back
 *   that differed (a lost byte) or a failed transfer.
 */
type PageMode = { kind: 'probing'; checksLeft: number } | { kind: 'pipelined' } | { kind: 'polled' } | { kind: 'careful' };

export interface ProgramResult {
  device: string;
  phases: PhaseResult[];
  retries: number;
  /** Bytes written per memory. */
  written: Record<PlanMemory, number>;
  verified: number;
  /**
   * How pages were streamed: 'pipelined' (each write also reads back the previous page, no status
   * polls), 'polled' (the same, with a status poll after each write: the wire was faster than its
   * baud rate) or 'careful' (status poll and read-back per page, after a read-back that differed or
   * a failed transfer).
   */
  pageMode: 'pipelined' | 'polled' | 'careful';
}

export interface ExecutorOptions {
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
  /** Attempts per page / chunk after a recoverable failure (default {@link DEFAULT_RETRIES}). */
  maxRetries?: number;
  /** The part the user named (-p): identify() refuses any other signature. */
  part?: DeviceInfo;
}

/** Where each memory sits in data space, for a device. */
export function memoryWindow(device: DeviceInfo, memory: MemoryName): { address: number; size: number } {
  switch (memory) {
    case 'flash':
      return { address: device.flashBase, size: device.flashSize };
    case 'eeprom':
      return { address: device.eepromBase, size: device.eepromSize };
    case 'fuses':
      return { address: device.fuseBase, size: device.fuseCount };
    case 'userrow':
      return { address: device.userRowBase, size: device.userRowSize };
    case 'lock':
      return { address: device.lockAddress, size: 1 };
    case 'sigrow':
      return { address: device.sigrowBase, size: 64 };
  }
}

export class Programmer {
  readonly nvm: TinyNvm;
  retries = 0;
  /** Pages and fuses written again by a verify (each may have disturbed another: see verifyAfterWriting). */
  private rewrites = 0;
  private readonly progress: ProgressReporter;
  private readonly maxRetries: number;
  private readonly signal: AbortSignal | undefined;
  private readonly expectedPart: DeviceInfo | undefined;
  private mode: PageMode = { kind: 'probing', checksLeft: TIMING_CHECKS };
  /**
   * The NVM controller may still be busy, or hold WRERROR from a failed attempt: the next careful
   * write waits for it to settle first.
   */
  private settleFirst = false;

  constructor(
    readonly session: UpdiSession,
    options: ExecutorOptions = {},
  ) {
    this.nvm = new TinyNvm(session.link, { clock: session.clock });
    this.progress = new ProgressReporter(session.clock, options.onProgress);
    this.maxRetries = options.maxRetries ?? DEFAULT_RETRIES;
    this.signal = options.signal;
    this.expectedPart = options.part;
  }

  /** Reads the signature and returns the device (SIGNATURE error if unknown). */
  async identify(): Promise<DeviceInfo> {
    this.session.doing('reading the signature');
    // A signature no part has (00 00 00 after a byte lost on the way in) is read once more after a resync.
    return this.withRetry({ phase: 'read', memory: 'sigrow', address: DATA_SPACE.SIGROW }, async () => {
      const signature = await this.session.readSignature();
      try {
        return requireDevice(signature);
      } catch (err) {
        if (this.signatureReread) throw err;
        this.signatureReread = true;
        throw new UpdiError('TIMEOUT', (err as Error).message, { cause: err });
      }
    }).then((device) => requirePart(device, this.expectedPart));
  }

  /** Chip erase; a locked part is unlocked with the CHIPERASE key (which erases it). */
  async chipErase(): Promise<{ wasLocked: boolean }> {
    return (await this.eraseChip()).value;
  }

  /**
   * Runs a plan; verifies unless `verify` is false. Written pages are read back while the
   * controller programs them (see TinyNvm.writePage); verify ranges no page covered (pages left
   * out because they are already erased) are read afterwards.
   */
  async program(plan: ProgramPlan, options: { verify?: boolean } = {}): Promise<ProgramResult> {
    const verify = options.verify !== false;
    const phases: PhaseResult[] = [];
    const retriesBefore = this.retries;
    if (plan.chipErase) phases.push((await this.eraseChip()).result);
    let verified = 0;
    const covered: { address: number; length: number }[] = [];
    for (const memory of ['flash', 'eeprom', 'userrow'] as const) {
      const pages = plan.pages.filter((p) => p.memory === memory);
      if (!pages.length) continue;
      phases.push(await this.writePages(memory, pages, verify));
      if (verify) {
        const bytes = pages.reduce((n, p) => n + p.write.data.length, 0);
        verified += bytes;
        for (const p of pages) covered.push({ address: p.write.address, length: p.write.data.length });
        phases.push(this.progress.verifiedWhileWriting(memory, bytes));
      }
    }
    if (plan.fuses.length) phases.push(await this.writeFuses(plan));
    if (verify) verified = await this.verifyAfterWriting(plan, covered, retriesBefore, verified, phases);
    const pageMode = this.mode.kind === 'careful' || this.mode.kind === 'polled' ? this.mode.kind : 'pipelined';
    return { device: plan.device, phases, retries: this.retries, written: { ...plan.bytes }, verified, pageMode };
  }

  /**
   * The verify after the writes: the ranges no page's read-back covered — or, after any fault, all
   * of them, since a byte the target misread may have changed what was already checked. A pass
   * that had to rewrite something may have disturbed what it had checked before (a page write
   * whose pointer was lost commits to the page written before it): the whole verify runs again,
   * until a pass reads everything back equal without rewriting anything (at most `maxRetries`
   * more passes, then a VERIFY error). Reads cannot change memory; a failed read is only retried.
   * Returns the bytes verified.
   */
  private async verifyAfterWriting(plan: ProgramPlan, covered: { address: number; length: number }[], retriesBefore: number, verifiedWhileWriting: number, phases: PhaseResult[]): Promise<number> {
    let full = this.retries > retriesBefore;
    let verified = verifiedWhileWriting;
    for (let pass = 1; ; pass++) {
      const before = this.rewrites;
      let bytes = 0;
      for (const memory of ['flash', 'eeprom', 'userrow', 'fuses'] as const) {
        const all = plan.verify.filter((r) => r.memory === memory);
        const ranges = full ? all : subtractCovered(all, covered);
        if (!ranges.length) continue;
        const result = await this.verifyRanges(memory, ranges, plan);
        bytes += result.bytes;
        phases.push(result);
      }
      verified = full ? bytes : verified + bytes;
      if (this.rewrites === before) return verified;
      if (pass > this.maxRetries) {
        throw new UpdiError('VERIFY', `verify failed: after ${pass} passes over everything written, each one still had to rewrite something (${this.retries - retriesBefore} retries in all)`, {
          hint: 'check the UPDI wiring and the adapter (a shorter cable, a lower --baud), then run the command again',
        });
      }
      full = true;
    }
  }

  /** Reads `length` bytes of a memory from `offset`, with progress and retries. */
  async readMemory(device: DeviceInfo, memory: MemoryName, offset = 0, length?: number): Promise<Uint8Array> {
    const win = memoryWindow(device, memory);
    const n = length ?? win.size - offset;
    const read = await this.progress.run('read', memory, n, (op) => this.readRange({ phase: 'read', memory, address: win.address + offset, length: n }, op));
    return read.value;
  }

  private eraseChip() {
    return this.progress.run('erase', 'chip', 0, async () => {
      this.session.doing('erasing the chip');
      const wasLocked = !this.session.progMode && (await this.session.isLocked());
      if (wasLocked) await this.session.unlockWithChipErase();
      else {
        if (!this.session.progMode) await this.session.enterProgMode();
        // Erasing twice is harmless: a byte lost around the erase is retried after a resync.
        await this.withRetry({ phase: 'erase', memory: 'chip', address: 0 }, () => this.nvm.chipErase());
      }
      return { wasLocked };
    });
  }

  /**
   * Streams pages. With `verify`, each page's write also reads back the page written before it
   * (so every page is read after the next one was loaded and committed: whatever the guess about
   * the controller's timing, a disturbed page shows). Pages go top-down: after a page's data the
   * pointer stands at the page above, the one to read back, which saves a pointer store per page.
   * A read-back that differs switches to careful mode — status poll after every page, read-back
   * of the page itself — and the page is redone.
   */
  private async writePages(memory: PagedMemory, pages: PlannedPage[], verify: boolean): Promise<PhaseResult> {
    const total = pages.reduce((n, p) => n + p.write.data.length, 0);
    const written = await this.progress.run('program', memory, total, async (op) => {
      let done = 0;
      const progress = (page: PlannedPage) => {
        done += page.write.data.length;
        op.progress(done);
      };
      const redo: PlannedPage[] = [];
      await this.withRetry({ phase: 'program', memory, address: pages[0]!.write.address }, () => this.nvm.waitReady(`before writing ${memory}`));
      let pending: PlannedPage | undefined;
      for (const page of verify ? [...pages].reverse() : pages) {
        throwIfAborted(this.signal);
        this.session.doing(`writing ${memory} page ${hex(page.offset)}`);
        if (!verify) {
          await this.withRetry({ phase: 'program', memory, address: page.write.address, onFailure: () => this.nvm.reset() }, () => this.nvm.writePage(page.write));
        } else if (this.mode.kind === 'careful') {
          await this.writeCarefully(page);
        } else {
          const previous = pending;
          let got: Uint8Array | undefined;
          try {
            got = await this.nvm.writePage(page.write, previous && readBackOf(previous), { poll: this.mode.kind === 'polled' });
            if (this.mode.kind === 'probing') await this.checkTiming(memory, page);
          } catch (err) {
            if (!(err instanceof UpdiError) || !err.recoverable) throw err;
            // A transfer failed somewhere in this write: resynchronise, redo both pages carefully.
            const scope = { phase: 'program' as const, memory, address: page.write.address };
            this.noteRetry(scope, 1, err.message);
            await this.resyncOrThrow(scope, err, 1);
            this.afterFault();
            if (previous) redo.push(previous);
            // The failed write may have committed part of the page.
            await this.writeCarefully(page, { erase: true });
            pending = undefined;
            progress(page);
            continue;
          }
          if (previous && got && firstDifference(previous.write.data, got) >= 0) {
            // A byte lost or damaged on the way (or the timing guess wrong): redo that page.
            this.afterFault();
            redo.push(previous);
          }
          else this.faultsInARow = 0;
          pending = page;
        }
        progress(page);
      }
      if (pending) {
        const last = pending;
        const got = await this.withRetry({ phase: 'verify', memory, address: last.write.address }, async () => {
          await this.nvm.waitReady(`after writing ${memory}`);
          return this.session.memory.read(last.write.address, last.write.data.length);
        });
        if (firstDifference(last.write.data, got) >= 0) redo.push(last);
      }
      for (const page of redo) await this.writeCarefully(page, { redo: true });
      await this.nvm.endBulk();
    });
    return written.result;
  }

  /** Checks the guess that the read-back outlasts the programming time (probing mode). */
  private async checkTiming(memory: PagedMemory, page: PlannedPage): Promise<void> {
    if (this.mode.kind !== 'probing') return;
    const checksLeft = this.mode.checksLeft - 1;
    if ((await this.nvm.status()) & NVM_BUSY) {
      // Programming outlasts the read-back: poll after every write from here.
      this.mode = { kind: 'polled' };
      await this.nvm.waitReady(`after writing ${memory} page ${hex(page.offset)}`);
    } else this.mode = checksLeft > 0 ? { kind: 'probing', checksLeft } : { kind: 'pipelined' };
  }

  /**
   * After a failed transfer or a read-back that differed: the controller may be busy or hold
   * WRERROR, so the next careful write settles it first; pages stream on pipelined, with the
   * timing guess checked again (a fault on the wire says nothing about it, but a wrong guess
   * shows in the check). `careful` stays for good once faults come thick (several in a row).
   */
  private afterFault(): void {
    this.nvm.reset();
    this.settleFirst = true;
    this.faultsInARow++;
    if (this.mode.kind === 'careful' || this.faultsInARow >= 3) this.mode = { kind: 'careful' };
    else if (this.mode.kind !== 'polled') this.mode = { kind: 'probing', checksLeft: TIMING_CHECKS };
  }

  /** Pages written in a row since the last fault reset the count `afterFault` keeps. */
  private faultsInARow = 0;

  /** Resynchronises after `err`; a resync that fails on a bad byte is one more attempt, up to maxRetries. */
  private async resyncOrThrow(scope: RetryScope, err: UpdiError, attempt: number): Promise<number> {
    while (!(await this.resync())) {
      if (++attempt > this.maxRetries) throw err.withContext(`${scope.phase} ${scope.memory} at ${scope.where?.() ?? hex(scope.address)} (after ${attempt - 1} retries)`);
    }
    return attempt;
  }

  /** An unknown signature was read once more already. */
  private signatureReread = false;

  /**
   * Writes one page with a status poll and reads it back once the controller is idle; a transfer
   * failure or a differing read-back is redone (erase-write from a cleared buffer) a bounded
   * number of times, then reported with the first differing address. `redo`: the page's read-back
   * already differed once, so this is its first retry; `erase`: erase-write from the start.
   */
  private async writeCarefully(page: PlannedPage, options: { redo?: boolean; erase?: boolean } = {}): Promise<void> {
    const scope = { phase: 'program' as const, memory: page.memory, address: page.write.address };
    let attempt = options.redo ? 1 : 0;
    if (options.redo) this.noteRetry(scope, attempt, 'read-back differs; rewriting');
    await this.withRetry(scope, async () => {
      this.session.doing(`writing ${page.memory} page ${hex(page.offset)}`);
      // A page that may hold anything but its erased state is erased with the write: a plain
      // page write only clears bits, so over other data it leaves the AND of both.
      const write = attempt > 0 || options.erase ? { ...page.write, command: NVM_CMD.ERWP } : page.write;
      if (attempt > 0 || this.settleFirst) {
        this.nvm.reset();
        await this.nvm.settle(`before writing ${hex(write.address)}`);
        this.settleFirst = false;
      }
      attempt++;
      await this.nvm.writePage(write);
      let got = await this.session.memory.read(write.address, write.data.length);
      // A byte damaged on its way back is not a bad page: read once more before rewriting.
      if (firstDifference(write.data, got) >= 0) got = await this.session.memory.read(write.address, write.data.length);
      this.nvm.reset();
      const at = firstDifference(write.data, got);
      if (at >= 0) throw verifyError({ memory: page.memory, offset: page.offset + at, address: write.address + at, expected: write.data[at]!, actual: got[at]! });
    });
  }

  private async writeFuses(plan: ProgramPlan): Promise<PhaseResult> {
    const written = await this.progress.run('program', 'fuses', plan.fuses.length, async (op) => {
      let done = 0;
      for (const f of plan.fuses) {
        throwIfAborted(this.signal);
        this.session.doing(`writing fuse ${hex(f.address)}`);
        await this.withRetry({ phase: 'program', memory: 'fuses', address: f.address }, () => this.nvm.writeFuse(f.address, f.value));
        op.progress(++done);
      }
    });
    return written.result;
  }

  /**
   * Reads the ranges back and compares. Where a byte differs, the page (or fuse) holding it is
   * read once more — a byte damaged on its way back is not a bad page — and only if it differs
   * again is it rewritten (careful mode, which checks its own read-back) or, for fuses, written
   * again; still wrong after the bounded attempts is a VERIFY error with the first differing address.
   */
  private async verifyRanges(memory: PlanMemory, ranges: VerifyRange[], plan: ProgramPlan): Promise<PhaseResult> {
    const total = ranges.reduce((n, r) => n + r.expected.length, 0);
    const checked = await this.progress.run('verify', memory, total, async (op) => {
      let before = 0;
      for (const range of ranges) {
        const got = await this.readRange({ phase: 'verify', memory, address: range.address, length: range.expected.length }, op, before);
        let at = firstDifference(range.expected, got);
        while (at >= 0) {
          const address = range.address + at;
          const unit = this.unitAt(memory, address, plan, range);
          await this.settleUnit(memory, unit, range, plan);
          // Continue after the unit just settled.
          const next = unit.address + unit.length - range.address;
          const rest = firstDifference(range.expected.subarray(next), got.subarray(next));
          at = rest < 0 ? -1 : next + rest;
        }
        before += range.expected.length;
      }
    });
    return checked.result;
  }

  /** The smallest thing that can be rewritten around a differing address: its page, or the fuse. */
  private unitAt(memory: PlanMemory, address: number, plan: ProgramPlan, range: VerifyRange): { address: number; length: number; page?: PlannedPage } {
    const page = plan.pages.find((p) => p.memory === memory && address >= p.write.address && address < p.write.address + p.write.data.length);
    if (page) return { address: page.write.address, length: page.write.data.length, page };
    if (memory === 'fuses') return { address, length: 1 };
    // A page left out of the plan (already erased): its bytes can only be read again.
    const size = memory === 'flash' ? 64 : 32;
    const start = Math.max(range.address, address - ((address - range.address) % size));
    return { address: start, length: Math.min(size, range.address + range.expected.length - start) };
  }

  private async settleUnit(memory: PlanMemory, unit: { address: number; length: number; page?: PlannedPage }, range: VerifyRange, plan: ProgramPlan): Promise<void> {
    const expected = range.expected.subarray(unit.address - range.address, unit.address - range.address + unit.length);
    for (let attempt = 1; ; attempt++) {
      const again = await this.withRetry({ phase: 'verify', memory, address: unit.address }, () => this.session.memory.read(unit.address, unit.length));
      const at = firstDifference(expected, again);
      if (at < 0) return;
      const offset = range.offset + (unit.address - range.address) + at;
      const err = verifyError({ memory, offset, address: unit.address + at, expected: expected[at]!, actual: again[at]! });
      const fuse = memory === 'fuses' ? plan.fuses.find((f) => f.address === unit.address) : undefined;
      if (attempt > this.maxRetries || (!unit.page && !fuse)) {
        throw err;
      }
      this.noteRetry({ phase: 'verify', memory, address: unit.address + at }, attempt, 'read-back differs; rewriting');
      this.rewrites++;
      this.settleFirst = true;
      if (unit.page) {
        await this.writeCarefully(unit.page, { erase: true });
        await this.nvm.endBulk();
      } else if (fuse) await this.withRetry({ phase: 'program', memory: 'fuses', address: fuse.address }, () => this.nvm.writeFuse(fuse.address, fuse.value));
    }
  }

  /**
   * Reads a data-space range chunk by chunk into one operation's progress (`before`: bytes of the
   * operation done before this range); after a recoverable failure resumes where it stopped.
   */
  private async readRange(range: { phase: Phase; memory: string; address: number; length: number }, op: Operation, before = 0): Promise<Uint8Array> {
    const out = new Uint8Array(range.length);
    let done = 0;
    let lastFailureAt = -1;
    // Each failure at the same place halves the chunk, down to a page: at a high error rate a
    // 512-byte answer rarely comes through whole, a 64-byte one mostly does.
    let chunk = READ_CHUNK;
    await this.withRetry(
      {
        ...range,
        where: () => hex(range.address + done),
        progressed: () => {
          const moved = done > lastFailureAt;
          chunk = moved ? READ_CHUNK / 2 : Math.max(MIN_READ_CHUNK, chunk / 2);
          lastFailureAt = done;
          return moved;
        },
      },
      async () => {
        throwIfAborted(this.signal);
        const start = done;
        this.session.doing(`${range.phase === 'verify' ? 'verifying' : 'reading'} ${range.memory} at ${hex(range.address + start)}`);
        await this.session.memory.readInto(
          range.address + start,
          out.subarray(start),
          (n) => {
            done = start + n;
            op.progress(before + done);
          },
          chunk,
        );
      },
    );
    return out;
  }

  /**
   * Runs `op`; on a recoverable UpdiError runs it again, at most `maxRetries` more times — after a
   * resynchronisation (double BREAK) unless the failure was a read-back mismatch, which says nothing
   * about the link. Anything else, or running out of attempts, is thrown with context.
   */
  private async withRetry<T>(scope: RetryScope, op: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      throwIfAborted(this.signal);
      try {
        return await op();
      } catch (err) {
        // A long read that got further than last time starts its count of attempts afresh.
        if (scope.progressed?.()) attempt = 1;
        if (!(err instanceof UpdiError) || !err.recoverable || attempt > this.maxRetries) {
          const where = scope.where?.() ?? hex(scope.address);
          throw err instanceof UpdiError ? err.withContext(`${scope.phase} ${scope.memory} at ${where}${attempt > 1 ? ` (after ${attempt - 1} retries)` : ''}`) : err;
        }
        this.noteRetry(scope, attempt, err.message);
        scope.onFailure?.();
        this.nvm.reset();
        // A resync that fails on a bad byte counts as one more failed attempt, not as the end.
        if (err.updiCode !== 'VERIFY') attempt = await this.resyncOrThrow(scope, err, attempt);
      }
    }
  }

  /** Double BREAK and resynchronisation; false when a recoverable failure got in the way. */
  private async resync(): Promise<boolean> {
    try {
      await this.session.recover();
      return true;
    } catch (err) {
      if (err instanceof UpdiError && err.recoverable) return false;
      throw err;
    }
  }

  private noteRetry(at: { phase: Phase; memory: string; address: number }, attempt: number, reason: string): void {
    this.retries++;
    this.progress.retry({ phase: at.phase, memory: at.memory, address: at.address, attempt, maxAttempts: this.maxRetries, reason });
  }
}

/** What a retried step is, for its retry events and its error context. */
interface RetryScope {
  phase: Phase;
  memory: string;
  address: number;
  /** Called after a failure, before the next attempt. */
  onFailure?: () => void;
  /** Where it failed, for the error message (default: `address`). */
  where?: () => string;
  /** Whether this attempt got further than the one before (then the count of attempts starts afresh). */
  progressed?: () => boolean;
}

function readBackOf(page: PlannedPage): ReadBack {
  return { address: page.write.address, length: page.write.data.length, unit: page.write.unit };
}
