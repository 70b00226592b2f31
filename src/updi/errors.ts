/**
 * The one error type of the UPDI stack. Every failure carries a code, the operation or address it
 * concerns (`details`) and a remedy. Layers add context as errors rise (`withContext`), keeping the
 * class, so recovery code can still tell a timeout from a rejected key.
 */
import { LtobmsError, type LtobmsErrorOptions } from '../errors.js';

export type UpdiErrorCode =
  | 'PORT' // the serial port cannot be opened / written
  | 'TIMEOUT' // fewer bytes than expected arrived in time
  | 'ECHO' // the single-wire echo of what we sent is missing or wrong
  | 'NACK' // an ACK byte was expected and something else came back
  | 'LINK' // the link does not come up (STATUSA reads 0 / no answer), also after double BREAK
  | 'KEY_REJECTED' // a key was sent but ASI_KEY_STATUS does not show it
  | 'LOCKED' // the part is locked: memories unreadable until a chip erase
  | 'NVM_ERROR' // NVMCTRL.STATUS.WRERROR set after a command
  | 'NVM_TIMEOUT' // NVMCTRL stayed busy longer than the bounded wait
  | 'PROGMODE' // programming mode could not be entered
  | 'SIGNATURE' // unknown or unexpected device signature
  | 'DEVICE_MISMATCH' // the image was made for another part
  | 'VERIFY' // read-back differs from what was written
  | 'BAUD' // the requested speed is out of range for the supply voltage
  | 'UNSUPPORTED'; // SIB names an NVM interface this driver does not speak

const WIRING_HINT = 'check the adapter wiring (TX and RX joined through a 1 kΩ resistor to UPDI, GND shared) and the board supply, or lower --baud';

const DEFAULT_HINTS: Partial<Record<UpdiErrorCode, string>> = {
  TIMEOUT: WIRING_HINT,
  ECHO: 'no clean echo of the bytes sent: TX and RX must be joined through a 1 kΩ resistor; check the adapter and --port, or lower --baud',
  NACK: WIRING_HINT,
  LINK: WIRING_HINT,
  LOCKED: 'the part is locked; `ltobms erase --port …` unlocks it with a chip erase (flash is erased; EEPROM too unless EESAVE is set)',
  NVM_ERROR: 'the NVM controller rejected the write; the page may be protected (BOOTEND/APPEND fuses) or the part locked',
  NVM_TIMEOUT: 'the NVM controller stayed busy; power-cycle the board and retry',
  VERIFY: 'retry; if it repeats, lower --baud and check the supply voltage',
};

export interface UpdiErrorOptions extends Omit<LtobmsErrorOptions, 'code' | 'exitCode'> {
  exitCode?: LtobmsErrorOptions['exitCode'];
}

export class UpdiError extends LtobmsError {
  /** The UPDI-level code (`TIMEOUT`, `NACK`, ...); `code` is the same prefixed with `UPDI_`. */
  readonly updiCode: UpdiErrorCode;

  constructor(updiCode: UpdiErrorCode, message: string, options: UpdiErrorOptions = {}) {
    super(message, { ...options, code: `UPDI_${updiCode}`, hint: options.hint ?? DEFAULT_HINTS[updiCode] });
    this.name = 'UpdiError';
    this.updiCode = updiCode;
  }

  override withContext(context: string): UpdiError {
    return new UpdiError(this.updiCode, `${context}: ${this.message}`, {
      hint: this.hint,
      exitCode: this.exitCode,
      details: this.details,
      cause: this,
    });
  }

  /**
   * True for errors a resynchronisation (double BREAK) and a retry may cure. NVM_ERROR is among
   * them: with response signatures off, a byte lost on its way to the target is not echoed wrong
   * and the target may take the rest of the write for other instructions.
   */
  get recoverable(): boolean {
    return ['TIMEOUT', 'ECHO', 'NACK', 'LINK', 'VERIFY', 'NVM_ERROR'].includes(this.updiCode);
  }
}

/** Adds context to a UpdiError (keeping its class and code); other errors pass through unchanged. */
export function withContext(err: unknown, context: string): unknown {
  return err instanceof UpdiError ? err.withContext(context) : err;
}
