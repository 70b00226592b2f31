/**
 * One serial port, kept open for as long as the logger runs: opened at `baudRate` (8N1, receive
 * only), and when it is missing or disappears (adapter unplugged) polled until it is back. Bytes and
 * status changes are reported through callbacks; nothing here prints.
 */
import { SerialPort } from 'serialport';
import { LtobmsError } from '../errors.js';
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
  onData(chunk: Buffer): void;
  /** The byte stream ended (port lost or closing): a pending partial line is garbage now. */
  onEnd(): void;
  onStatus(status: PortStatus): void;
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

/** Why an open failed, in a few words ("No such file or directory"). */
function openReason(err: unknown): string {
  const message = (err as Error)?.message ?? String(err);
  const m = /^(?:Error: )?(.*?), cannot open/.exec(message);
  return m ? m[1]! : message;
}

/** Reads `path` until the signal fires, reopening it whenever it goes away. */
export async function runPort(options: PortReaderOptions): Promise<void> {
  const { path, signal } = options;
  let reconnect = false;
  let waitingAnnounced = false;
  while (!signal.aborted) {
    const port = new SerialPort({ path, baudRate: options.baudRate, autoOpen: false });
    try {
      await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    } catch (err) {
      const reason = openReason(err);
      log(`open ${path} failed: ${reason}`);
      if (/permission denied/i.test(reason) && !reconnect) {
        throw new LtobmsError(`cannot open ${path}: permission denied`, {
          code: 'LOG_PORT_ACCESS',
          hint: 'add yourself to the dialout group (sudo usermod -aG dialout $USER, then log in again)',
          details: { port: path },
        });
      }
      if (!waitingAnnounced) {
        options.onStatus({ type: 'port-waiting', port: path, reason, reconnect });
        waitingAnnounced = true;
      }
      await sleep(options.reopenMs ?? 500, signal);
      continue;
    }
    waitingAnnounced = false;
    options.onStatus({ type: 'port-open', port: path, reconnect });
    const reason = await new Promise<string | undefined>((resolve) => {
      const onAbort = () => resolve(undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      port.on('data', (chunk: Buffer) => options.onData(chunk));
      port.once('close', (err?: Error) => {
        signal.removeEventListener('abort', onAbort);
        resolve(err?.message ?? 'closed');
      });
      port.on('error', (err: Error) => {
        signal.removeEventListener('abort', onAbort);
        resolve(err.message);
      });
    });
    options.onEnd();
    if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    port.removeAllListeners();
    if (reason === undefined) break;
    log(`${path} lost: ${reason}`);
    options.onStatus({ type: 'port-lost', port: path, reason });
    reconnect = true;
  }
}
