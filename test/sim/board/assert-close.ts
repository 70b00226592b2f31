import assert from 'node:assert/strict';

/** Asserts |actual − expected| ≤ tol (floating-point results of hand-computed figures). */
export function close(actual: number, expected: number, tol = 1e-9): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} is not within ${tol} of ${expected}`);
}
