/**
 * The write path: points → batches → queue → sink, with nothing lost.
 *
 * In front of a database the queue is the on-disk {@link Spool} (write-ahead: a point is fsynced
 * there before it is sent and leaves only once the server acknowledged it). The file sink is itself
 * durable, so it gets a plain in-memory queue. One delivery loop sends the oldest batch, one at a
 * time so order is kept: success → commit; retryable failure → back off (0.5 s doubling to 10 s, or
 * the server's Retry-After) and try the same batch again, while new points keep being spooled;
 * non-retryable rejection → the batch goes to the dead-letter file with the server's message.
 * The writer reports through `onEvent`; it never prints.
 */
import { classifyLine } from './frame.js';
import { DeadLetterFile } from './deadletter.js';
import { Spool, type SpoolBatch } from './spool.js';
import { WriteError, type Sink } from './sinks/types.js';

export type WriterEvent =
  | { type: 'retrying'; message: string; status: number | undefined; delayMs: number; pending: number }
  | { type: 'recovered'; pending: number; downMs: number }
  | { type: 'dead-letter'; count: number; status: number | undefined; message: string; file: string }
  /** The queue itself failed (disk full, spool unreadable): the writer has stopped. */
  | { type: 'fatal'; error: Error };

export interface WriterStats {
  /** Points the target acknowledged. */
  written: number;
  /** Points a server refused for good, kept in the dead-letter file. */
  deadLettered: number;
  /** Points that had to wait in the spool because the target was down, slow or refusing. */
  deferred: number;
  /** Points still in the spool (sent on the next start). */
  pending: number;
  /** Where the time went, in ms (for the benchmark). */
  timings: { sink: number; queueAppend: number; queueRead: number };
}

export interface WriterOptions {
  sink: Sink;
  /** Spool folder; required unless the sink is durable. */
  spoolDir?: string;
  deadLetterPath: string;
  /** Points per write request. */
  batchSize?: number;
  /** How long a point may wait in memory for more to batch with it. */
  flushDelayMs?: number;
  /** {@link PointWriter.waitForRoom} blocks while more points than this are queued. */
  maxQueued?: number;
  /**
   * false: send from memory and spool only what is undelivered at close (for re-readable sources
   * such as --replay files). Default true: every point is fsynced to the spool before it is sent.
   */
  writeAhead?: boolean;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  onEvent?: (event: WriterEvent) => void;
}

interface Queue {
  readonly pending: number;
  append(lines: readonly string[]): void;
  peek(maxLines: number): SpoolBatch | undefined;
  commit(batch: SpoolBatch): void;
  close(): void;
}

/** The queue in front of a durable sink: memory only (the sink itself is the durable copy). */
class MemoryQueue implements Queue {
  private lines: string[] = [];
  private head = 0;
  get pending(): number {
    return this.lines.length - this.head;
  }
  append(lines: readonly string[]): void {
    for (const line of lines) this.lines.push(line);
  }
  peek(maxLines: number): SpoolBatch | undefined {
    if (this.pending === 0) return undefined;
    const lines = this.lines.slice(this.head, this.head + maxLines);
    return { lines, segment: 0, end: this.head + lines.length };
  }
  commit(batch: SpoolBatch): void {
    this.head = batch.end;
    if (this.head > 100_000 || this.head === this.lines.length) {
      this.lines = this.lines.slice(this.head);
      this.head = 0;
    }
  }
  close(): void {}
  /** Everything not yet committed. */
  remaining(): string[] {
    return this.lines.slice(this.head);
  }
}

/**
 * Write-through in front of a database, for sources that can be read again (`--replay`): points are
 * sent from memory and only what is still undelivered at close is spilled into the spool, so a
 * backfill does not write every point to disk twice. Used only when the spool is empty at start.
 */
class SpillQueue extends MemoryQueue {
  constructor(private readonly spool: Spool) {
    super();
  }
  override close(): void {
    this.spool.append(this.remaining());
    this.spool.close();
  }
}

const isValidSpoolLine = (line: string): boolean => {
  const bytes = Buffer.from(line, 'latin1');
  return classifyLine(bytes, 0, bytes.length, { timestamp: 'required' }).kind === 'frame';
};

