/**
 * Ctrl-C handling for every command.
 *
 * The first SIGINT/SIGTERM aborts the shared signal: libraries see it, stop at the next safe
 * point, leave programming mode, flush logs and close ports, and the command exits 130.
 * A second Ctrl-C exits at once.
 */
import { ExitCode } from '../errors.js';

const controller = new AbortController();
let installed = false;

export function installInterruptHandler(): AbortSignal {
  if (!installed) {
    installed = true;
    const onSignal = (sig: NodeJS.Signals) => {
      if (controller.signal.aborted) {
        process.stderr.write(`\nerror: interrupted again (${sig}); exiting without cleanup\n`);
        process.exit(ExitCode.interrupted);
      }
      controller.abort(new Error(`received ${sig}`));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  return controller.signal;
}

/** The process-wide abort signal (fires on Ctrl-C). */
export function interruptSignal(): AbortSignal {
  return controller.signal;
}
