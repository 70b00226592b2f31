/**
 * H3b's virtual ATtiny824 (src/sim/updi) behind an in-process PipeTransport: the same protocol
 * front end, NVM model and wire model `ltobms sim` serves on a pty, without socat, so driver tests
 * run in milliseconds. The simulator produces the echo itself, like the real wire. `plug()` gives a
 * fresh adapter on the same target (a closed transport stays closed, as a closed port does).
 */
import { PipeTransport } from '../../src/serial/stream.js';
import { createUpdiSimulator, type UpdiSimulator, type UpdiSimulatorOptions } from '../../src/sim/updi/simulator.js';

export interface SimPipe {
  sim: UpdiSimulator;
  /** The current adapter. */
  pipe: PipeTransport;
  /** Plugs in a new adapter and returns it. */
  plug(): PipeTransport;
}

export function simPipe(options: Omit<UpdiSimulatorOptions, 'toHost'> = {}): SimPipe {
  let current: PipeTransport | undefined;
  const sim = createUpdiSimulator({ ...options, toHost: (bytes) => current?.toHost(bytes) });
  const plug = () => {
    current = new PipeTransport({ echo: false, name: 'virtual ATtiny824' });
    current.connect({ receive: (bytes) => sim.hostWrite(bytes) });
    return current;
  };
  plug();
  return {
    sim,
    get pipe() {
      return current!;
    },
    plug,
  };
}
