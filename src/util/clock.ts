/**
 * Time for code that talks to hardware: `now()` for deadlines and `sleep()` for waits, injected so
 * tests decide when time passes. `systemClock` is the real one (monotonic, Node timers);
 * `ManualClock` moves only when told to, so a timeout is reached by advancing it, never by waiting
 * or by scripting enough work to outlast the wall clock.
 */
import { setTimeout as sleepReal } from 'node:timers/promises';

export interface Clock {
  /** Milliseconds on a monotonic scale (only differences mean anything). */
  now(): number;
  /** Resolves after `ms`; rejects (with the abort reason) when `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) => sleepReal(Math.max(0, ms), undefined, signal ? { signal } : undefined),
};

interface Sleeper {
  at: number;
  seq: number;
  wake(): void;
}

export interface ManualClockOptions {
  /** Start time in ms (default 0). */
  start?: number;
  /**
   * Jump to the next wake-up whenever nothing else happens: after `IDLE_TURNS` turns of the event
   * loop in which no sleep started or ended, time moves to the earliest sleeper. Everything
   * in-process (pipes, scripted targets) then runs as fast as it can, and every wait and timeout
   * still happens in order, at its exact time.
   */
  autoAdvance?: boolean;
}

/** Event-loop turns without clock activity that count as idle (a pipe hop takes one). */
const IDLE_TURNS = 8;

/** A clock that moves only when told to (`advance`), or when everything waits (`autoAdvance`). */
export class ManualClock implements Clock {
  private t: number;
  private seq = 0;
  private sleepers: Sleeper[] = [];
  /** Sleeps started or ended; what auto-advance watches to tell idle from busy. */
  private activity = 0;
  private watching = false;
  private readonly autoAdvance: boolean;

  constructor(options: ManualClockOptions = {}) {
    this.t = options.start ?? 0;
    this.autoAdvance = options.autoAdvance ?? false;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        this.remove(sleeper);
        reject(signal!.reason);
      };
      const sleeper: Sleeper = {
        at: this.t + Math.max(0, ms),
        seq: this.seq++,
        wake: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
      this.activity++;
      if (this.autoAdvance) this.watch();
    });
  }

  /** Moves time forward by `ms`, waking every sleeper that falls due, each at its own time. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (let next = this.earliest(); next && next.at <= end; next = this.earliest()) {
      this.t = Math.max(this.t, next.at);
      this.remove(next);
      next.wake();
    }
    this.t = Math.max(this.t, end);
  }

  /** Moves time to the earliest wake-up (no-op without sleepers); returns whether one was woken. */
  advanceToNext(): boolean {
    const next = this.earliest();
    if (!next) return false;
    this.advance(Math.max(0, next.at - this.t));
    return true;
  }

  /** How many sleeps are pending. */
  get pending(): number {
    return this.sleepers.length;
  }

  private earliest(): Sleeper | undefined {
    let best: Sleeper | undefined;
    for (const s of this.sleepers) if (!best || s.at < best.at || (s.at === best.at && s.seq < best.seq)) best = s;
    return best;
  }

  private remove(sleeper: Sleeper): void {
    const i = this.sleepers.indexOf(sleeper);
    if (i >= 0) {
      this.sleepers.splice(i, 1);
      this.activity++;
    }
  }

  /** Auto-advance: watches the event loop while anyone sleeps (and only then: it keeps Node alive). */
  private watch(): void {
    if (this.watching) return;
    this.watching = true;
    let seen = this.activity;
    let quiet = 0;
    const turn = () => {
      if (!this.sleepers.length) {
        this.watching = false;
        return;
      }
      if (this.activity !== seen) {
        seen = this.activity;
        quiet = 0;
      } else if (++quiet >= IDLE_TURNS) {
        quiet = 0;
        this.advanceToNext();
        seen = this.activity;
      }
      setImmediate(turn);
    };
    setImmediate(turn);
  }
}
