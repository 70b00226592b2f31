/**
 * Time for the wire model: now() in seconds plus one-shot timers at an absolute time.
 * `realClock` runs on the monotonic clock and Node timers; `ManualClock` is advanced by hand
 * (tests, benches), so pacing and latency can be checked to the microsecond without sleeping.
 */
import type { Clock } from '../../util/clock.js';

export interface WireClock {
  /** Seconds on a monotonic scale. */
  now(): number;
  /** Runs `fn` once at `atSeconds` (or as soon as possible if that has passed); returns a cancel function. */
  setTimer(atSeconds: number, fn: () => void): () => void;
}

/**
 * The wire model's clock (seconds, timers at absolute times) on a millisecond {@link Clock}, so a
 * programmer and the virtual part behind its wire share one virtual time (tests, benches).
 */
export function wireClockOn(clock: Clock): WireClock {
  return {
    now: () => clock.now() / 1000,
    setTimer(atSeconds, fn) {
      const cancel = new AbortController();
      // 1 ns late, so that at wake-up now() is never a rounding error short of the event's time.
      void clock.sleep(Math.max(0, atSeconds * 1000 - clock.now()) + 1e-6, cancel.signal).then(fn, () => undefined);
      return () => cancel.abort();
    },
  };
}

export const realClock: WireClock = {
  now: () => performance.now() / 1000,
  setTimer(atSeconds, fn) {
    const delayMs = Math.max(0, (atSeconds - performance.now() / 1000) * 1000);
    const handle = setTimeout(fn, delayMs);
    return () => clearTimeout(handle);
  },
};

interface ManualTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/** A clock that only moves when told to; timers fire in time order during {@link advance}. */
export class ManualClock implements WireClock {
  private t: number;
  private seq = 0;
  private timers: ManualTimer[] = [];

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimer(atSeconds: number, fn: () => void): () => void {
    const timer = { at: atSeconds, seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  /** Moves time forward by `seconds`, firing every timer that falls due, each at its own time. */
  advance(seconds: number): void {
    const end = this.t + seconds;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = Math.max(this.t, due.at);
      due.fn();
    }
    this.t = end;
  }

  /** Advances until no timer is pending (bounded, to catch runaway rescheduling). */
  runAll(limitSeconds = 60): void {
    const stop = this.t + limitSeconds;
    while (this.timers.length && this.t < stop) {
      const next = Math.min(...this.timers.map((x) => x.at));
      this.advance(Math.max(0, next - this.t));
    }
  }

  get pendingTimers(): number {
    return this.timers.length;
  }
}
