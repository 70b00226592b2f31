/**
 * H3b's virtual ATtiny824 (src/sim/updi) behind an in-process PipeTransport: the same protocol
 * front end, NVM model and wire model `ltobms sim` serves on a pty, without socat, so driver tests
 * run in milliseconds. The simulator produces the echo itself, like the real wire.
 */
import { PipeTransport } from '../../src/updi/transport.js';
import { createUpdiSimulator, type UpdiSimulator, type UpdiSimulatorOptions } from '../../src/sim/updi/simulator.js';

export function simPipe(options: Omit<UpdiSimulatorOptions, 'toHost'> = {}): { pipe: PipeTransport; sim: UpdiSimulator } {
  const pipe = new PipeTransport({ echo: false, name: 'virtual ATtiny824' });
  const sim = createUpdiSimulator({ ...options, toHost: (bytes) => pipe.toHost(bytes) });
  pipe.connect({ receive: (bytes) => sim.hostWrite(bytes) });
  return { pipe, sim };
}
