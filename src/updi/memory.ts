/**
 * Block reads over UPDI, chunked at the REPEAT limit: LD *ptr++ with word size moves 2 bytes per
 * repeat, so one chunk carries up to 512 bytes and costs one bus turnaround. The pointer is set
 * once and runs on from chunk to chunk.
 */
import type { UpdiLink } from './link.js';
import { CS, CTRLA, REPEAT_MAX } from './constants.js';
import { hex } from '../util/hex.js';

/** Largest read per turnaround: 256 repeats of a 16-bit load. */
export const READ_CHUNK = REPEAT_MAX * 2;

export class UpdiMemory {
  constructor(readonly link: UpdiLink) {}

  /**
   * Reads `length` bytes from data-space `address`. `onChunk(bytesSoFar)` is called after each
   * chunk. Response signatures are disabled for the read so the pointer store needs no ACK round
   * trip; the previous CTRLA is restored afterwards (without waiting).
   */
  async read(address: number, length: number, onChunk?: (done: number) => void): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    await this.readInto(address, out, onChunk);
    return out;
  }

  /**
   * Like `read`, into `target` (length = target.length): chunks land in `target` as they arrive,
   * so after a failure the caller knows from `onChunk` how much is already there. `maxChunk`:
   * bytes per turnaround at most (smaller after a failed chunk: less to lose to one bad byte).
   */
  async readInto(address: number, target: Uint8Array, onChunk?: (done: number) => void, maxChunk = READ_CHUNK): Promise<void> {
    const length = target.length;
    if (length === 0) return;
    if (length === 1) {
      target.set(await this.link.lds(address, 1));
      onChunk?.(1);
      return;
    }
    const restore = this.link.ctrlAValue & ~CTRLA.RSD;
    let done = 0;
    let first = true;
    while (done < length) {
      const left = length - done;
      const b = this.link.burst();
      if (first) {
        if (!b.rsd) b.stcs(CS.CTRLA, restore | CTRLA.RSD);
        b.stPtr(address);
        first = false;
      }
      // An odd length that fits one REPEAT goes in byte loads, one turnaround (a signature: 3 bytes).
      const bytewise = length % 2 === 1 && length <= Math.min(REPEAT_MAX, maxChunk);
      const size = left >= 2 && !bytewise ? 2 : 1;
      const count = size === 2 ? Math.min(REPEAT_MAX, Math.floor(Math.min(left, maxChunk) / 2)) : bytewise ? left : 1;
      b.ldInc(count, size);
      const data = await this.link.run(b, `read ${hex(address + done)}+${count * size}`);
      target.set(data, done);
      done += data.length;
      onChunk?.(done);
    }
    if (this.link.ctrlAValue !== restore) await this.link.stcs(CS.CTRLA, restore);
  }

  async readByte(address: number): Promise<number> {
    const [v] = await this.link.lds(address, 1);
    return v!;
  }
}
