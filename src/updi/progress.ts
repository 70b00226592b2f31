/**
 * Progress of memory operations as typed events through one `onProgress(event)` callback: every
 * operation (erase, program, verify, read of one memory) is `started`, reports `progress` in bytes,
 * and ends `finished` (bytes, ms) or `failed` (the error); a `retry` says what was redone and why.
 * Times come from the injected clock. The library never prints: the CLI draws from these events.
 */
import type { Clock } from '../util/clock.js';

export type Phase = 'erase' | 'program' | 'verify' | 'read';

export type RetryEvent = { type: 'retry'; phase: Phase; memory: string; address: number; attempt: number; maxAttempts: number; reason: string };

export type ProgressEvent =
  | { type: 'started'; phase: Phase; memory: string; totalBytes: number }
  | { type: 'progress'; phase: Phase; memory: string; bytes: number; totalBytes: number; elapsedMs: number }
  | {
      type: 'finished';
      phase: Phase;
      memory: string;
      bytes: number;
      elapsedMs: number;
      /** A verify done by the page writes themselves (each write read back the page before it). */
      whileWriting?: true;
    }
  | { type: 'failed'; phase: Phase; memory: string; error: Error }
  | RetryEvent;

/** What one finished operation moved and how long it took (also in `flash --json`). */
export interface PhaseResult {
  phase: Phase;
  memory: string;
  bytes: number;
  ms: number;
}

/** One running operation: `started` was sent when it was made; it ends with `finish` or `fail`. */
export class Operation {
  private readonly t0: number;

  constructor(
    private readonly reporter: ProgressReporter,
    readonly phase: Phase,
    readonly memory: string,
    readonly totalBytes: number,
  ) {
    this.t0 = reporter.clock.now();
    reporter.emit({ type: 'started', phase, memory, totalBytes });
  }

  get elapsedMs(): number {
    return this.reporter.clock.now() - this.t0;
  }

  /** `bytes` of `totalBytes` are done. */
  progress(bytes: number): void {
    this.reporter.emit({ type: 'progress', phase: this.phase, memory: this.memory, bytes, totalBytes: this.totalBytes, elapsedMs: this.elapsedMs });
  }

  finish(bytes = this.totalBytes): PhaseResult {
    const ms = this.elapsedMs;
    this.reporter.emit({ type: 'finished', phase: this.phase, memory: this.memory, bytes, elapsedMs: ms });
    return { phase: this.phase, memory: this.memory, bytes, ms };
  }

  fail(error: unknown): void {
    this.reporter.emit({ type: 'failed', phase: this.phase, memory: this.memory, error: error as Error });
  }
}

/** The one place the programmer's events are made. */
export class ProgressReporter {
  readonly emit: (event: ProgressEvent) => void;

  constructor(
    readonly clock: Clock,
    onProgress?: (event: ProgressEvent) => void,
  ) {
    this.emit = onProgress ?? (() => undefined);
  }

  /** Runs `body` as one operation: `started` before, `finished` (all bytes) after, `failed` if it throws. */
  async run<T>(phase: Phase, memory: string, totalBytes: number, body: (op: Operation) => Promise<T>): Promise<{ value: T; result: PhaseResult }> {
    const op = new Operation(this, phase, memory, totalBytes);
    let value: T;
    try {
      value = await body(op);
    } catch (err) {
      op.fail(err);
      throw err;
    }
    return { value, result: op.finish() };
  }

  /** A verify that the page writes did on the way (no time of its own). */
  verifiedWhileWriting(memory: string, bytes: number): PhaseResult {
    this.emit({ type: 'finished', phase: 'verify', memory, bytes, elapsedMs: 0, whileWriting: true });
    return { phase: 'verify', memory, bytes, ms: 0 };
  }

  retry(event: Omit<RetryEvent, 'type'>): void {
    this.emit({ type: 'retry', ...event });
  }
}
