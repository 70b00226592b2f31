/**
 * Opening a programming session the way every command needs it: open the port, bring the link up,
 * run the job, and — always, on success, error or Ctrl-C — leave programming mode and close the port.
 */
import { openUpdiPort } from '../serial/serialport.js';
import type { ByteStream } from '../serial/stream.js';
import { START_BAUD, UpdiSession } from './session.js';
import { Programmer } from './program.js';
import type { ProgressEvent } from './progress.js';
import { UpdiError } from './errors.js';
import { throwIfAborted } from '../errors.js';
import { LOST_PORT_HINT, isLostPort } from '../serial/errors.js';
import type { Clock } from '../util/clock.js';
import type { DeviceInfo } from '../part/tinyavr2.js';

export interface ConnectOptions {
  /** Serial port path (ignored when `transport` is given). */
  port: string;
  baud: number;
  /** Fixed part of receive timeouts in ms. */
  timeoutMs?: number;
  /** An already open byte stream (tests, in-process targets). */
  transport?: ByteStream;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  /** Retries per page / read chunk after a recoverable failure. */
  maxRetries?: number;
  /** Deadlines, waits and timings of the whole stack (default: the system clock; tests pass a manual one). */
  clock?: Clock;
  /** The part the user named (-p): the job's identify() refuses any other signature. */
  part?: DeviceInfo;
}

/** Runs `job` with a connected programmer; cleans up whatever happens. */
export async function withProgrammer<T>(options: ConnectOptions, job: (p: Programmer) => Promise<T>): Promise<T> {
  throwIfAborted(options.signal);
  const transport = options.transport ?? (await openUpdiPort(options.port, Math.min(options.baud, START_BAUD), options.clock));
  const session = new UpdiSession(transport, { baud: options.baud, timeoutMs: options.timeoutMs, clock: options.clock });
  const programmer = new Programmer(session, { onProgress: options.onProgress, signal: options.signal, maxRetries: options.maxRetries, part: options.part });
  let result: T;
  try {
    try {
      await session.connect();
    } catch (err) {
      throw err instanceof UpdiError && !isLostPort(err) ? err.withContext(`cannot connect to the target on ${transport.name}`) : err;
    }
    result = await job(programmer);
  } catch (err) {
    await session.close();
    throw isLostPort(err) ? portLost(transport.name, session.activity, err) : err;
  }
  const problem = await session.close();
  if (problem) {
    throw new UpdiError('LINK', `the job finished, but leaving programming mode failed (${problem.message})`, {
      hint: 'power-cycle the board so the firmware starts',
      cause: problem,
    });
  }
  return result;
}

/** One message for a port that went away mid-job: which port, what was in progress, why. */
export function portLost(port: string, activity: string, err: unknown): UpdiError {
  const reason = (err as UpdiError).details.reason;
  return new UpdiError('PORT', `${port} went away while ${activity}${typeof reason === 'string' ? ` (${reason})` : ''}`, {
    hint: LOST_PORT_HINT,
    details: { port, activity, lost: true },
    cause: err,
  });
}
