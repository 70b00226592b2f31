import { seriesKey, type Frame } from './frame.js';

/**
 * Host timestamps for frames, in ns since the Unix epoch.
 *
 * `Date.now()` has only ms resolution and can jump; `process.hrtime` is monotonic with ns
 * resolution but has no epoch. So the clock anchors hrtime to the wall clock at start and re-anchors
 * when the two drift apart by more than a second (NTP corrections over months of logging). Per series
 * (measurement + id) timestamps are strictly increasing, so two frames can never overwrite each other
 * in InfluxDB, even after a wall-clock step backwards.
 */
export class FrameClock implements FrameStamper {
  private anchorWallNs = 0n;
  private anchorMonoNs = 0n;
  private readonly last = new Map<string, bigint>();

  constructor(
    private readonly wallMs: () => number = Date.now,
    private readonly monoNs: () => bigint = process.hrtime.bigint,
  ) {
    this.anchor();
  }

  private anchor(): void {
    this.anchorWallNs = BigInt(this.wallMs()) * 1_000_000n;
    this.anchorMonoNs = this.monoNs();
  }

  /** The current time in ns. */
  now(): bigint {
    let t = this.anchorWallNs + (this.monoNs() - this.anchorMonoNs);
    const wall = BigInt(this.wallMs()) * 1_000_000n;
    const drift = t > wall ? t - wall : wall - t;
    if (drift > 1_000_000_000n) {
      this.anchor();
      t = this.anchorWallNs;
    }
    return t;
  }

  /** A timestamp for a frame of `series` that is later than every earlier one of that series. */
  stamp(series: string): bigint {
    let t = this.now();
    const previous = this.last.get(series);
    if (previous !== undefined && t <= previous) t = previous + 1n;
    this.last.set(series, t);
    return t;
  }
}

/**
 * What stamps frames as their lines complete: {@link FrameClock} (the host's wall time, for real
 * ports) or {@link SimulatedFrameClock} (the virtual board's simulated time).
 */
export interface FrameStamper {
  /** A timestamp (ns) for `frame` of `series`, later than every earlier one of that series. */
  stamp(series: string, frame: Frame): bigint;
}

/** Where simulated time 0 falls on the wall clock (ns since the epoch). */
export function simulatedStartNs(options: { startMs?: number; durationSeconds?: number; nowMs: number }): bigint {
  // A bounded run ends at (about) the wall time it ended, so a replay of it lies in the past and
  // spans as long as it simulated; an open-ended one starts now.
  const startMs = options.startMs ?? options.nowMs - (options.durationSeconds ?? 0) * 1000;
  return BigInt(Math.round(startMs)) * 1_000_000n;
}

/**
 * Timestamps from the virtual board's clock: each frame is stamped with the simulated time at which
 * the board sent its last byte, plus an anchor on the wall clock. The board runtime reports each
 * frame it prints ({@link noteFrame}); the log reader, which gets the same line later through the
 * UART pseudo-terminal, finds it by series and uptime, so the lag of the pty (many simulated
 * seconds at max speed) does not shift the stamp. A frame the runtime did not report (none should)
 * gets the simulated time of now.
 */
export class SimulatedFrameClock implements FrameStamper {
  /** Print times of the frames not stamped yet, oldest first, by series and uptime. A board that
   * resets prints a start-up frame with uptime 0 each time, and a reader attached after the first
   * never gets it: a frame the reader gets is the latest print of its series and uptime. */
  private readonly printed = new Map<string, number[]>();
  private pending = 0;
  private readonly last = new Map<string, bigint>();

  constructor(
    /** Wall time (ns since the epoch) of simulated time 0. */
    public startNs: bigint,
    /** The board's simulated time now (s). */
    private readonly simulatedNow: () => number,
  ) {}

  /** The board printed `frame` at simulated time `t` (s). */
  noteFrame(frame: Frame, t: number): void {
    const key = printedKey(frame);
    const times = this.printed.get(key);
    if (times) times.push(t);
    else this.printed.set(key, [t]);
    // A reader that never comes must not grow the map without bound: forget the oldest series.
    if (++this.pending > 10_000) {
      const [oldest, list] = this.printed.entries().next().value!;
      this.pending -= list.length;
      this.printed.delete(oldest);
    }
  }

  stamp(series: string, frame: Frame): bigint {
    const key = printedKey(frame);
    const times = this.printed.get(key);
    const t = times?.at(-1) ?? this.simulatedNow();
    if (times) {
      // Older prints with the same uptime were never read (they came before the reader attached).
      this.pending -= times.length;
      this.printed.delete(key);
    }
    let ns = this.startNs + BigInt(Math.round(t * 1e9));
    const previous = this.last.get(series);
    if (previous !== undefined && ns <= previous) ns = previous + 1n;
    this.last.set(series, ns);
    return ns;
  }
}

const printedKey = (frame: Frame): string => `${seriesKey(frame)} ${frame.uptime}`;
