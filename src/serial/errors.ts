/**
 * The error type of the byte-stream room: a port that cannot be opened, written or was lost
 * (`PORT`), and a read that did not get its bytes in time (`TIMEOUT`). Layers above translate
 * them into their own domain (the UPDI physical layer turns a TIMEOUT into an ECHO or TIMEOUT
 * UpdiError that names the instruction) and keep this error as the cause.
 */
import { existsSync } from 'node:fs';
import { LtobmsError, type LtobmsErrorOptions } from '../errors.js';

export type SerialErrorCode =
  | 'PORT' // the port cannot be opened, written or configured, or it went away
  | 'TIMEOUT'; // fewer bytes than asked for arrived in time

export interface SerialErrorOptions extends Omit<LtobmsErrorOptions, 'code' | 'exitCode'> {
  exitCode?: LtobmsErrorOptions['exitCode'];
}

export class SerialError extends LtobmsError {
  /** The serial-level code; `code` is the same prefixed with `SERIAL_`. */
  readonly serialCode: SerialErrorCode;

  constructor(serialCode: SerialErrorCode, message: string, options: SerialErrorOptions = {}) {
    super(message, { ...options, code: `SERIAL_${serialCode}` });
    this.name = 'SerialError';
    this.serialCode = serialCode;
  }

  override withContext(context: string): SerialError {
    return new SerialError(this.serialCode, `${context}: ${this.message}`, {
      hint: this.hint,
      exitCode: this.exitCode,
      details: this.details,
      cause: this,
    });
  }
}

/**
 * A failure of the operating system's port (open, write, drain, baud change), with the fix for the
 * usual causes. `details.reason` is the system's own few words ("No such file or directory").
 */
export function portError(name: string, what: string, cause: Error): SerialError {
  const code = (cause as NodeJS.ErrnoException).code ?? '';
  const text = cause.message.replace(/^Error:\s*/, '');
  const reason = /^(.*?), cannot open/.exec(text)?.[1] ?? text;
  let hint = 'check --port; `ltobms ports` lists the USB-serial adapters';
  if (/EACCES|Permission denied/i.test(code + text)) hint = 'no permission: add your user to the dialout group (sudo usermod -aG dialout $USER) and log in again';
  else if (/EBUSY|Resource busy|lock/i.test(code + text)) hint = 'another program holds the port; close it (serial monitor, ltobms log, avrdude) and retry';
  return new SerialError('PORT', `serial port ${name} ${what} (${text})`, { hint, cause, details: { port: name, reason } });
}

/** What to do when a port went away in the middle of a job. */
export const LOST_PORT_HINT = 'the adapter was unplugged, or the board (or the virtual board, ltobms sim) stopped: reconnect it and run the command again';

/**
 * The port went away (adapter unplugged, pty closed, I/O error): every read, write and setting
 * after that fails with this at once. `details.lost` tells it from a port that could not be opened.
 */
export function lostError(name: string, reason: string): SerialError {
  return new SerialError('PORT', `${name} went away (${reason})`, { hint: LOST_PORT_HINT, details: { port: name, reason, lost: true } });
}

/**
 * Watches a port named by a path in the file system (a device node, a pty's link): once the path
 * that was there at the start is gone (an adapter unplugged, the link removed), the returned check
 * gives the reason to report — also when the driver has not (yet) told a reader of the hang-up.
 * A port that was not a path to begin with never reads as gone.
 */
export function portNodeWatch(path: string): () => string | undefined {
  const wasThere = existsSync(path);
  return () => (wasThere && !existsSync(path) ? 'the device is gone' : undefined);
}

/** True for the error of a port that went away (see {@link lostError}), also when wrapped by a layer above. */
export function isLostPort(err: unknown): boolean {
  return err instanceof LtobmsError && err.details.lost === true;
}

/** The stream was closed by its owner; reads and writes after that fail with this. */
export function closedError(name: string): SerialError {
  return new SerialError('PORT', `${name} is closed`, { details: { port: name } });
}
