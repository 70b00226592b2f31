/**
 * What the stream adapters share: the receive side (exact-count reads or a data listener, over
 * one {@link RxBuffer}) and ending once, with the reason told to every `onEnd` listener.
 */
import type { SerialError } from './errors.js';
import type { Clock } from '../util/clock.js';
import { RxBuffer } from './rx-buffer.js';
import type { ByteStream, DataListener } from './stream.js';

export abstract class ReceivingStream implements ByteStream {
  abstract readonly realBreak: boolean;
  protected readonly rx: RxBuffer;
  /** True once the stream was closed or lost. */
  protected ended = false;
  /** Why it ended, as every later operation reports it. */
  protected endError: SerialError | undefined;
  private readonly endListeners: ((reason: string | undefined) => void)[] = [];
  /** Rejects when the stream ends (see {@link untilEnded}). */
  private endPromise: Promise<never> | undefined;
  private rejectEnd: ((err: SerialError) => void) | undefined;

  constructor(
    readonly name: string,
    clock?: Clock,
  ) {
    this.rx = new RxBuffer(name, clock);
  }

  abstract write(bytes: Uint8Array): Promise<void>;
  abstract flushInput(): Promise<void>;
  abstract setBaud(baud: number): Promise<void>;
  abstract sendBreak(): Promise<void>;
  abstract close(): Promise<void>;

  read(n: number, timeoutMs: number): Promise<Uint8Array> {
    return this.rx.take(n, timeoutMs);
  }

  onData(listener: DataListener): void {
    this.rx.listen(listener);
  }

  onEnd(listener: (reason: string | undefined) => void): void {
    this.endListeners.push(listener);
  }

  /**
   * Throws why the stream ended, if it did: an operation on a closed or lost port fails at once
   * (serialport would queue a drain on a port that is gone until it opens again: forever).
   */
  protected throwIfEnded(): void {
    if (this.ended && this.endError) throw this.endError;
  }

  /**
   * `operation`, or the end error as soon as the stream ends first: a driver call on a port that
   * is going away may never call back (serialport queues writes and drains until the port opens
   * again), and no caller may be left waiting on it.
   */
  protected untilEnded<T>(operation: Promise<T>): Promise<T> {
    this.throwIfEnded();
    if (!this.endPromise) {
      this.endPromise = new Promise<never>((_, reject) => (this.rejectEnd = reject));
      this.endPromise.catch(() => undefined);
    }
    return Promise.race([operation, this.endPromise]);
  }

  /** Ends the stream once: reads fail with `readError`, listeners hear `reason` (undefined: closed by its owner). */
  protected finish(reason: string | undefined, readError: SerialError): void {
    if (this.ended) return;
    this.ended = true;
    this.endError = readError;
    this.rx.fail(readError);
    this.rejectEnd?.(readError);
    for (const listener of this.endListeners.splice(0)) listener(reason);
  }
}
