import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOARD_ERROR_KEYS, boardErrorsRecord, describeBoardErrors, randomBoardErrors } from '../../../src/sim/board/errors.js';

test('random board errors: the same seed gives the same board, each tolerance within its plausible spread', () => {
  assert.deepEqual(randomBoardErrors(7), randomBoardErrors(7));
  assert.notDeepEqual(randomBoardErrors(7), randomBoardErrors(8));
  const seen = new Map<string, { min: number; max: number }>();
  for (let seed = 0; seed < 500; seed++) {
    const e = randomBoardErrors(seed);
    for (const k of BOARD_ERROR_KEYS) {
      const v = e[k.key];
      assert.ok(Math.abs(v) <= k.plausible, `${k.name} ${v} beyond ±${k.plausible}`);
      if (k.integer) assert.ok(Number.isInteger(v), `${k.name} ${v} is not whole`);
      assert.equal(Math.round(v * 10 ** k.decimals) / 10 ** k.decimals, v, `${k.name} ${v} keeps ${k.decimals} decimals`);
      const s = seen.get(k.name) ?? { min: Infinity, max: -Infinity };
      seen.set(k.name, { min: Math.min(s.min, v), max: Math.max(s.max, v) });
    }
  }
  // Over 500 boards each tolerance uses most of its spread, both ways.
  for (const k of BOARD_ERROR_KEYS) {
    const s = seen.get(k.name)!;
    assert.ok(s.min < -0.8 * k.plausible && s.max > 0.8 * k.plausible, `${k.name} spans ${s.min}..${s.max}`);
  }
});

test('board errors are described with the scenario names, so they can be pasted into board.errors', () => {
  const e = { vrefPct: 1.2, dividerPct: -0.5, loadDividerPct: 0, shuntPct: 0.91, adcOffsetLsb: -2, tempK: 2.5 };
  assert.equal(describeBoardErrors(e), 'vref_pct +1.20, divider_pct -0.50, load_divider_pct +0.00, shunt_pct +0.91, adc_offset_lsb -2, temp_k +2.5');
  assert.deepEqual(boardErrorsRecord(e), { vref_pct: 1.2, divider_pct: -0.5, load_divider_pct: 0, shunt_pct: 0.91, adc_offset_lsb: -2, temp_k: 2.5 });
});
