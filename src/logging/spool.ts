/**
 * The on-disk spool in front of a database: every point is appended here (one write + fsync per
 * batch) before it is sent, and leaves only when the server has acknowledged it. So points survive
 * an outage, a slow server, a crash or `kill -9`, and are delivered in the order they arrived.
 *
 * Layout of one spool folder (one per target, see `targetKey`):
 *   00000001.lp, 00000002.lp …  segments of line protocol with ns timestamps, oldest first
 *   cursor                      `{"segment": n, "offset": bytes}`: everything before it is delivered
 *   lock                        the process using the spool (an exclusive lock file, src/util/lockfile.ts)
 * Exactly-once: a crash between "server stored the batch" and "cursor saved" makes the next run send
 * that batch again, with the same series and timestamps, which InfluxDB stores as the same points.
 * Segments roll at {@link SEGMENT_BYTES}; a fully delivered segment is deleted.
 */
import {
  closeSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { LtobmsError } from '../errors.js';
import { acquireLock, LockError, type HeldLock } from '../util/lockfile.js';

export const SEGMENT_BYTES = 8 * 1024 * 1024;
const READ_CHUNK = 2 * 1024 * 1024;

export interface SpoolBatch {
  readonly lines: string[];
  readonly segment: number;
  readonly end: number;
}

const segmentName = (n: number) => `${String(n).padStart(8, '0')}.lp`;

export class Spool {
  private cursor = { segment: 1, offset: 0 };
  private active = 1;
  private activeFd = -1;
  private activeSize = 0;
  private pendingLines = 0;
  private readBuffer = Buffer.alloc(0);
  private heldLock: HeldLock | undefined;

  private constructor(
    readonly dir: string,
    private readonly segmentBytes: number,
  ) {}

  /** Opens (or creates) the spool in `dir`, takes its lock, repairs a torn last line, counts what is pending. */
  static open(dir: string, options: { segmentBytes?: number } = {}): Spool {
    const spool = new Spool(dir, options.segmentBytes ?? SEGMENT_BYTES);
    spool.init();
    return spool;
  }

  /** Points waiting to be delivered. */
  get pending(): number {
    return this.pendingLines;
  }

  private init(): void {
    mkdirSync(this.dir, { recursive: true });
    this.lock();
    const segments = readdirSync(this.dir)
      .filter((n) => /^\d{8}\.lp$/.test(n))
      .map((n) => Number(n.slice(0, 8)))
      .sort((a, b) => a - b);
    try {
      const saved = JSON.parse(readFileSync(join(this.dir, 'cursor'), 'utf8')) as { segment: number; offset: number };
      if (Number.isInteger(saved.segment) && Number.isInteger(saved.offset)) this.cursor = saved;
    } catch {
      // no cursor yet: start at the oldest segment
      this.cursor = { segment: segments[0] ?? 1, offset: 0 };
    }
    // Segments older than the cursor are delivered leftovers of a crash between delete and save.
    for (const n of segments.filter((s) => s < this.cursor.segment)) unlinkSync(join(this.dir, segmentName(n)));
    const live = segments.filter((s) => s >= this.cursor.segment);
    if (live.length === 0 || live[0]! > this.cursor.segment) this.cursor = { segment: live[0] ?? this.cursor.segment, offset: 0 };
    this.active = live.length ? live[live.length - 1]! : this.cursor.segment;
    this.activeFd = openSync(join(this.dir, segmentName(this.active)), 'a+');
    this.repairTornTail();
    this.activeSize = fstatSync(this.activeFd).size;
    if (this.cursor.segment === this.active && this.cursor.offset > this.activeSize) this.cursor.offset = this.activeSize;
    for (const n of live) {
      const size = n === this.active ? this.activeSize : statSync(join(this.dir, segmentName(n))).size;
      const from = n === this.cursor.segment ? Math.min(this.cursor.offset, size) : 0;
      this.pendingLines += this.countLines(n, from, size);
    }
  }

  private lock(): void {
    try {
      // A lock naming this process is a spool it opened and never closed (a crash, as far as
      // this spool knows): take it over, as a restarted process would.
      this.heldLock = acquireLock(join(this.dir, 'lock'), { ownPid: 'take-over' });
    } catch (err) {
      if (!(err instanceof LockError)) throw err;
      if (err.reason === 'held' && err.owner) {
        throw new LtobmsError(`the spool ${this.dir} is in use by another ltobms log (pid ${err.owner.pid})`, {
          code: 'SPOOL_LOCKED',
          hint: 'stop the other logger, or give this one its own --data-dir',
        });
      }
      throw new LtobmsError(err.message, { code: 'SPOOL_IO', hint: `check the permissions of ${this.dir}` });
    }
  }

  /** A crash can leave half a line at the end of the active segment: it was never acknowledged, drop it. */
  private repairTornTail(): void {
    const size = fstatSync(this.activeFd).size;
    if (size === 0) return;
    const tailLength = Math.min(size, 64 * 1024);
    const tail = Buffer.alloc(tailLength);
    readSync(this.activeFd, tail, 0, tailLength, size - tailLength);
    if (tail[tailLength - 1] === 0x0a) return;
    const lastNewline = tail.lastIndexOf(0x0a);
    const keep = lastNewline < 0 ? (size > tailLength ? size : 0) : size - tailLength + lastNewline + 1;
    ftruncateSync(this.activeFd, keep);
    fsyncSync(this.activeFd);
  }

  private countLines(segment: number, from: number, to: number): number {
    return countLines(join(this.dir, segmentName(segment)), from, to);
  }

  /** Appends lines (each without `\n`) durably: one write, one fsync. */
  append(lines: readonly string[]): void {
    if (lines.length === 0) return;
    if (this.activeSize >= this.segmentBytes) this.roll();
    const data = Buffer.from(lines.join('\n') + '\n', 'utf8');
    let written = 0;
    while (written < data.length) written += writeSync(this.activeFd, data, written);
    fsyncSync(this.activeFd);
    this.activeSize += data.length;
    this.pendingLines += lines.length;
  }

  private roll(): void {
    closeSync(this.activeFd);
    this.active++;
    this.activeFd = openSync(join(this.dir, segmentName(this.active)), 'a+');
    this.activeSize = 0;
  }

  /** The oldest undelivered lines (at most `maxLines`, all from one segment), or undefined if none. */
  peek(maxLines: number): SpoolBatch | undefined {
    for (;;) {
      const { segment, offset } = this.cursor;
      const size = segment === this.active ? this.activeSize : statSync(join(this.dir, segmentName(segment))).size;
      if (offset >= size) {
        if (segment >= this.active) return undefined;
        this.advanceSegment();
        continue;
      }
      const want = Math.min(size - offset, READ_CHUNK);
      if (this.readBuffer.length < want) this.readBuffer = Buffer.alloc(READ_CHUNK);
      const fd = segment === this.active ? this.activeFd : openSync(join(this.dir, segmentName(segment)), 'r');
      let got: number;
      try {
        got = readSync(fd, this.readBuffer, 0, want, offset);
      } finally {
        if (fd !== this.activeFd) closeSync(fd);
      }
      const lines: string[] = [];
      let pos = 0;
      while (lines.length < maxLines) {
        const nl = this.readBuffer.indexOf(0x0a, pos);
        if (nl < 0 || nl >= got) break;
        lines.push(this.readBuffer.toString('utf8', pos, nl));
        pos = nl + 1;
      }
      if (lines.length === 0) {
        throw new LtobmsError(`spool segment ${segmentName(segment)} has a line longer than ${READ_CHUNK} bytes`, {
          code: 'SPOOL_CORRUPT',
          hint: `move ${this.dir} aside and start again`,
        });
      }
      return { lines, segment, end: offset + pos };
    }
  }

  /** Marks a batch from {@link peek} as delivered (or dead-lettered) and saves the cursor. */
  commit(batch: SpoolBatch): void {
    if (batch.segment !== this.cursor.segment || batch.end <= this.cursor.offset) {
      throw new Error('spool commit out of order');
    }
    this.cursor = { segment: batch.segment, offset: batch.end };
    this.pendingLines -= batch.lines.length;
    if (batch.segment === this.active && batch.end >= this.activeSize) {
      // Everything is delivered: start a fresh segment so the spool does not grow while healthy.
      this.roll();
      this.cursor = { segment: this.active, offset: 0 };
      this.saveCursor();
      rmSync(join(this.dir, segmentName(batch.segment)), { force: true });
      return;
    }
    this.saveCursor();
  }

  private advanceSegment(): void {
    const done = this.cursor.segment;
    this.cursor = { segment: done + 1, offset: 0 };
    this.saveCursor();
    rmSync(join(this.dir, segmentName(done)), { force: true });
  }

  private saveCursor(): void {
    const tmp = join(this.dir, 'cursor.tmp');
    writeFileSync(tmp, JSON.stringify(this.cursor));
    renameSync(tmp, join(this.dir, 'cursor'));
  }

  /** Saves the cursor, closes the segment and releases the lock. */
  close(): void {
    if (this.activeFd < 0) return;
    this.saveCursor();
    closeSync(this.activeFd);
    this.activeFd = -1;
    if (this.activeSize === 0 && this.pendingLines === 0) rmSync(join(this.dir, segmentName(this.active)), { force: true });
    this.heldLock?.release();
  }
}

/** Newlines in `path` between byte `from` and `to`. */
function countLines(path: string, from: number, to: number): number {
  const fd = openSync(path, 'r');
  try {
    let count = 0;
    const buf = Buffer.alloc(Math.min(READ_CHUNK, Math.max(to - from, 1)));
    for (let pos = from; pos < to; ) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, to - pos), pos);
      if (n <= 0) break;
      for (let i = buf.indexOf(0x0a, 0); i >= 0 && i < n; i = buf.indexOf(0x0a, i + 1)) count++;
      pos += n;
    }
    return count;
  } finally {
    closeSync(fd);
  }
}

/**
 * Points waiting in a spool folder, read without opening it (no lock taken, nothing repaired): for
 * telling the user about spools another configuration left behind. Also the segment files that hold them.
 */
export function spoolBacklog(dir: string): { points: number; segments: string[] } {
  let cursor = { segment: 0, offset: 0 };
  try {
    cursor = JSON.parse(readFileSync(join(dir, 'cursor'), 'utf8')) as typeof cursor;
  } catch {
    // no cursor: nothing delivered yet
  }
  let points = 0;
  const segments: string[] = [];
  for (const name of readdirSync(dir).filter((n) => /^\d{8}\.lp$/.test(n)).sort()) {
    const n = Number(name.slice(0, 8));
    if (n < cursor.segment) continue;
    const path = join(dir, name);
    const lines = countLines(path, n === cursor.segment ? cursor.offset : 0, statSync(path).size);
    if (lines > 0) segments.push(path);
    points += lines;
  }
  return { points, segments };
}
