/**
 * H3b's virtual ATtiny824 (src/sim/updi) behind an in-process pipe pair (the glue lives in
 * src/sim/updi/pipe.ts), on virtual time: programmer and target share one manual clock that jumps
 * ahead whenever both wait, and the wire is paced at the baud rate on that clock. Every byte takes
 * its 12 bit times, the NVM controller is busy for its data-sheet times, a BREAK's idle gap is
 * really idle, an answer timeout comes at its exact time — so what a test sees does not depend on
 * how fast (or how loaded) the machine is.
 */
import { ManualClock } from '../../src/util/clock.js';
import { wireClockOn } from '../../src/sim/wire/clock.js';
import { updiSimulatorOnPipe, type UpdiSimulatorOnPipe, type UpdiSimulatorOnPipeOptions } from '../../src/sim/updi/pipe.js';
import type { UpdiEvent } from '../../src/sim/updi/target.js';

export interface SimPipe extends UpdiSimulatorOnPipe {
  /** The time both sides run on; hand it to the programmer (`ConnectOptions.clock`). */
  readonly clock: ManualClock;
}

export function simPipe(options: Omit<UpdiSimulatorOnPipeOptions, 'clock' | 'hostClock'> = {}): SimPipe {
  const clock = new ManualClock({ autoAdvance: true });
  const onPipe = updiSimulatorOnPipe({ baud: 115200, ...options, clock: wireClockOn(clock), hostClock: clock });
  return {
    sim: onPipe.sim,
    clock,
    get host() {
      return onPipe.host;
    },
    plug: () => onPipe.plug(),
  };
}

/**
 * The virtual part on its pipe with its UPDI events collected, and fresh connect options for the
 * programmer each time (a newly plugged adapter). `baud`: the pace of the virtual wire (default:
 * the programmer's 115200).
 */
export function pipeHarness(options: Omit<UpdiSimulatorOnPipeOptions, 'clock' | 'hostClock' | 'onUpdiEvent'> = {}, timeoutMs = 250) {
  const updiEvents: UpdiEvent[] = [];
  const s = simPipe({ ...options, onUpdiEvent: (e) => updiEvents.push(e) });
  return {
    sim: s.sim,
    updiEvents,
    /** Connect options with a freshly plugged adapter. */
    get connect() {
      return { port: 'sim', baud: 115200, transport: s.plug(), timeoutMs, clock: s.clock };
    },
  };
}