export class PointWriter {
  private readonly queue: Queue;
  private readonly deadLetter: DeadLetterFile;
  private readonly batchSize: number;
  private readonly flushDelayMs: number;
  private readonly maxQueued: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private buffer: string[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private wakeLoop: (() => void) | undefined;
  private cancelBackoff: (() => void) | undefined;
  private roomWaiters: (() => void)[] = [];
  private closing = false;
  private deadline = Infinity;
  private failingSince: number | undefined;
  private backoffMs: number;
  private readonly loop: Promise<void>;
  /** Set when the queue failed and the writer stopped; the caller reports it after the summary. */
  fatal: Error | undefined;
  private readonly fatalListeners: ((err: Error) => void)[] = [];
  readonly stats: WriterStats = {
    written: 0,
    deadLettered: 0,
    deferred: 0,
    pending: 0,
    timings: { sink: 0, queueAppend: 0, queueRead: 0 },
  };

  constructor(private readonly options: WriterOptions) {
    this.batchSize = options.batchSize ?? 5000;
    this.flushDelayMs = options.flushDelayMs ?? 50;
    // In memory (write-through) a short queue keeps points young for the garbage collector; on disk
    // the spool may run further ahead.
    this.maxQueued = options.maxQueued ?? this.batchSize * (options.writeAhead === false ? 2 : 20);
    this.initialBackoffMs = options.initialBackoffMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.backoffMs = this.initialBackoffMs;
    this.deadLetter = new DeadLetterFile(options.deadLetterPath);
    if (options.sink.durable) this.queue = new MemoryQueue();
    else if (options.spoolDir) {
      const spool = Spool.open(options.spoolDir);
      this.queue = options.writeAhead === false && spool.pending === 0 ? new SpillQueue(spool) : spool;
    } else throw new Error('a spool folder is needed in front of a database');
    this.stats.pending = this.queue.pending;
    this.loop = this.run().catch((err: unknown) => this.fail(err));
  }

  /** The queue broke (disk full, spool unreadable): stop, and tell whoever waits. */
  private fail(err: unknown): void {
    if (this.fatal) return;
    this.fatal = err instanceof Error ? err : new Error(String(err));
    this.closing = true;
    this.wake();
    this.cancelBackoff?.();
    this.releaseRoomWaiters();
    this.emit({ type: 'fatal', error: this.fatal });
    for (const cb of this.fatalListeners) cb(this.fatal);
  }

  /** Calls `cb` if the writer stops because its queue failed (the session then ends). */
  onFatal(cb: (err: Error) => void): void {
    if (this.fatal) cb(this.fatal);
    else this.fatalListeners.push(cb);
  }

  /** Points left over from an earlier run, found in the spool at start. */
  get resumed(): number {
    return this.stats.pending;
  }

  get sinkDescription(): string {
    return this.options.sink.description;
  }

  /** Queues one point (a line from `formatPoint`). */
  add(line: string): void {
    this.buffer.push(line);
    if (this.buffer.length >= this.batchSize) this.flush();
    else if (!this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), this.flushDelayMs);
  }

