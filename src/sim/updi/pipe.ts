/**
 * The virtual ATtiny824's UPDI on an in-process pipe pair: the same protocol front end, NVM model
 * and wire model `ltobms sim` serves on a pty, without socat or a child process, so a programmer
 * in this process reaches the virtual board directly (driver tests, and commands that run the
 * board in-process). The simulator's wire model produces the echo itself, like the real wire.
 *
 * A BREAK crosses the pipe as the condition it is (`host.realBreak`), straight to the target, as a
 * serial port's BREAK reaches a real part; over a pty it can only be a 0x00 byte.
 */
import { createPipePair, type PipeHostEnd } from '../../serial/pipe.js';
import type { DeviceEnd } from '../../serial/stream.js';
import { adapterWire, type AdapterProfile } from '../wire/adapters.js';
import type { Clock } from '../../util/clock.js';
import { createUpdiSimulator, type UpdiSimulator, type UpdiSimulatorOptions } from './simulator.js';

export interface UpdiSimulatorOnPipe {
  readonly sim: UpdiSimulator;
  /** The host end of the adapter plugged in last: hand it to the programmer. */
  readonly host: PipeHostEnd;
  /**
   * Plugs a new adapter into the same target and returns its host end (a closed stream stays
   * closed, as a closed port does; the previous adapter is disconnected).
   */
  plug(): PipeHostEnd;
}

export interface UpdiSimulatorOnPipeOptions extends Omit<UpdiSimulatorOptions, 'toHost'> {
  /** The host end's name, for messages (default "virtual ATtiny824"). */
  name?: string;
  /** A USB-serial adapter between programmer and wire (its latency, packets, turnaround); pace with `baud`. */
  adapter?: AdapterProfile;
  /** The clock the host end's read timeouts run on (default: the system clock). */
  hostClock?: Clock;
  /** How a BREAK crosses the pipe (default `signal`; `zero-byte`: a 0x00 data byte, as over a pty). */
  breakAs?: 'signal' | 'zero-byte';
}

/** A UPDI simulator connected to the device end of an in-process pipe pair. */
export function updiSimulatorOnPipe(options: UpdiSimulatorOnPipeOptions = {}): UpdiSimulatorOnPipe {
  const { name = 'virtual ATtiny824', adapter, hostClock, breakAs = 'signal', ...simOptions } = options;
  let device: DeviceEnd | undefined;
  const sim = createUpdiSimulator({ ...(adapter ? adapterWire(adapter) : {}), ...simOptions, toHost: (bytes) => device?.write(bytes) });
  let host: PipeHostEnd;
  const plug = () => {
    const pair = createPipePair({ echo: false, name, breakAs, clock: hostClock });
    const plugged = pair.device;
    device = plugged;
    plugged.onData((bytes) => {
      if (device === plugged) sim.hostWrite(bytes);
    });
    plugged.onBreak(() => {
      if (device === plugged) sim.hostBreak();
    });
    host = pair.host;
    return host;
  };
  plug();
  return {
    sim,
    get host() {
      return host;
    },
    plug,
  };
}
