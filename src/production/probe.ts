/**
 * Is a board on the programming fixture, and which one? A light UPDI handshake that leaves the
 * board running: enable pulse, link init, SIB, system status, the 10-byte serial number (the
 * chip's unique ID) and the signature, then UPDIDIS — no keys, no reset, so firmware already on
 * the board keeps running while the station waits for it to be taken off.
 *
 * Telling "no board" from "no adapter": TX and RX of the adapter are joined through the resistor,
 * so every byte comes back as echo whether a board is there or not. A missing echo means the port
 * or the wiring is wrong; a missing answer after a good echo means no board.
 */
import { CS, CTRLB, SYS_STATUS } from '../updi/constants.js';
import { UpdiError } from '../updi/errors.js';
import { LINK_CTRLA, START_BAUD, UpdiSession, decodeSib } from '../updi/session.js';
import type { ByteStream, DataListener } from '../serial/stream.js';
import type { Clock } from '../util/clock.js';
import { hexBytes } from '../util/hex.js';

export type ProbeResult =
  | { present: true; uid: string | null; signature: string | null; sib: string; locked: boolean }
  | { present: false; reason: string; noEcho: boolean };

export interface ProbeOptions {
  /** Link speed for the probe (at most 115200: the UPDI clock is at its 4 MHz default). */
  baud: number;
  /** Fixed part of each receive timeout, ms. */
  timeoutMs: number;
  /** Double BREAK first (resets a UPDI stuck in its error state). */
  doubleBreak?: boolean;
  /** Waits and timeouts (default: the system clock). */
  clock?: Clock;
}

export function hexId(bytes: Uint8Array): string {
  return hexBytes(bytes, '');
}

export async function probeBoard(transport: ByteStream, options: ProbeOptions): Promise<ProbeResult> {
  const baud = Math.min(options.baud, START_BAUD);
  await transport.setBaud(baud);
  const session = new UpdiSession(transport, { baud, timeoutMs: options.timeoutMs, clock: options.clock });
  try {
    if (options.doubleBreak) await session.phy.doubleBreak();
    // The enable pulse for a disabled UPDI (a BREAK for one waiting for SYNCH); no echo check.
    await transport.write(Uint8Array.of(0x00));
    await session.clock.sleep(2);
    await session.phy.discard();
    await session.link.init(LINK_CTRLA);
    const sib = decodeSib(await session.link.readSib());
    const locked = ((await session.systemStatus()) & SYS_STATUS.LOCKSTATUS) !== 0;
    // A locked part reads zeros over the system bus: its ID is unknown until a chip erase.
    const uid = locked ? null : hexId(await session.readSerialNumber());
    const signature = locked ? null : hexId(await session.readSignature());
    await session.link.run(session.link.burst().stcs(CS.CTRLB, CTRLB.UPDIDIS | CTRLB.CCDETDIS), 'disable UPDI', true);
    return { present: true, uid, signature, sib: sib.raw, locked };
  } catch (err) {
    if (!(err instanceof UpdiError)) throw err;
    if (err.updiCode === 'PORT') throw err;
    const noEcho = err.updiCode === 'ECHO' && /no echo/.test(err.message);
    return { present: false, reason: err.message, noEcho };
  }
}

/**
 * A transport that stays open across programming sessions (a session's `close()` would close the
 * port): the station keeps the adapter for the whole run and closes it itself.
 */
export class KeepOpenTransport implements ByteStream {
  constructor(readonly inner: ByteStream) {}

  get name(): string {
    return this.inner.name;
  }

  get realBreak(): boolean {
    return this.inner.realBreak;
  }

  onData(listener: DataListener): void {
    this.inner.onData(listener);
  }

  onEnd(listener: (reason: string | undefined) => void): void {
    this.inner.onEnd(listener);
  }

  write(bytes: Uint8Array): Promise<void> {
    return this.inner.write(bytes);
  }

  read(n: number, timeoutMs: number): Promise<Uint8Array> {
    return this.inner.read(n, timeoutMs);
  }

  flushInput(): Promise<void> {
    return this.inner.flushInput();
  }

  setBaud(baud: number): Promise<void> {
    return this.inner.setBaud(baud);
  }

  sendBreak(): Promise<void> {
    return this.inner.sendBreak();
  }

  /** Leaves the port open (the owner closes `inner`). */
  async close(): Promise<void> {
    await this.inner.flushInput().catch(() => undefined);
  }
}
