/**
 * From bytes to typed events: one {@link LineAssembler} per source, every completed line classified
 * (frame / debug text / garbage; half a frame before a new one is garbage of its own) and every frame stamped when its line completed (host time, or the virtual board's simulated time).
 */
import { classifyLine, lastFrameStart, previewBytes, seriesKey, type GarbageReason, type Point } from './frame.js';
import { LineAssembler } from './lines.js';
import type { FrameStamper } from './clock.js';

export type LineEvent =
  | { type: 'frame'; port: string; point: Point }
  | { type: 'debug'; port: string; text: string }
  | { type: 'garbage'; port: string; reason: GarbageReason; detail: string };

/** Builds the line handling for one port: feed it chunks, end it when the port goes away. */
export function createFrameReader(
  port: string,
  clock: FrameStamper,
  onEvent: (event: LineEvent) => void,
): LineAssembler {
  return new LineAssembler((line, status) => {
    if (status !== 'complete') {
      onEvent({ type: 'garbage', port, reason: status, detail: `${line.length} bytes kept` });
      return;
    }
    // A board that resets mid-frame leaves half a line that the next frame completes: the half
    // is garbage on its own, the frame after it is whole.
    const cut = lastFrameStart(line);
    if (cut > 0) {
      onEvent({ type: 'garbage', port, reason: 'partial', detail: `${cut} bytes cut off by a new frame: ${previewBytes(line, 0, cut)}` });
      line = line.subarray(cut);
    }
    const c = classifyLine(line, 0, line.length, { timestamp: 'forbidden' });
    switch (c.kind) {
      case 'frame':
        onEvent({ type: 'frame', port, point: { frame: c.frame, timeNs: clock.stamp(seriesKey(c.frame), c.frame) } });
        break;
      case 'debug':
        onEvent({ type: 'debug', port, text: c.text });
        break;
      case 'garbage':
        onEvent({ type: 'garbage', port, reason: c.reason, detail: c.detail });
        break;
      case 'blank':
        break;
    }
  });
}
