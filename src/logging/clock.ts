/**
 * Host timestamps for frames, in ns since the Unix epoch.
 *
 * `Date.now()` has only ms resolution and can jump; `process.hrtime` is monotonic with ns
 * resolution but has no epoch. So the clock anchors hrtime to the wall clock at start and re-anchors
 * when the two drift apart by more than a second (NTP corrections over months of logging). Per series
 * (measurement + id) timestamps are strictly increasing, so two frames can never overwrite each other
 * in InfluxDB, even after a wall-clock step backwards.
 */
export class FrameClock {
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
