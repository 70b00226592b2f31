/**
 * The executor: runs a plan (erase, page writes, fuse writes, verify) and reads memories, reporting
 * through one `onProgress(event)` callback. Recovery lives here and only here: a transfer that fails
 * with a recoverable error (timeout, bad echo, NACK, lost link) is retried after a double BREAK and
 * resynchronisation, a bounded number of times; a verify mismatch rewrites the page once more and
 * then is reported with the first differing address. Never prints.
 */
import { performance } from 'node:perf_hooks';
import { throwIfAborted } from '../errors.js';
import { NVM_CMD } from './constants.js';
import { UpdiError, hex } from './errors.js';
import { TinyNvm } from './nvm.js';
import type { UpdiSession } from './session.js';
import { requireDevice, type DeviceInfo } from './devices.js';
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
  private readonly emit: (e: ProgressEvent) => void;
  private readonly maxRetries: number;
  private readonly signal: AbortSignal | undefined;

  constructor(
    readonly session: UpdiSession,
    options: ExecutorOptions = {},
  ) {
    this.nvm = new TinyNvm(session.link);
    this.emit = options.onProgress ?? (() => undefined);
    this.maxRetries = options.maxRetries ?? 3;
    this.signal = options.signal;
  }

  /** Reads the signature and returns the device (SIGNATURE error if unknown). */
  async identify(): Promise<DeviceInfo> {
    return requireDevice(await this.withRetry('read', 'sigrow', 0x1100, () => this.session.readSignature()));
  }

  /** Chip erase; a locked part is unlocked with the CHIPERASE key (which erases it). */
  async chipErase(): Promise<{ wasLocked: boolean }> {
    const t0 = performance.now();
    this.emit({ type: 'started', phase: 'erase', memory: 'chip', totalBytes: 0 });
    const wasLocked = !this.session.progMode && (await this.session.isLocked());
    if (wasLocked) await this.session.unlockWithChipErase();
    else {
      if (!this.session.progMode) await this.session.enterProgMode();
      await this.nvm.chipErase();
    }
    this.emit({ type: 'finished', phase: 'erase', memory: 'chip', bytes: 0, elapsedMs: performance.now() - t0 });
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
    if (plan.chipErase) {
      const t0 = performance.now();
      await this.chipErase();
      phases.push({ phase: 'erase', memory: 'chip', bytes: 0, ms: performance.now() - t0 });
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
      for (const memory of ['flash', 'eeprom', 'fuses'] as const) {
        const ranges = subtractCovered(plan.verify.filter((r) => r.memory === memory), covered);
        if (!ranges.length) continue;
        const result = await this.verifyRanges(memory, ranges, plan);
        verified += result.bytes;
        phases.push(result);
      }
    }
    return { device: plan.device, phases, retries: this.retries, written: { ...plan.bytes }, verified };
  }

  /** Reads `length` bytes of a memory from `offset`, with progress and retries. */
  async readMemory(device: DeviceInfo, memory: MemoryName, offset = 0, length?: number): Promise<Uint8Array> {
    const win = memoryWindow(device, memory);
    const n = length ?? win.size - offset;
    const t0 = performance.now();
    this.emit({ type: 'started', phase: 'read', memory, totalBytes: n });
    const data = await this.readRange('read', memory, win.address + offset, n, t0);
    this.emit({ type: 'finished', phase: 'read', memory, bytes: n, elapsedMs: performance.now() - t0 });
    return data;
  }

  private async writePages(memory: 'flash' | 'eeprom', pages: PlannedPage[], verify: boolean): Promise<PhaseResult> {
    const total = pages.reduce((n, p) => n + p.write.data.length, 0);
    const t0 = performance.now();
    this.emit({ type: 'started', phase: 'program', memory, totalBytes: total });
    let done = 0;
    try {
      await this.nvm.waitReady(`before writing ${memory}`);
      for (const page of pages) {
        throwIfAborted(this.signal);
        await this.writeOnePage(page, verify);
        done += page.write.data.length;
        this.emit({ type: 'progress', phase: 'program', memory, bytes: done, totalBytes: total, elapsedMs: performance.now() - t0 });
      }
      await this.nvm.endBulk();
    } catch (err) {
      this.emit({ type: 'failed', phase: 'program', memory, error: err as Error });
      throw err;
    }
    const ms = performance.now() - t0;
    this.emit({ type: 'finished', phase: 'program', memory, bytes: total, elapsedMs: ms });
    return { phase: 'program', memory, bytes: total, ms };
  }

  /**
   * Writes one page (and with `verify` checks its read-back). A transfer failure or a read-back
   * that differs is retried: resynchronise, clear the page buffer, erase-write the page again.
   */
  private async writeOnePage(page: PlannedPage, verify: boolean): Promise<void> {
    let retrying = false;
    await this.withRetry('program', page.memory, page.write.address, async () => {
      const write = retrying ? { ...page.write, command: NVM_CMD.ERWP } : page.write;
      if (retrying) {
        // After a failure the page may be half written: erase-write it from a cleared buffer.
        this.nvm.reset();
        await this.nvm.waitReady(`before rewriting ${hex(page.write.address)}`);
      }
      retrying = true;
      const got = await this.nvm.writePage(write, { readBack: verify });
      if (got) {
        let at = firstDifference(write.data, got);
        if (at >= 0) {
          // Read it again once the controller is surely done before calling it a mismatch.
          await this.nvm.waitReady(`before re-reading ${hex(write.address)}`);
          this.nvm.reset();
          const again = await this.session.memory.read(write.address, write.data.length);
          at = firstDifference(write.data, again);
          if (at >= 0) throw verifyError(page.memory, page.offset + at, write.address + at, write.data[at]!, again[at]!);
        }
      }
      retrying = false;
    });
  }

  private async writeFuses(plan: ProgramPlan): Promise<PhaseResult> {
    const t0 = performance.now();
    this.emit({ type: 'started', phase: 'program', memory: 'fuses', totalBytes: plan.fuses.length });
    let done = 0;
    for (const f of plan.fuses) {
      throwIfAborted(this.signal);
      await this.withRetry('program', 'fuses', f.address, () => this.nvm.writeFuse(f.address, f.value));
      done++;
      this.emit({ type: 'progress', phase: 'program', memory: 'fuses', bytes: done, totalBytes: plan.fuses.length, elapsedMs: performance.now() - t0 });
    }
    const ms = performance.now() - t0;
    this.emit({ type: 'finished', phase: 'program', memory: 'fuses', bytes: done, elapsedMs: ms });
    return { phase: 'program', memory: 'fuses', bytes: done, ms };
  }

  private async verifyRanges(memory: PlanMemory, ranges: VerifyRange[], plan: ProgramPlan): Promise<PhaseResult> {
    const total = ranges.reduce((n, r) => n + r.expected.length, 0);
    const t0 = performance.now();
    this.emit({ type: 'started', phase: 'verify', memory, totalBytes: total });
    let before = 0;
    for (const range of ranges) {
      let rewrites = 0;
      while (true) {
        const base = before;
        const got = await this.readRange('verify', memory, range.address, range.expected.length, t0, (n) => base + n, total);
        const at = firstDifference(range.expected, got);
        if (at < 0) break;
        const address = range.address + at;
        const pages = plan.pages.filter((p) => p.memory === memory && overlaps(p.write.address, p.write.data.length, range.address, range.expected.length) && differsIn(p, range, got));
        const fuses = plan.fuses.filter((f) => memory === 'fuses' && f.address === address);
        if (rewrites >= 1 || (pages.length === 0 && fuses.length === 0)) {
          const err = verifyError(memory, range.offset + at, address, range.expected[at]!, got[at]!);
          this.emit({ type: 'failed', phase: 'verify', memory, error: err });
          throw err;
        }
        rewrites++;
        this.retries++;
        this.emit({ type: 'retry', phase: 'verify', memory, address, attempt: rewrites, maxAttempts: 1, reason: 'read-back differs; rewriting' });
        for (const p of pages) {
          this.nvm.reset();
          await this.nvm.waitReady(`before rewriting ${hex(p.write.address)}`);
          await this.nvm.writePage({ ...p.write, command: NVM_CMD.ERWP });
        }
        await this.nvm.endBulk();
        for (const f of fuses) await this.nvm.writeFuse(f.address, f.value);
      }
      before += range.expected.length;
    }
    const ms = performance.now() - t0;
    this.emit({ type: 'finished', phase: 'verify', memory, bytes: total, elapsedMs: ms });
    return { phase: 'verify', memory, bytes: total, ms };
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
    await this.withRetry(phase, memory, address, async () => {
      throwIfAborted(this.signal);
      const start = done;
      await this.session.memory.readInto(address + start, out.subarray(start), (n) => {
        done = start + n;
        this.emit({ type: 'progress', phase, memory, bytes: progressOf(done), totalBytes: total, elapsedMs: performance.now() - t0 });
      });
    }, undefined, () => `${hex(address + done)}`);
    return out;
  }

  /**
   * Runs `op`; on a recoverable UpdiError resynchronises (double BREAK) and runs it again, at most
   * `maxRetries` more times. Anything else, or running out of attempts, is thrown with context.
   */
  private async withRetry<T>(phase: Phase, memory: string, address: number, op: () => Promise<T>, onFailure?: () => void, where?: () => string): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      throwIfAborted(this.signal);
      try {
        return await op();
      } catch (err) {
        if (!(err instanceof UpdiError) || !err.recoverable || attempt > this.maxRetries) {
          throw err instanceof UpdiError ? err.withContext(`${phase} ${memory} at ${where?.() ?? hex(address)}${attempt > 1 ? ` (after ${attempt - 1} retries)` : ''}`) : err;
        }
        this.retries++;
        this.emit({ type: 'retry', phase, memory, address, attempt, maxAttempts: this.maxRetries, reason: err.message });
        onFailure?.();
        this.nvm.reset();
        await this.session.recover();
      }
    }
  }
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

/** Does the read-back differ from the expected bytes inside this page? */
function differsIn(page: PlannedPage, range: VerifyRange, got: Uint8Array): boolean {
  const from = Math.max(page.write.address, range.address);
  const to = Math.min(page.write.address + page.write.data.length, range.address + range.expected.length);
  for (let a = from; a < to; a++) if (got[a - range.address] !== range.expected[a - range.address]) return true;
  return false;
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}
