/**
 * The executor: runs a plan (erase, page writes, fuse writes, verify) and reads memories, reporting
 * through one `onProgress(event)` callback. Recovery lives here and only here: a transfer that fails
 * with a recoverable error (timeout, bad echo, NACK, lost link) is retried after a double BREAK and
 * resynchronisation, a bounded number of times; a verify mismatch rewrites the page once more and
 * then is reported with the first differing address. Never prints.
 */
import { throwIfAborted } from '../errors.js';
import { NVM_CMD, NVM_STATUS } from './constants.js';

const NVM_BUSY = NVM_STATUS.FBUSY | NVM_STATUS.EEBUSY;
import { UpdiError } from './errors.js';
import { hex, hex2 } from '../util/hex.js';
import { TinyNvm, type ReadBack } from './nvm.js';
import type { UpdiSession } from './session.js';
import type { Clock } from '../util/clock.js';
import { requireDevice } from './devices.js';
import { DATA_SPACE, type DeviceInfo } from '../part/tinyavr2.js';
import type { PlannedPage, PlanMemory, ProgramPlan, VerifyRange } from './plan.js';

export type Phase = 'erase' | 'program' | 'verify' | 'read';
export type MemoryName = 'flash' | 'eeprom' | 'fuses' | 'userrow' | 'lock' | 'sigrow';

export type ProgressEvent =
  | { type: 'started'; phase: Phase; memory: string; totalBytes: number }
  | { type: 'progress'; phase: Phase; memory: string; bytes: number; totalBytes: number; elapsedMs: number }
  | { type: 'finished'; phase: Phase; memory: string; bytes: number; elapsedMs: number }
  | { type: 'failed'; phase: Phase; memory: string; error: Error }
  | { type: 'retry'; phase: Phase; memory: string; address: number; attempt: number; maxAttempts: number; reason: string };

export interface PhaseResult {
  phase: Phase;
  memory: string;
  bytes: number;
  ms: number;
}

export interface ProgramResult {
  device: string;
  phases: PhaseResult[];
  retries: number;
  /** Bytes written per memory. */
  written: Record<PlanMemory, number>;
  verified: number;
  /**
   * How pages were streamed: 'pipelined' (each write also reads back the previous page, no status
   * polls) or 'careful' (status poll and read-back per page, after a doubt about the timing).
   */
  pageMode: 'pipelined' | 'careful';
}

export interface ExecutorOptions {
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
  /** Attempts per page / chunk after a recoverable failure (default 3). */
  maxRetries?: number;
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
  private readonly clock: Clock;
  private readonly emit: (e: ProgressEvent) => void;
  private readonly maxRetries: number;
  private readonly signal: AbortSignal | undefined;

  constructor(
    readonly session: UpdiSession,
    options: ExecutorOptions = {},
  ) {
    this.clock = session.clock;
    this.nvm = new TinyNvm(session.link, { clock: this.clock });
    this.emit = options.onProgress ?? (() => undefined);
    this.maxRetries = options.maxRetries ?? 3;
    this.signal = options.signal;
  }

  /** Reads the signature and returns the device (SIGNATURE error if unknown). */
  async identify(): Promise<DeviceInfo> {
    this.session.doing('reading the signature');
    return requireDevice(await this.withRetry('read', 'sigrow', DATA_SPACE.SIGROW, () => this.session.readSignature()));
  }

  /** Chip erase; a locked part is unlocked with the CHIPERASE key (which erases it). */
  async chipErase(): Promise<{ wasLocked: boolean }> {
    const t0 = this.clock.now();
    this.emit({ type: 'started', phase: 'erase', memory: 'chip', totalBytes: 0 });
    this.session.doing('erasing the chip');
    const wasLocked = !this.session.progMode && (await this.session.isLocked());
    if (wasLocked) await this.session.unlockWithChipErase();
    else {
      if (!this.session.progMode) await this.session.enterProgMode();
      await this.nvm.chipErase();
    }
    this.emit({ type: 'finished', phase: 'erase', memory: 'chip', bytes: 0, elapsedMs: this.clock.now() - t0 });
    return { wasLocked };
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
    if (plan.chipErase) {
      const t0 = this.clock.now();
      await this.chipErase();
      phases.push({ phase: 'erase', memory: 'chip', bytes: 0, ms: this.clock.now() - t0 });
    }
    let verified = 0;
    const covered: { address: number; length: number }[] = [];
    for (const memory of ['flash', 'eeprom'] as const) {
      const pages = plan.pages.filter((p) => p.memory === memory);
      if (!pages.length) continue;
      phases.push(await this.writePages(memory, pages, verify));
      if (verify) {
        const bytes = pages.reduce((n, p) => n + p.write.data.length, 0);
        verified += bytes;
        for (const p of pages) covered.push({ address: p.write.address, length: p.write.data.length });
        this.emit({ type: 'finished', phase: 'verify', memory, bytes, elapsedMs: 0 });
        phases.push({ phase: 'verify', memory, bytes, ms: 0 });
      }
    }
    if (plan.fuses.length) phases.push(await this.writeFuses(plan));
    if (verify) {
      // After a failed transfer, bytes the target misread may have changed what was already
      // checked: then everything is read back once more at the end.
      const faults = this.retries > retriesBefore;
      for (const memory of ['flash', 'eeprom', 'fuses'] as const) {
        const all = plan.verify.filter((r) => r.memory === memory);
        const ranges = faults ? all : subtractCovered(all, covered);
        if (!ranges.length) continue;
        const result = await this.verifyRanges(memory, ranges, plan);
        verified += result.bytes;
        phases.push(result);
      }
    }
    return { device: plan.device, phases, retries: this.retries, written: { ...plan.bytes }, verified, pageMode: this.careful ? 'careful' : 'pipelined' };
  }

