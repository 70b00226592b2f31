/**
 * The two jobs of `ltobms log`: tail serial ports into the writer until Ctrl-C, or replay recorded
 * line-protocol files at full speed. Both report typed events and end with a {@link LogSummary};
 * neither prints.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { ExitCode, LtobmsError, UsageError } from '../errors.js';
import { isLostPort } from '../serial/errors.js';
import { FrameClock, type FrameStamper } from './clock.js';
import { classifyLine, formatPoint, type GarbageReason } from './frame.js';
import { LineAssembler } from './lines.js';
import { checkPortPaths, runPort, type PortReaderOptions, type PortStatus } from './port.js';
import { createFrameReader, type LineEvent } from './reader.js';
import type { PointWriter, WriterEvent } from './writer.js';

export type SessionEvent = LineEvent | PortStatus | WriterEvent;

export interface LogSummary {
  /** Where the points went (never contains a secret). */
  target: string;
  /** Valid frames read (from the ports, or from the replayed files). */
  frames: number;
  /** Points the target acknowledged in this run (including spooled points from an earlier run). */
  written: number;
  garbage: number;
  garbageByReason: Partial<Record<GarbageReason, number>>;
  /** Debug text lines (debug builds of the firmware). */
  debug: number;
  reconnects: number;
  /** Points found in the spool at start (left by an earlier run). */
  resumed: number;
  /** Points that had to wait in the spool (target down, slow or refusing). */
  spooled: number;
  /** Points refused for good and kept in the dead-letter file. */
  deadLettered: number;
  /** Points still in the spool at exit: sent by the next run. */
  leftInSpool: number;
  seconds: number;
  /** The port that went away and ended the tail (only without `onLost: 'reconnect'`). */
  lost?: { port: string; reason: string };
}

function emptySummary(writer: PointWriter): LogSummary {
  return {
    target: writer.sinkDescription,
    frames: 0,
    written: 0,
    garbage: 0,
    garbageByReason: {},
    debug: 0,
    reconnects: 0,
    resumed: writer.resumed,
    spooled: 0,
    deadLettered: 0,
    leftInSpool: 0,
    seconds: 0,
  };
}

function countGarbage(summary: LogSummary, reason: GarbageReason): void {
  summary.garbage++;
  summary.garbageByReason[reason] = (summary.garbageByReason[reason] ?? 0) + 1;
}

