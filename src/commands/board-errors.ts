/**
 * `--board-errors random[:SEED]` of the commands that run the virtual board (sim, demo, run --sim):
 * a plausible set of component tolerances replaces the scenario's `board.errors`, and the seed is
 * kept so the same board can be had again.
 */
import { randomInt } from 'node:crypto';
import { UsageError } from '../errors.js';
import { describeBoardErrors, parseBoardErrorsSpec, randomBoardErrors, type BoardErrors } from '../sim/board/errors.js';
import type { Scenario } from '../sim/scenario/types.js';

export interface DrawnBoardErrors {
  seed: number;
  errors: BoardErrors;
}

/** Draws the board named by the option (a fresh seed when none is given). */
export function drawBoardErrors(text: string): DrawnBoardErrors {
  const spec = parseBoardErrorsSpec(text);
  if (!spec) {
    throw new UsageError(`--board-errors ${text}: expected random or random:SEED (SEED a whole number up to 4294967295)`, {
      code: 'USAGE',
      hint: 'for example --board-errors random:7; fixed values go into the scenario, board.errors (docs/scenarios.md)',
    });
  }
  const seed = spec.seed ?? randomInt(0, 2 ** 32 - 1);
  return { seed, errors: randomBoardErrors(seed) };
}

/** The scenario on a board with these tolerances. */
export function withBoardErrors(scenario: Scenario, errors: BoardErrors): Scenario {
  return { ...scenario, board: { ...scenario.board, errors } };
}

/**
 * `--board-errors` of demo and run --sim: the scenario on the drawn board, announced on stderr with
 * the seed (`who: board errors (--board-errors random:7): vref_pct +1.12, …`); unchanged without it.
 */
export function applyBoardErrorsOption(scenario: Scenario, text: string | undefined, who: string): Scenario {
  if (text === undefined) return scenario;
  const drawn = drawBoardErrors(text);
  process.stderr.write(`${who}: board errors (--board-errors random:${drawn.seed}): ${describeBoardErrors(drawn.errors)}\n`);
  return withBoardErrors(scenario, drawn.errors);
}
