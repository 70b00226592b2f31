/**
 * H3b's virtual ATtiny824 (src/sim/updi) behind an in-process pipe pair: the glue lives in
 * src/sim/updi/pipe.ts; the driver tests know it by this name.
 */
export { updiSimulatorOnPipe as simPipe } from '../../src/sim/updi/pipe.js';