async function finish(summary: LogSummary, writer: PointWriter, drainMs: number, started: number): Promise<LogSummary> {
  const stats = await writer.close(drainMs);
  summary.written = stats.written;
  summary.deadLettered = stats.deadLettered;
  summary.spooled = stats.deferred;
  summary.leftInSpool = stats.pending;
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

export interface TailOptions {
  ports: string[];
  baudRate: number;
  writer: PointWriter;
  signal: AbortSignal;
  onEvent: (event: SessionEvent) => void;
  /** How long to keep delivering after Ctrl-C before leaving the rest in the spool. */
  drainMs?: number;
  reopenMs?: number;
  /** Opens a port's byte stream (default: the serial port by that path, 8N1); an in-process pipe's host end works too. */
  openPort?: PortReaderOptions['open'];
  /** What stamps frames (default: the host's wall clock; the virtual board brings its simulated one). */
  clock?: FrameStamper;
  /**
   * Each frame is on disk before it is reported (default true: what the tail shows survives a kill -9).
   * false: frames go to disk in the writer's batches (and all of them by the time the tail returns),
   * for a caller that shows none of them while it runs (`ltobms demo`, thousands of frames a second).
   */
  eachFrameOnDisk?: boolean;
  /** A port that goes away once open ends the tail (`end`, default: summary.lost says which) or is waited for. */
  onLost?: PortReaderOptions['onLost'];
}

/** How long a tail that lost its port keeps delivering before leaving the rest in the spool (it is on disk). */
const LOST_DRAIN_MS = 1000;

/**
 * Tails every port until the signal fires, or until a port goes away (unless `onLost` is
 * `reconnect`); then flushes and returns the summary.
 */
export async function tailPorts(options: TailOptions): Promise<LogSummary> {
  const { writer } = options;
  // Paths only mean files when the serial port adapter opens them (a pipe's name is just a name).
  if (!options.openPort) checkPortPaths(options.ports);
  const started = performance.now();
  const summary = emptySummary(writer);
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal.addEventListener('abort', onAbort, { once: true });
  writer.onFatal(() => stop.abort());
  const clock = options.clock ?? new FrameClock();
  const onLine = (event: LineEvent) => {
    if (event.type === 'frame') {
      summary.frames++;
      // On disk before it is reported: a kill -9 right after loses nothing the tail has shown.
      // A board sends a frame a minute, so one fsync per frame costs nothing.
      writer.add(formatPoint(event.point.frame, event.point.timeNs));
      if (options.eachFrameOnDisk !== false) writer.flush();
    } else if (event.type === 'debug') summary.debug++;
    else countGarbage(summary, event.reason);
    options.onEvent(event);
  };
  let failure: unknown;
  try {
    await Promise.all(
      options.ports.map((path) => {
        const reader = createFrameReader(path, clock, onLine);
        return runPort({
          path,
          baudRate: options.baudRate,
          signal: stop.signal,
          reopenMs: options.reopenMs,
          open: options.openPort,
          onLost: options.onLost,
          onData: (chunk) => reader.push(chunk),
          onEnd: () => reader.end(),
          onStatus: (status) => {
            if (status.type === 'port-lost') summary.reconnects++;
            options.onEvent(status);
          },
        }).catch((err: unknown) => {
          if (isLostPort(err) && options.onLost !== 'reconnect') {
            summary.lost ??= { port: path, reason: String((err as LtobmsError).details.reason ?? (err as Error).message) };
          } else failure ??= err;
          stop.abort();
        });
      }),
    );
  } finally {
    options.signal.removeEventListener('abort', onAbort);
  }
  const drainMs = options.drainMs ?? 5000;
  const result = await finish(summary, writer, summary.lost ? Math.min(drainMs, LOST_DRAIN_MS) : drainMs, started);
  if (failure) throw failure;
  return result;
}

/**
 * The error a command ends with when its tail lost a port (see {@link LogSummary.lost}), to throw
 * after the summary is shown: every frame read is already on disk, so it says so.
 */
export function tailLostError(summary: LogSummary, lost: NonNullable<LogSummary['lost']>, rerun: string): LtobmsError {
  return new LtobmsError(`${lost.port} went away (${lost.reason}) while tailing frames; the ${summary.frames} frame(s) read are stored`, {
    code: 'LOG_PORT_LOST',
    exitCode: ExitCode.failure,
    hint: `plug the adapter back in (or restart the board) and run ${rerun} again; with --reconnect it waits for the port instead`,
    details: { port: lost.port, reason: lost.reason, lost: true },
  });
}

/** Every replay file exists and is a file (a folder is named with the fix, not a raw EISDIR). */
export function checkReplayFiles(files: readonly string[]): void {
  for (const file of files) {
    if (!existsSync(file)) throw new UsageError(`replay file ${file} does not exist`, { code: 'LOG_REPLAY_FILE', hint: 'check the path' });
    if (statSync(file).isDirectory()) {
      throw new UsageError(`replay file ${file} is a folder`, {
        code: 'LOG_REPLAY_FILE',
        hint: `name the files in it, e.g. ltobms log --replay ${file.replace(/\/+$/, '')}/*.lp`,
      });
    }
  }
}

export interface ReplayOptions {
  files: string[];
  writer: PointWriter;
  signal: AbortSignal;
  onEvent: (event: LineEvent | WriterEvent) => void;
  drainMs?: number;
}

/**
 * Loads recorded line-protocol files (frames with ns timestamps; `#` comments skipped) into the
 * writer as fast as the target takes them, then waits until everything is delivered.
 */
export async function replayFiles(options: ReplayOptions): Promise<LogSummary> {
  const { writer, signal } = options;
  checkReplayFiles(options.files);
  const started = performance.now();
  const summary = emptySummary(writer);
  try {
    for (const file of options.files) {
      let lineNumber = 0;
      const assembler = new LineAssembler((line, status) => {
        lineNumber++;
        const where = `${file}:${lineNumber}`;
        if (status !== 'complete') {
          countGarbage(summary, status);
          options.onEvent({ type: 'garbage', port: where, reason: status, detail: `${line.length} bytes` });
          return;
        }
        if (line[0] === 0x23) return; // '#' comment (dead-letter headers)
        const c = classifyLine(line, 0, line.length, { timestamp: 'required' });
        if (c.kind === 'frame') {
          summary.frames++;
          writer.add(formatPoint(c.frame, c.timeNs!));
        } else if (c.kind === 'debug') {
          countGarbage(summary, 'bad-frame');
          options.onEvent({ type: 'garbage', port: where, reason: 'bad-frame', detail: c.text.slice(0, 60) });
        } else if (c.kind === 'garbage') {
          countGarbage(summary, c.reason);
          options.onEvent({ type: 'garbage', port: where, reason: c.reason, detail: c.detail });
        }
      });
      for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
        if (signal.aborted) break;
        assembler.push(chunk as Buffer);
        await writer.waitForRoom();
      }
      assembler.end();
      if (signal.aborted) break;
    }
    if (!signal.aborted) {
      const onAbort = () => writer.flush();
      signal.addEventListener('abort', onAbort, { once: true });
      await Promise.race([writer.drained(), new Promise((r) => signal.addEventListener('abort', r, { once: true }))]);
      signal.removeEventListener('abort', onAbort);
    }
  } finally {
    await finish(summary, writer, signal.aborted ? (options.drainMs ?? 5000) : 0, started);
  }
  return summary;
}
