/**
 * A board's log frames one at a time, for a job that waits for the next measurement (calibrate):
 * the UART's bytes go through the log tail's own line reader (src/logging/reader.ts), complete frames
 * queue up, and `next` takes them in order or fails after a timeout. Debug lines and garbage are
 * counted, not returned. Time comes from an injected clock.
 */
import { FrameClock } from '../logging/clock.js';
import type { Frame } from '../logging/frame.js';
import { createFrameReader } from '../logging/reader.js';
import { LtobmsError } from '../errors.js';
import type { ByteStream } from '../serial/stream.js';
import { systemClock, type Clock } from '../util/clock.js';

export interface FrameSource {
  /** Where the frames come from (for messages). */
  readonly name: string;
  /** Forgets the frames received so far (they were measured before what the caller did since). */
  discard(): void;
  /** The next frame; a CALIBRATE_NO_FRAMES error when none completes within `timeoutMs`. */
  next(timeoutMs: number, signal?: AbortSignal): Promise<Frame>;
  /** Lines that were not frames (debug text, garbage) so far. */
  readonly otherLines: number;
  close(): Promise<void>;
}

/** Frames from an open byte stream (a serial port at 9600 baud, or an in-process pipe's host end). */
export function streamFrameSource(stream: ByteStream, clock: Clock = systemClock): FrameSource {
  const queue: Frame[] = [];
  let wake: (() => void) | undefined;
  let ended: string | undefined;
  let otherLines = 0;
  const reader = createFrameReader(stream.name, new FrameClock(), (event) => {
    if (event.type !== 'frame') {
      otherLines++;
      return;
    }
    queue.push(event.point.frame);
    wake?.();
  });
  stream.onData((chunk) => reader.push(chunk));
  stream.onEnd((why) => {
    reader.end();
    ended = why ?? 'closed';
    wake?.();
  });
  return {
    name: stream.name,
    get otherLines() {
      return otherLines;
    },
    discard() {
      queue.length = 0;
    },
    async next(timeoutMs, signal) {
      const deadline = clock.now() + timeoutMs;
      for (;;) {
        const frame = queue.shift();
        if (frame) return frame;
        if (ended !== undefined) {
          throw new LtobmsError(`${stream.name} closed while waiting for a log frame (${ended})`, { code: 'CALIBRATE_UART_LOST', hint: 'check the UART adapter and run ltobms calibrate again' });
        }
        const left = deadline - clock.now();
        if (left <= 0) {
          const seen = otherLines ? ` (${otherLines} other line${otherLines === 1 ? '' : 's'} arrived)` : '';
          throw new LtobmsError(`no log frame on ${stream.name} within ${Math.round(timeoutMs / 1000)} s${seen}`, {
            code: 'CALIBRATE_NO_FRAMES',
            hint: 'the board prints a frame a minute: check that it runs the ltobms firmware, that its TX reaches --uart-port (9600 baud), or raise --frame-timeout',
            details: { port: stream.name, otherLines },
          });
        }
        // Wakes on a frame, the end of the stream, the timeout or the signal, whichever is first.
        const stop = new AbortController();
        const arrived = new Promise<void>((resolve) => (wake = resolve));
        await Promise.race([arrived, clock.sleep(left, AbortSignal.any([stop.signal, ...(signal ? [signal] : [])])).catch(() => undefined)]);
        wake = undefined;
        stop.abort();
        signal?.throwIfAborted();
      }
    },
    close: () => stream.close(),
  };
}
