/**
 * One serial port, kept open for as long as the logger runs: opened at `baudRate` (8N1, receive
 * only, through the byte-stream room's serialport adapter). A port missing at the start is polled
 * until it appears; one that disappears once open (adapter unplugged) ends the reader with a
 * lost-port error, or with `onLost: 'reconnect'` is polled until it is back. Bytes and status
 * changes are reported through callbacks; nothing here prints.
 */
import { realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { lostError, portNodeWatch, SerialError } from '../serial/errors.js';
import { openUartPort } from '../serial/serialport.js';
import type { ByteStream } from '../serial/stream.js';
import { debug } from '../util/debug.js';

const log = debug('ltobms:log:port');

export type PortStatus =
  | { type: 'port-waiting'; port: string; reason: string; reconnect: boolean }
  | { type: 'port-open'; port: string; reconnect: boolean }
  | { type: 'port-lost'; port: string; reason: string };

export interface PortReaderOptions {
  path: string;
  baudRate: number;
  signal: AbortSignal;
  /** How often a missing port is tried again. */
  reopenMs?: number;
  /** Opens the stream (default: the serial port at `path`, 8N1); an in-process pipe works too. */
  open?: (path: string, baudRate: number) => Promise<ByteStream>;
  onData(chunk: Uint8Array): void;
  /** The byte stream ended (port lost or closing): a pending partial line is garbage now. */
  onEnd(): void;
  onStatus(status: PortStatus): void;
  /**
   * A port that went away after it was open: `end` (default) throws a lost-port error (the stream's
   * end has been reported and the port closed first); `reconnect` reports port-lost and waits for it.
   */
  onLost?: 'end' | 'reconnect';
}

/**
 * Refuses, before anything is opened, ports that can never be a serial port: a regular file or a
 * folder (which would otherwise be waited for forever), and the same port named twice (two readers
 * would split its bytes). A port that does not exist yet is fine: it is waited for.
 */
export function checkPortPaths(paths: readonly string[]): void {
  const seen = new Map<string, string>();
  for (const path of paths) {
    let real = resolve(path);
    try {
      const st = statSync(path);
      if (st.isFile() || st.isDirectory()) {
        throw new UsageError(`${path} is a ${st.isFile() ? 'regular file' : 'folder'}, not a serial port`, {
          code: 'LOG_NOT_A_PORT',
          hint: st.isFile() ? `to load a recorded file use ltobms log --replay ${path}` : 'name the adapter, e.g. /dev/ttyUSB0 (ltobms ports lists them)',
        });
      }
      real = realpathSync(path);
    } catch (err) {
      if (err instanceof UsageError) throw err;
      // missing (or unreadable) now: the reader waits for it or reports why it cannot open it
    }
    const earlier = seen.get(real);
    if (earlier !== undefined) {
      throw new UsageError(`${path === earlier ? path : `${earlier} and ${path}`} ${path === earlier ? 'is named twice' : 'are the same port'}`, {
        code: 'LOG_SAME_PORT',
        hint: 'name each port once: one reader per port',
      });
    }
    seen.set(real, path);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** Reads `path` until the signal fires (or, unless told to reconnect, until it goes away). */
export async function runPort(options: PortReaderOptions): Promise<void> {
  const { path, signal } = options;
  const open = options.open ?? openUartPort;
  let reconnect = false;
  let waitingAnnounced = false;
  while (!signal.aborted) {
    let stream: ByteStream;
    try {
      stream = await open(path, options.baudRate);
    } catch (err) {
      if (!(err instanceof SerialError)) throw err;
      const reason = String(err.details.reason ?? err.message);
      log(`open ${path} failed: ${reason}`);
      // No permission will not cure itself: stop with the fix (after an unplug, udev may briefly
      // show the new node with the wrong owner, so keep polling then).
      if (/permission denied/i.test(reason) && !reconnect) throw err;
      if (!waitingAnnounced) {
        options.onStatus({ type: 'port-waiting', port: path, reason, reconnect });
        waitingAnnounced = true;
      }
      await sleep(options.reopenMs ?? 500, signal);
      continue;
    }
    waitingAnnounced = false;
    options.onStatus({ type: 'port-open', port: path, reconnect });
    // A device node that disappears (an adapter unplugged, a pty's link removed) is a lost port even
    // when the driver never reports the hang-up to a reader that is waiting for data.
    const nodeGone = portNodeWatch(path);
    let watch: NodeJS.Timeout | undefined;
    const reason = await new Promise<string | undefined>((resolve) => {
      const done = (why: string | undefined) => {
        clearInterval(watch);
        signal.removeEventListener('abort', onAbort);
        resolve(why);
      };
      const onAbort = () => done(undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      stream.onEnd((why) => done(why ?? 'closed'));
      stream.onData((chunk) => options.onData(chunk));
      watch = setInterval(() => {
        const gone = nodeGone();
        if (gone !== undefined) done(gone);
      }, options.reopenMs ?? 500);
      watch.unref();
    });
    options.onEnd();
    const waitForIt = options.onLost === 'reconnect';
    if (reason !== undefined) {
      log(`${path} lost: ${reason}${waitForIt ? '' : '; ending'}`);
      // Said before the port is closed on our side: nothing may delay the news of an unplug.
      if (waitForIt) options.onStatus({ type: 'port-lost', port: path, reason });
    }
    await stream.close();
    if (reason === undefined) break;
    if (!waitForIt) throw lostError(path, reason);
    reconnect = true;
  }
}
