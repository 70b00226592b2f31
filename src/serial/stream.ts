/**
 * The one byte-stream seam of ltobms. A USB-serial adapter, a pseudo-terminal and an in-process
 * pipe to the virtual board all look like a {@link ByteStream} to the programmer and the log tail;
 * a target model (the virtual board, a scripted test target) sits on a {@link DeviceEnd}.
 *
 * Adapters: `serialport.ts` (real ports and ptys, the only module that loads `serialport`),
 * `pipe.ts` (in-process pipe pairs), `pty.ts` (socat ptys for programs outside the process).
 *
 * Contract: `read(n)` resolves with exactly n bytes or rejects with a TIMEOUT {@link SerialError}
 * that says how many arrived (those are consumed and listed in `details.receivedBytes`); there are
 * no short reads.
 */
export type DataListener = (bytes: Uint8Array) => void;

export interface ByteStream {
  /** What this is connected to, for messages ("/dev/ttyUSB0", "virtual ATtiny824"). */
  readonly name: string;
  /**
   * True when `sendBreak` puts a real BREAK condition on the line (a serial port holding the line
   * low, a pipe that signals the far end). False over a pseudo-terminal, which carries bytes only:
   * there the BREAK is a 0x00 byte, and the far end can tell it from data only by the idle gap
   * before it.
   */
  readonly realBreak: boolean;
  write(bytes: Uint8Array): Promise<void>;
  /** Exactly `n` bytes, or a TIMEOUT SerialError after `timeoutMs`. */
  read(n: number, timeoutMs: number): Promise<Uint8Array>;
  /**
   * For consumers that take bytes as they come (the log tail): every received chunk goes to
   * `listener` (first what is buffered), and `read` is not used any more.
   */
  onData(listener: DataListener): void;
  /**
   * Called once when the stream ends: `reason` says why when it was lost (adapter unplugged, I/O
   * error); undefined when it was closed with `close()`.
   */
  onEnd(listener: (reason: string | undefined) => void): void;
  /** Discards everything received so far. */
  flushInput(): Promise<void>;
  setBaud(baud: number): Promise<void>;
  /** One BREAK (see `realBreak`); anything received until it is over is discarded. */
  sendBreak(): Promise<void>;
  /** Closes the stream; never throws. */
  close(): Promise<void>;
}

/**
 * The far end of a stream as a target model sees it: bytes from the host come in, bytes for the
 * host go out. Implemented by a pipe pair's device end and by a socat pty.
 */
export interface DeviceEnd {
  readonly name: string;
  /** Bytes the host wrote, in order. One listener; a later call replaces it. */
  onData(listener: DataListener): void;
  /** A BREAK condition from the host. Never called where the medium carries bytes only (a pty). */
  onBreak(listener: () => void): void;
  /** Bytes for the host. */
  write(bytes: Uint8Array): void;
}