  /** Reads `length` bytes of a memory from `offset`, with progress and retries. */
  async readMemory(device: DeviceInfo, memory: MemoryName, offset = 0, length?: number): Promise<Uint8Array> {
    const win = memoryWindow(device, memory);
    const n = length ?? win.size - offset;
    const t0 = this.clock.now();
    this.emit({ type: 'started', phase: 'read', memory, totalBytes: n });
    const data = await this.readRange('read', memory, win.address + offset, n, t0);
    this.emit({ type: 'finished', phase: 'read', memory, bytes: n, elapsedMs: this.clock.now() - t0 });
    return data;
  }

  /**
   * Streams pages. With `verify`, each page's write also reads back the page written before it
   * (so every page is read after the next one was loaded and committed: whatever the guess about
   * the controller's timing, a disturbed page shows). Pages go top-down: after a page's data the
   * pointer stands at the page above, the one to read back, which saves a pointer store per page.
   * A read-back that differs switches to careful mode — status poll after every page, read-back
   * of the page itself — and the page is redone.
   */
  private async writePages(memory: 'flash' | 'eeprom', pages: PlannedPage[], verify: boolean): Promise<PhaseResult> {
    const total = pages.reduce((n, p) => n + p.write.data.length, 0);
    const t0 = this.clock.now();
    this.emit({ type: 'started', phase: 'program', memory, totalBytes: total });
    let done = 0;
    const progress = (page: PlannedPage) => {
      done += page.write.data.length;
      this.emit({ type: 'progress', phase: 'program', memory, bytes: done, totalBytes: total, elapsedMs: this.clock.now() - t0 });
    };
    const redo: PlannedPage[] = [];
    try {
      await this.nvm.waitReady(`before writing ${memory}`);
      let pending: PlannedPage | undefined;
      for (const page of verify ? [...pages].reverse() : pages) {
        throwIfAborted(this.signal);
        this.session.doing(`writing ${memory} page ${hex(page.offset)}`);
        if (!verify) {
          await this.withRetry('program', memory, page.write.address, () => this.nvm.writePage(page.write), () => this.nvm.reset());
        } else if (this.careful) {
          await this.writeCarefully(page);
        } else {
          const previous = pending;
          let got: Uint8Array | undefined;
          try {
            got = await this.nvm.writePage(page.write, previous && readBackOf(previous));
          } catch (err) {
            if (!(err instanceof UpdiError) || !err.recoverable) throw err;
            // A transfer failed somewhere in this write: redo both pages carefully.
            this.noteRetry('program', memory, page.write.address, 1, err.message);
            await this.session.recover();
            this.nvm.reset();
            this.careful = true;
            this.unsettled = true;
            if (previous) redo.push(previous);
            await this.writeCarefully(page);
            pending = undefined;
            progress(page);
            continue;
          }
          if (this.timingProbes > 0) {
            // Check the guess that the read-back outlasts the programming time, twice.
            this.timingProbes--;
            if ((await this.nvm.status()) & NVM_BUSY) {
              this.careful = true;
              this.unsettled = true;
            }
          }
          if (previous && got && firstDifference(previous.write.data, got) >= 0) {
            // The controller's timing guess was wrong (or a byte was lost): go careful from here.
            this.careful = true;
            this.unsettled = true;
            redo.push(previous);
          }
          pending = page;
        }
        progress(page);
      }
      if (pending) {
        await this.nvm.waitReady(`after writing ${memory}`);
        const got = await this.withRetry('verify', memory, pending.write.address, () => this.session.memory.read(pending!.write.address, pending!.write.data.length));
        if (firstDifference(pending.write.data, got) >= 0) redo.push(pending);
      }
      for (const page of redo) await this.writeCarefully(page, true);
      await this.nvm.endBulk();
    } catch (err) {
      this.emit({ type: 'failed', phase: 'program', memory, error: err as Error });
      throw err;
    }
    const ms = this.clock.now() - t0;
    this.emit({ type: 'finished', phase: 'program', memory, bytes: total, elapsedMs: ms });
    return { phase: 'program', memory, bytes: total, ms };
  }

