// The one number-option rule every command uses (README "Numbers").
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseNumberOption } from '../../src/cli/options.js';
import { LtobmsError } from '../../src/errors.js';

const whole = { min: 1, max: 65535, hint: 'for example --count 50' };
const volts = { min: 1.8, max: 5.5, integer: false, what: 'the supply voltage in volts', hint: 'for example --vdd 3.3' };

test('whole numbers: decimal digits, surrounding spaces ignored, the range ends included', () => {
  assert.equal(parseNumberOption('1', '--count', whole), 1);
  assert.equal(parseNumberOption(' 65535 ', '--count', whole), 65535);
  assert.equal(parseNumberOption('007', '--count', whole), 7);
});

test('fractions only where the rule allows them', () => {
  assert.equal(parseNumberOption('1.8', '--vdd', volts), 1.8);
  assert.equal(parseNumberOption('3.', '--vdd', volts), 3);
  assert.equal(parseNumberOption('5.50', '--vdd', volts), 5.5);
  assert.equal(parseNumberOption('.5', '--x', { min: 0, max: 1, integer: false, hint: 'h' }), 0.5);
});

test('everything else is one usage error naming option, text and range, with the rule\'s hint', () => {
  for (const text of ['', ' ', 'fast', '1.5', '-1', '+3', '1e3', '0x10', '1_000', '0', '65536', '99999999999999999999', 'Infinity']) {
    assert.throws(
      () => parseNumberOption(text, '--count', whole),
      (e: unknown) =>
        e instanceof LtobmsError && e.exitCode === 2 && e.message === `--count ${text}: expected a whole number from 1 to 65535` && e.hint === 'for example --count 50',
      JSON.stringify(text),
    );
  }
  for (const text of ['1.7', '5.51', '3,3', '3.3V', '1e0']) {
    assert.throws(() => parseNumberOption(text, '--vdd', volts), (e: unknown) => e instanceof LtobmsError && e.message === `--vdd ${text}: expected the supply voltage in volts from 1.8 to 5.5`, text);
  }
});