  /**
   * Moves buffered points into the queue now: when it returns they are on disk (fsynced into the
   * spool, or written by a durable sink), unless the queue failed (see {@link fatal}).
   */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.buffer.length === 0 || this.fatal) return;
    const lines = this.buffer;
    const t0 = performance.now();
    // A durable sink with nothing waiting before these lines takes them now, so that they are on
    // disk when flush returns (what the tail reports is stored); a failure queues them for retry.
    if (this.options.sink.writeSync && this.queue.pending === 0 && this.failingSince === undefined) {
      try {
        this.options.sink.writeSync(lines);
        this.buffer = [];
        this.stats.written += lines.length;
        this.stats.timings.sink += performance.now() - t0;
        return;
      } catch {
        // fall through: the delivery loop retries them (and reports the failure)
      }
    }
    try {
      this.queue.append(lines);
    } catch (err) {
      // Keep the points in memory (they are counted as not stored) and stop.
      this.fail(new Error(`cannot append to the spool: ${(err as Error).message}`));
      return;
    }
    this.buffer = [];
    this.stats.timings.queueAppend += performance.now() - t0;
    if (this.failingSince !== undefined) this.stats.deferred += lines.length;
    this.stats.pending = this.queue.pending;
    this.wake();
  }

  /** Resolves when the queue has room again (backpressure for fast producers such as --replay). */
  async waitForRoom(): Promise<void> {
    if (this.buffer.length >= this.batchSize) this.flush();
    while (this.queue.pending > this.maxQueued && !this.closing) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
  }

  /** Resolves when everything queued so far is delivered (or dead-lettered). */
  async drained(): Promise<void> {
    this.flush();
    while (this.queue.pending > 0 && !this.closing) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
  }

  /**
   * Flushes memory into the queue, keeps delivering for up to `drainMs`, then stops; what is left
   * stays in the spool for the next run.
   */
  async close(drainMs = 5000): Promise<WriterStats> {
    this.flush();
    this.closing = true;
    this.deadline = Date.now() + drainMs;
    this.wake();
    this.cancelBackoff?.();
    this.releaseRoomWaiters();
    await this.loop;
    this.stats.pending = this.queue.pending + this.buffer.length;
    try {
      this.queue.close();
    } catch (err) {
      this.fatal ??= err as Error;
    }
    await this.options.sink.close();
    return this.stats;
  }

  private wake(): void {
    const wake = this.wakeLoop;
    this.wakeLoop = undefined;
    wake?.();
  }

  private releaseRoomWaiters(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w();
  }

  /** The back-off wait: only {@link close} cuts it short (new points must not speed up retries). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.cancelBackoff = done;
    });
  }

  private async run(): Promise<void> {
    for (;;) {
      if (this.closing && (this.queue.pending === 0 || Date.now() >= this.deadline)) return;
      let t0 = performance.now();
      const batch = this.queue.peek(this.batchSize);
      this.stats.timings.queueRead += performance.now() - t0;
      if (!batch) {
        if (this.closing) return;
        await new Promise<void>((resolve) => (this.wakeLoop = resolve));
        continue;
      }
      // Lines read back from disk are checked again (a damaged spool must not reach the database);
      // lines from memory were just made by formatPoint.
      const lines = this.queue instanceof Spool ? batch.lines.filter(isValidSpoolLine) : batch.lines;
      if (lines.length < batch.lines.length) {
        const corrupt = batch.lines.filter((l) => !isValidSpoolLine(l));
        this.deadLetter.append(corrupt, 'corrupt line in the spool');
        this.stats.deadLettered += corrupt.length;
        this.emit({ type: 'dead-letter', count: corrupt.length, status: undefined, message: 'corrupt line in the spool', file: this.deadLetter.path });
      }
      t0 = performance.now();
      try {
        if (lines.length) await this.options.sink.write(lines);
        this.stats.timings.sink += performance.now() - t0;
        this.queue.commit(batch);
        this.stats.written += lines.length;
        if (this.failingSince !== undefined) {
          this.emit({ type: 'recovered', pending: this.queue.pending, downMs: Date.now() - this.failingSince });
          this.failingSince = undefined;
          this.backoffMs = this.initialBackoffMs;
        }
      } catch (err) {
        this.stats.timings.sink += performance.now() - t0;
        const e = err instanceof WriteError ? err : new WriteError((err as Error)?.message ?? String(err), true);
        if (e.retryable) {
          if (this.failingSince === undefined) {
            this.failingSince = Date.now();
            this.stats.deferred += this.queue.pending;
          }
          const delayMs = e.retryAfterMs ?? this.backoffMs;
          this.backoffMs = Math.min(this.backoffMs * 2, this.maxBackoffMs);
          this.emit({ type: 'retrying', message: e.message, status: e.status, delayMs, pending: this.queue.pending });
          if (this.closing && Date.now() + delayMs > this.deadline) return;
          await this.sleep(this.closing ? Math.min(delayMs, this.deadline - Date.now()) : delayMs);
        } else {
          const reason = `${e.status ?? ''} ${e.serverMessage ?? e.message}`.trim();
          this.deadLetter.append(lines, reason);
          this.queue.commit(batch);
          this.stats.deadLettered += lines.length;
          this.emit({ type: 'dead-letter', count: lines.length, status: e.status, message: e.serverMessage ?? e.message, file: this.deadLetter.path });
        }
      }
      this.stats.pending = this.queue.pending;
      if (this.queue.pending <= this.maxQueued / 2 || this.queue.pending === 0) this.releaseRoomWaiters();
    }
  }

  private emit(event: WriterEvent): void {
    this.options.onEvent?.(event);
  }
}
