/**
 * Draws the programmer's progress events (src/updi/progress.ts) on stderr: a bar with bytes,
 * percent and rate for each write / verify / read, an ora spinner for operations without byte
 * counts (chip erase, connecting), and a line for every retry. Bars and spinners only on a TTY;
 * retries always. The one-line summary (bytes, seconds, KB/s) is formatted here and printed by the
 * command; its rate and the bars' are one figure. Everything drawn comes from the events: bytes, totals and times are the library's.
 */
import type { Ora } from 'ora';
import type { Phase, ProgressEvent } from '../updi/progress.js';

const BAR_WIDTH = 24;
const REDRAW_MS = 80;

const VERB: Record<Phase, string> = { erase: 'erase', program: 'write', verify: 'verify', read: 'read' };

export interface ProgressOptions {
  stream?: NodeJS.WriteStream;
  /** Draw bars and spinners (default: when the stream is a TTY). */
  interactive?: boolean;
  /** Milliseconds now, for pacing redraws (default: the wall clock). */
  now?: () => number;
}

export class ProgressView {
  private readonly stream: NodeJS.WriteStream;
  private readonly interactive: boolean;
  private spinner: Ora | undefined;
  /** ora, loaded only for a terminal (it costs ~90 ms of start-up). */
  private ora: typeof import('ora').default | undefined;
  /** Spinner text waiting for ora to load. */
  private pendingSpin: string | undefined;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private barOpen = false;
  private readonly now: () => number;

  constructor(options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.now = options.now ?? Date.now;
    // A terminal that reports no width (some pseudo-terminals) would send ora's redraw into a loop.
    this.interactive = options.interactive ?? (this.stream.isTTY === true && (this.stream.columns ?? 0) > 0 && !process.env.CI);
    if (this.interactive) {
      void import('ora').then((m) => {
        this.ora = m.default;
        if (this.pendingSpin !== undefined) this.spin(this.pendingSpin);
      });
    }
  }

  /** The callback to hand to the library. */
  readonly onProgress = (e: ProgressEvent): void => {
    switch (e.type) {
      case 'started':
        if (e.phase === 'erase') this.spin(`erasing ${e.memory === 'chip' ? 'the chip' : e.memory}`);
        else this.draw({ phase: e.phase, memory: e.memory, bytes: 0, totalBytes: e.totalBytes, elapsedMs: 0 }, true);
        break;
      case 'progress':
        this.draw(e, false);
        break;
      case 'finished':
        if (e.phase === 'erase') this.stopSpinner(`erased ${e.memory === 'chip' ? 'the chip' : e.memory} (${seconds(e.elapsedMs)})`);
        else if (e.whileWriting) this.line(`verify ${e.memory}: ${e.bytes} B read back while writing`);
        else {
          this.draw({ ...e, totalBytes: e.bytes }, true);
          this.endBar();
        }
        break;
      case 'failed':
        this.endBar();
        this.stopSpinner();
        break;
      case 'retry':
        this.endBar();
        this.stream.write(`retry ${e.attempt}/${e.maxAttempts}: ${VERB[e.phase]} ${e.memory} at 0x${e.address.toString(16)}: ${e.reason}\n`);
        break;
    }
  };

  /** Shows a spinner with `text` (TTY only) until the next event or `stop`. */
  spin(text: string): void {
    if (!this.interactive) return;
    this.endBar();
    this.spinner?.stop();
    this.pendingSpin = undefined;
    if (this.ora) this.spinner = this.ora({ text, stream: this.stream }).start();
    else this.pendingSpin = text;
  }

  /** Clears whatever is being drawn. Call before printing results. */
  stop(): void {
    this.stopSpinner();
    this.endBar();
  }

  private stopSpinner(text?: string): void {
    this.pendingSpin = undefined;
    if (!this.spinner) return;
    if (text) this.spinner.succeed(text);
    else this.spinner.stop();
    this.spinner = undefined;
  }

  private line(text: string): void {
    if (!this.interactive) return;
    this.endBar();
    this.stream.write(text + '\n');
  }

  private draw(bar: BarState, force: boolean): void {
    if (!this.interactive) return;
    const now = this.now();
    if (!force && now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    this.stopSpinner();
    this.stream.write(`\r${renderBar(bar)}\x1b[K`);
    this.barOpen = true;
  }

  private endBar(): void {
    if (this.barOpen) this.stream.write('\n');
    this.barOpen = false;
  }
}

/** What a bar shows: an operation, how far it is, and for how long it has run. */
export interface BarState {
  phase: Phase;
  memory: string;
  bytes: number;
  totalBytes: number;
  elapsedMs: number;
}

/**
 * One bar line: `write flash   [#########---------------]  3072/8192 B  37%  10.4 KB/s  ETA 0.5 s`.
 * The rate is this operation's bytes over its own time, the same figure {@link summaryLine} gives
 * for the operation once it has finished; the ETA assumes the rest goes at that rate (none before
 * the first bytes, none once done).
 */
export function renderBar(bar: BarState): string {
  const { phase, memory, bytes, totalBytes: total, elapsedMs: ms } = bar;
  const frac = total > 0 ? Math.min(1, bytes / total) : 1;
  const filled = Math.round(frac * BAR_WIDTH);
  const label = `${VERB[phase]} ${memory}`.padEnd(13);
  const line = `${label} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${bytes}/${total} B ${String(Math.round(frac * 100)).padStart(3)}%  ${rate(bytes, ms)}`;
  if (bytes >= total) return line;
  return `${line}  ETA ${bytes > 0 && ms > 0 ? seconds(((total - bytes) * ms) / bytes) : '–'}`;
}

/** KB/s with KB = 1024 bytes. */
export function rate(bytes: number, ms: number): string {
  if (ms <= 0) return '– KB/s';
  return `${(bytes / 1024 / (ms / 1000)).toFixed(1)} KB/s`;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** What a finished operation moved and how long it took (the library's PhaseResult). */
export interface TimedPhase {
  bytes: number;
  ms: number;
}

/**
 * The one-line summary every programming command prints: what moved, how long, how fast. With the
 * operations' `phases`, the rate is theirs — bytes over the time of the operations that moved them,
 * as the bars showed it (a verify done by the page writes took no time of its own and adds no
 * bytes; connecting and erasing move no image bytes) — while the seconds are the whole job's.
 * Without, all bytes over the job's time.
 */
export function summaryLine(parts: { label: string; bytes: number }[], ms: number, phases?: readonly TimedPhase[]): string {
  const what = parts.map((p) => `${p.label} ${p.bytes} B`).join(', ');
  const timed = phases?.filter((p) => p.ms > 0);
  if (timed?.length) {
    return `${what} in ${seconds(ms)} (${rate(timed.reduce((n, p) => n + p.bytes, 0), timed.reduce((n, p) => n + p.ms, 0))})`;
  }
  const moved = parts.reduce((n, p) => n + p.bytes, 0);
  return `${what} in ${seconds(ms)} (${rate(moved, ms)})`;
}
