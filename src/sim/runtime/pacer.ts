/**
 * Maps simulated time onto the wall clock: `--speed 1` real time, `N` N times faster, `max` as fast
 * as the emulator goes. The emulator runs in short slices and yields to the event loop between them,
 * so the UPDI and UART pseudo-terminals stay responsive even at `max`.
 */
import { setImmediate as yieldNow, setTimeout as sleep } from 'node:timers/promises';
import type { BoardRuntime } from './board-runtime.js';

/** `max`, or a factor > 0 (1 = real time). */
export type SimSpeed = number | 'max';

export interface PaceOptions {
  speed: SimSpeed;
  /** Simulated seconds after which the run ends (the scenario's duration); undefined = until aborted. */
  endAt?: number;
  signal?: AbortSignal;
  /** Called after every slice (flush buffered output here). */
  afterSlice?: () => void;
  /** Wall clock in ms (tests and benches may pass their own). */
  now?: () => number;
}

export type PaceResult = 'ended' | 'aborted';

/** Wall time one slice may take before the loop yields (ms). */
const SLICE_MS = 15;
/** Longest and shortest simulated time per emulator call (s). A sleeping firmware's quiet second takes ~20 µs: the
 * longest call is several of them, so the per-call work (two clock reads) stays out of the figure. */
const MAX_CHUNK_S = 8;
const MIN_CHUNK_S = 0.0005;
/** Wall time one emulator call should take (ms): the chunk adapts to the program (a sleeping firmware
 * covers a simulated second in microseconds, a CPU that never sleeps needs about a wall second). */
const CALL_MS = 4;
/** Paced runs tick this often (ms). */
const TICK_MS = 10;
/** A paced run that falls further behind than this (wall ms) drops the debt instead of racing. */
const MAX_DEBT_MS = 500;
/** Poll interval while the CPU is parked (ms). */
const PARKED_MS = 20;

/** Parses `--speed`: `max`, or a positive number. Returns undefined for anything else. */
export function parseSpeed(text: string): SimSpeed | undefined {
  if (text.trim().toLowerCase() === 'max') return 'max';
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Runs the board until `endAt` (simulated) or the signal fires. */
export async function paceRuntime(runtime: BoardRuntime, options: PaceOptions): Promise<PaceResult> {
  const now = options.now ?? (() => performance.now());
  const endAt = options.endAt ?? Infinity;
  const ended = () => runtime.time >= endAt - 1e-9;
  let lastWall = now();
  let chunk = MIN_CHUNK_S * 8;
  /** One emulator call up to `limit`, with the chunk sized so the call stays near CALL_MS. */
  const step = (limit: number) => {
    const t0 = now();
    runtime.advance(Math.min(limit, runtime.time + chunk));
    const ms = now() - t0;
    if (ms > CALL_MS) chunk = Math.max(MIN_CHUNK_S, chunk / 2);
    else if (ms < CALL_MS / 4) chunk = Math.min(MAX_CHUNK_S, chunk * 2);
  };
  while (!ended()) {
    if (options.signal?.aborted) return 'aborted';
    if (runtime.parked) {
      await sleep(PARKED_MS);
      lastWall = now();
      continue;
    }
    const sliceStart = now();
    if (options.speed === 'max') {
      while (!ended() && !runtime.parked && now() - sliceStart < SLICE_MS) step(endAt);
      options.afterSlice?.();
      await yieldNow();
    } else {
      const wall = now();
      const owedMs = Math.min(wall - lastWall, MAX_DEBT_MS);
      lastWall = wall;
      const target = Math.min(runtime.time + (owedMs / 1000) * options.speed, endAt);
      // Fast factors still run in bounded pieces so one tick never blocks for long.
      while (!ended() && !runtime.parked && runtime.time < target && now() - sliceStart < SLICE_MS) step(target);
      options.afterSlice?.();
      await sleep(TICK_MS);
    }
  }
  options.afterSlice?.();
  return 'ended';
}