  /**
   * Careful mode: write, poll, read the page itself back. Used after any doubt, and when the
   * controller turns out to be still busy after a read-back (a wire faster than its baud rate
   * says, such as a target model without pacing).
   */
  private careful = false;
  /** Fast page writes whose timing guess is still to be confirmed by a status read. */
  private timingProbes = 2;
  /** The controller may still be busy, or hold WRERROR from a failed attempt. */
  private unsettled = false;

  /**
   * Writes one page with a status poll and reads it back once the controller is idle; a transfer
   * failure or a differing read-back is redone (erase-write from a cleared buffer) a bounded
   * number of times, then reported with the first differing address.
   */
  private async writeCarefully(page: PlannedPage, redo = false): Promise<void> {
    let attempt = redo ? 1 : 0;
    if (redo) this.noteRetry('program', page.memory, page.write.address, attempt, 'read-back differs; rewriting');
    await this.withRetry('program', page.memory, page.write.address, async () => {
      this.session.doing(`writing ${page.memory} page ${hex(page.offset)}`);
      const write = attempt > 0 ? { ...page.write, command: NVM_CMD.ERWP } : page.write;
      if (attempt > 0 || this.unsettled) {
        this.nvm.reset();
        await this.nvm.settle(`before writing ${hex(write.address)}`);
        this.unsettled = false;
      }
      attempt++;
      await this.nvm.writePage(write);
      const got = await this.session.memory.read(write.address, write.data.length);
      this.nvm.reset();
      const at = firstDifference(write.data, got);
      if (at >= 0) throw verifyError(page.memory, page.offset + at, write.address + at, write.data[at]!, got[at]!);
    });
  }

  private async writeFuses(plan: ProgramPlan): Promise<PhaseResult> {
    const t0 = this.clock.now();
    this.emit({ type: 'started', phase: 'program', memory: 'fuses', totalBytes: plan.fuses.length });
    let done = 0;
    for (const f of plan.fuses) {
      throwIfAborted(this.signal);
      this.session.doing(`writing fuse ${hex(f.address)}`);
      await this.withRetry('program', 'fuses', f.address, () => this.nvm.writeFuse(f.address, f.value));
      done++;
      this.emit({ type: 'progress', phase: 'program', memory: 'fuses', bytes: done, totalBytes: plan.fuses.length, elapsedMs: this.clock.now() - t0 });
    }
    const ms = this.clock.now() - t0;
    this.emit({ type: 'finished', phase: 'program', memory: 'fuses', bytes: done, elapsedMs: ms });
    return { phase: 'program', memory: 'fuses', bytes: done, ms };
  }

  /**
   * Reads the ranges back and compares. Where a byte differs, the page (or fuse) holding it is
   * read once more — a byte damaged on its way back is not a bad page — and only if it differs
   * again is it rewritten (careful mode, which checks its own read-back) or, for fuses, written
   * again; still wrong after the bounded attempts is a VERIFY error with the first differing address.
   */
  private async verifyRanges(memory: PlanMemory, ranges: VerifyRange[], plan: ProgramPlan): Promise<PhaseResult> {
    const total = ranges.reduce((n, r) => n + r.expected.length, 0);
    const t0 = this.clock.now();
    this.emit({ type: 'started', phase: 'verify', memory, totalBytes: total });
    let before = 0;
    try {
      for (const range of ranges) {
        const base = before;
        const got = await this.readRange('verify', memory, range.address, range.expected.length, t0, (n) => base + n, total);
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
    } catch (err) {
      this.emit({ type: 'failed', phase: 'verify', memory, error: err as Error });
      throw err;
    }
    const ms = this.clock.now() - t0;
    this.emit({ type: 'finished', phase: 'verify', memory, bytes: total, elapsedMs: ms });
    return { phase: 'verify', memory, bytes: total, ms };
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
      const again = await this.withRetry('verify', memory, unit.address, () => this.session.memory.read(unit.address, unit.length));
      const at = firstDifference(expected, again);
      if (at < 0) return;
      const err = verifyError(memory, range.offset + (unit.address - range.address) + at, unit.address + at, expected[at]!, again[at]!);
      const fuse = memory === 'fuses' ? plan.fuses.find((f) => f.address === unit.address) : undefined;
      if (attempt > this.maxRetries || (!unit.page && !fuse)) {
        throw err;
      }
      this.noteRetry('verify', memory, unit.address + at, attempt, 'read-back differs; rewriting');
      this.unsettled = true;
      if (unit.page) {
        await this.writeCarefully(unit.page);
        await this.nvm.endBulk();
      } else if (fuse) await this.withRetry('program', 'fuses', fuse.address, () => this.nvm.writeFuse(fuse.address, fuse.value));
    }
  }

