/**
 * Turns a byte stream (UART chunks, file chunks) into lines, with bounded memory.
 *
 * A line ends at `\n`; one `\r` before it is dropped, so both `\n` and `\r\n` firmware endings work.
 * A line longer than the limit is not buffered: its bytes are discarded up to the next `\n` and it
 * is reported once as oversized. Bytes left without a line ending when the stream ends (a port
 * unplugged mid-frame) are reported as a partial line.
 */
import { MAX_LINE_BYTES } from './frame.js';

export type LineStatus = 'complete' | 'oversized' | 'partial';

/**
 * Receives each line. `line` is a view that is only valid during the call (it may point into the
 * caller's chunk or the assembler's buffer); copy it to keep it.
 */
export type LineCallback = (line: Uint8Array, status: LineStatus) => void;

const LF = 0x0a;
const CR = 0x0d;

export class LineAssembler {
  private readonly buffer: Buffer;
  private length = 0;
  /** Bytes dropped from the current (too long) line; 0 while the line still fits. */
  private dropped = 0;

  constructor(
    private readonly onLine: LineCallback,
    readonly maxLineBytes: number = MAX_LINE_BYTES,
  ) {
    // One extra byte so that a maximal line followed by its `\r` still fits.
    this.buffer = Buffer.alloc(maxLineBytes + 1);
  }

  /** Feeds one chunk; calls `onLine` for every line it completes. */
  push(chunk: Uint8Array): void {
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(LF, pos);
      const stop = nl < 0 ? chunk.length : nl;
      if (this.length === 0 && this.dropped === 0 && nl >= 0) {
        // Fast path: the whole line is inside this chunk, no copy.
        const end = stop > pos && chunk[stop - 1] === CR ? stop - 1 : stop;
        if (end - pos > this.maxLineBytes) this.onLine(chunk.subarray(pos, end), 'oversized');
        else this.onLine(chunk.subarray(pos, end), 'complete');
      } else {
        this.append(chunk, pos, stop);
        if (nl >= 0) this.finishLine('complete');
      }
      pos = nl < 0 ? chunk.length : nl + 1;
    }
  }

  /** The stream ended (port closed, end of file): reports a pending partial line, if any. */
  end(): void {
    if (this.length > 0 || this.dropped > 0) this.finishLine('partial');
  }

  /** Bytes currently held for an unfinished line (bounded by the limit). */
  get pendingBytes(): number {
    return this.length;
  }

  private append(chunk: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (this.dropped > 0 || this.length + n > this.buffer.length) {
      this.dropped += this.length + n;
      this.length = 0;
      return;
    }
    this.buffer.set(chunk.subarray(from, to), this.length);
    this.length += n;
  }

  private finishLine(status: LineStatus): void {
    if (this.dropped > 0) {
      this.dropped = 0;
      this.onLine(this.buffer.subarray(0, 0), status === 'partial' ? 'partial' : 'oversized');
      return;
    }
    let end = this.length;
    if (status === 'complete' && end > 0 && this.buffer[end - 1] === CR) end--;
    this.length = 0;
    if (end > this.maxLineBytes) this.onLine(this.buffer.subarray(0, end), 'oversized');
    else this.onLine(this.buffer.subarray(0, end), status);
  }
}
