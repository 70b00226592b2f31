/**
 * The receive side every stream adapter shares: bytes pushed in as they arrive, taken out by
 * exact-count reads with a timeout (no short reads), or handed on to a listener as they come.
 */
import { systemClock, type Clock } from '../util/clock.js';
import { hexBytes } from '../util/hex.js';
import { SerialError } from './errors.js';
import type { DataListener } from './stream.js';

interface Waiter {
  n: number;
  resolve: (bytes: Uint8Array) => void;
  reject: (err: unknown) => void;
  /** Stops the timeout when the read ends before it. */
  cancel: () => void;
}

export class RxBuffer {
  private chunks: Uint8Array[] = [];
  private length = 0;
  private waiter: Waiter | undefined;
  private failure: unknown;
  private listener: DataListener | undefined;

  /** `name` appears in timeout messages; timeouts run on `clock` (tests pass a manual one). */
  constructor(
    private readonly name: string,
    private readonly clock: Clock = systemClock,
  ) {}

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.listener) {
      this.listener(bytes);
      return;
    }
    this.chunks.push(bytes);
    this.length += bytes.length;
    this.settle();
  }

  /** From now on every chunk goes to `listener`, starting with what is buffered. */
  listen(listener: DataListener): void {
    this.listener = listener;
    if (this.length) listener(this.shift(this.length));
  }

  /** Fails the pending and every later read (stream closed or broken). */
  fail(err: unknown): void {
    this.failure = err;
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w.cancel();
      w.reject(err);
    }
  }

  /** Drops what is buffered; returns how many bytes that was. */
  clear(): number {
    const dropped = this.length;
    this.chunks = [];
    this.length = 0;
    return dropped;
  }

  /** True once a listener takes the bytes (see {@link listen}). */
  get listening(): boolean {
    return this.listener !== undefined;
  }

  get available(): number {
    return this.length;
  }

  /** Exactly `n` bytes, or a TIMEOUT SerialError after `timeoutMs` (the partial bytes are consumed). */
  take(n: number, timeoutMs: number): Promise<Uint8Array> {
    if (this.waiter) return Promise.reject(new Error('RxBuffer: concurrent reads'));
    if (this.failure) return Promise.reject(this.failure);
    if (this.length >= n) return Promise.resolve(this.shift(n));
    return new Promise((resolve, reject) => {
      const timedOut = () => {
        if (this.waiter !== waiter) return; // answered (or failed) meanwhile
        this.waiter = undefined;
        const got = this.shift(this.length);
        reject(
          new SerialError('TIMEOUT', `no answer from the target on ${this.name}: expected ${n} bytes within ${timeoutMs} ms, received ${got.length}`, {
            details: { port: this.name, expected: n, received: got.length, bytes: hexBytes(got), timeoutMs, receivedBytes: Array.from(got) },
          }),
        );
      };
      const waiter: Waiter = { n, resolve, reject, cancel: this.startTimer(timeoutMs, timedOut) };
      this.waiter = waiter;
    });
  }

  /**
   * Runs `fn` after `ms` on the clock; returns the cancel function. On the system clock a plain
   * timer: an aborted sleep costs an AbortController and an AbortError per read, a tenth of the
   * host's CPU time in a flash session with no wire model.
   */
  private startTimer(ms: number, fn: () => void): () => void {
    if (this.clock === systemClock) {
      const handle = setTimeout(fn, Math.max(0, ms));
      return () => clearTimeout(handle);
    }
    const timer = new AbortController();
    void this.clock.sleep(ms, timer.signal).then(fn, () => undefined);
    return () => timer.abort();
  }

  private settle(): void {
    const w = this.waiter;
    if (w && this.length >= w.n) {
      this.waiter = undefined;
      w.cancel();
      w.resolve(this.shift(w.n));
    }
  }

  private shift(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0]!;
      const take = Math.min(head.length, n - filled);
      out.set(head.subarray(0, take), filled);
      filled += take;
      if (take === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(take);
    }
    this.length -= n;
    return out;
  }
}