  /** Reads a data-space range chunk by chunk; after a recoverable failure resumes where it stopped. */
  private async readRange(
    phase: Phase,
    memory: string,
    address: number,
    length: number,
    t0: number,
    progressOf: (n: number) => number = (n) => n,
    total = length,
  ): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    let done = 0;
    let lastFailureAt = -1;
    await this.withRetry(
      phase,
      memory,
      address,
      async () => {
        throwIfAborted(this.signal);
        const start = done;
        this.session.doing(`${phase === 'verify' ? 'verifying' : 'reading'} ${memory} at ${hex(address + start)}`);
        await this.session.memory.readInto(address + start, out.subarray(start), (n) => {
          done = start + n;
          this.emit({ type: 'progress', phase, memory, bytes: progressOf(done), totalBytes: total, elapsedMs: this.clock.now() - t0 });
        });
      },
      undefined,
      () => `${hex(address + done)}`,
      () => {
        const moved = done > lastFailureAt;
        lastFailureAt = done;
        return moved;
      },
    );
    return out;
  }

  /**
   * Runs `op`; on a recoverable UpdiError runs it again, at most `maxRetries` more times — after a
   * resynchronisation (double BREAK) unless the failure was a read-back mismatch, which says nothing
   * about the link. Anything else, or running out of attempts, is thrown with context.
   */
  private async withRetry<T>(
    phase: Phase,
    memory: string,
    address: number,
    op: () => Promise<T>,
    onFailure?: () => void,
    where?: () => string,
    progressed?: () => boolean,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      throwIfAborted(this.signal);
      try {
        return await op();
      } catch (err) {
        // A long read that got further than last time starts its count of attempts afresh.
        if (progressed?.()) attempt = 1;
        if (!(err instanceof UpdiError) || !err.recoverable || attempt > this.maxRetries) {
          throw err instanceof UpdiError ? err.withContext(`${phase} ${memory} at ${where?.() ?? hex(address)}${attempt > 1 ? ` (after ${attempt - 1} retries)` : ''}`) : err;
        }
        this.noteRetry(phase, memory, address, attempt, err.message);
        onFailure?.();
        this.nvm.reset();
        if (err.updiCode !== 'VERIFY') await this.session.recover();
      }
    }
  }

  private noteRetry(phase: Phase, memory: string, address: number, attempt: number, reason: string): void {
    this.retries++;
    this.emit({ type: 'retry', phase, memory, address, attempt, maxAttempts: this.maxRetries, reason });
  }
}

function readBackOf(page: PlannedPage): ReadBack {
  return { address: page.write.address, length: page.write.data.length, unit: page.write.unit };
}

function verifyError(memory: string, offset: number, address: number, expected: number, actual: number): UpdiError {
  return new UpdiError('VERIFY', `verify failed: ${memory} at offset ${hex(offset)} (data address ${hex(address)}) reads 0x${hex2(actual)}, expected 0x${hex2(expected)}`, {
    details: { memory, offset, address, expected, actual },
  });
}

/** The parts of verify ranges that no read-back already checked. */
function subtractCovered(ranges: VerifyRange[], covered: { address: number; length: number }[]): VerifyRange[] {
  const out: VerifyRange[] = [];
  for (const r of ranges) {
    let start = 0;
    const end = r.expected.length;
    const inside = covered
      .filter((c) => overlaps(c.address, c.length, r.address, end))
      .sort((a, b) => a.address - b.address);
    for (const c of inside) {
      const cs = Math.max(0, c.address - r.address);
      if (cs > start) out.push(sub(r, start, cs));
      start = Math.max(start, c.address + c.length - r.address);
    }
    if (start < end) out.push(sub(r, start, end));
  }
  return out;
}

function sub(r: VerifyRange, from: number, to: number): VerifyRange {
  return { memory: r.memory, offset: r.offset + from, address: r.address + from, expected: r.expected.subarray(from, to) };
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

function overlaps(a: number, an: number, b: number, bn: number): boolean {
  return a < b + bn && b < a + an;
}

