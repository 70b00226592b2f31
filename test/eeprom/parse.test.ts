// The original eeprom.py parsed every number with Python's int(x), falling back to int(x, 16).
// Expected values below are what CPython 3.11 returns for int(text) and int(text, 16)
// (checked against the interpreter when this table was written; None → undefined).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInteger, parseOriginalNumber, pythonInt } from '../../src/eeprom/parse.js';
import { LtobmsError } from '../../src/errors.js';

const PYTHON_INT: [text: string, base10: number | undefined, base16: number | undefined][] = [
  ['7', 7, 7],
  ['10', 10, 16],
  ['ff', undefined, 255],
  ['FF', undefined, 255],
  ['0x10', undefined, 16],
  ['0X_1f', undefined, 31],
  ['0x_1', undefined, 1],
  ['0x__1', undefined, undefined],
  ['0x', undefined, undefined],
  ['0x_', undefined, undefined],
  ['0x1_', undefined, undefined],
  ['_0x1', undefined, undefined],
  ['0_x1', undefined, undefined],
  [' 7 ', 7, 7],
  ['\t-12\n', -12, -18],
  ['\u00a07', 7, 7], // no-break space is Unicode whitespace
  ['\u30007\u3000', 7, 7], // ideographic space
  ['\u001c7', undefined, undefined], // ASCII file separator: str.isspace() but not stripped by int()
  ['\ufeff7', undefined, undefined], // BOM is not whitespace
  ['1_0', 10, 16],
  ['1__0', undefined, undefined],
  ['_1', undefined, undefined],
  ['1_', undefined, undefined],
  ['0_0', 0, 0],
  ['-5', -5, -5],
  ['+5', 5, 5],
  ['+-5', undefined, undefined],
  ['- 5', undefined, undefined],
  ['-_1', undefined, undefined],
  ['-0x10', undefined, -16],
  ['+0x_f', undefined, 15],
  ['1e3', undefined, 0x1e3],
  ['0b1', undefined, 0xb1],
  ['0o7', undefined, undefined],
  ['00', 0, 0],
  ['007', 7, 7],
  ['1 0', undefined, undefined],
  ['', undefined, undefined],
  ['   ', undefined, undefined],
  ['\u0663', 3, 3], // ARABIC-INDIC DIGIT THREE
  ['\uff11\uff12', 12, 0x12], // full-width 1 2
  ['\u{1d7d9}\u{1d7da}', 12, 0x12], // MATHEMATICAL DOUBLE-STRUCK 1 (second stacked run) and 2
  ['-\u{1d7ff}', -9, -9], // MATHEMATICAL MONOSPACE NINE, last of five stacked runs
  ['\uff19\uff46', undefined, undefined], // full-width 'f' is not a hex digit
  ['\u0660x10', undefined, 16], // Arabic-Indic zero counts as '0' even in the prefix
  ['0\u00d710', undefined, undefined], // multiplication sign, not x
];

for (const [text, d, h] of PYTHON_INT) {
  test(`pythonInt(${JSON.stringify(text)}) matches Python int(): ${d} / ${h}`, () => {
    assert.equal(pythonInt(text, 10), d === undefined ? undefined : BigInt(d));
    assert.equal(pythonInt(text, 16), h === undefined ? undefined : BigInt(h));
  });
}

test('decimal wins over hexadecimal, hexadecimal is the fallback', () => {
  assert.equal(parseOriginalNumber('10'), 10n);
  assert.equal(parseOriginalNumber('0010'), 10n);
  assert.equal(parseOriginalNumber('a'), 10n);
  assert.equal(parseOriginalNumber('1e3'), 483n);
  assert.equal(parseOriginalNumber('xyz'), undefined);
});

test('a decimal string over 4300 digits falls through to hex, as in CPython >= 3.11', () => {
  assert.equal(parseOriginalNumber('0'.repeat(4298) + '10'), 10n); // 4300 digits: still decimal
  assert.equal(parseOriginalNumber('0'.repeat(4298) + '1_0'), 10n); // underscores do not count
  assert.equal(parseOriginalNumber('0'.repeat(4299) + '10'), 16n); // 4301 digits: ValueError → hex
});

test('huge values stay exact (bigint) so the range check is right', () => {
  assert.equal(pythonInt('99999999999999999999', 10), 99999999999999999999n);
  assert.throws(() => parseInteger('99999999999999999999', 'u16', '--sn'), /out of range/);
});

test('u16 accepts 0 and 65535, rejects -1 and 65536 naming the option', () => {
  assert.equal(parseInteger('0', 'u16', '--sn'), 0);
  assert.equal(parseInteger('65535', 'u16', '--sn'), 65535);
  assert.equal(parseInteger('ffff', 'u16', '--sn'), 65535);
  assert.equal(parseInteger('-0', 'u16', '--sn'), 0);
  for (const bad of ['-1', '65536', '0x10000']) {
    assert.throws(
      () => parseInteger(bad, 'u16', '--max-current'),
      (e: unknown) => e instanceof LtobmsError && e.exitCode === 2 && e.code === 'EEPROM_RANGE' && e.message.startsWith(`--max-current "${bad}"`) && /0–65535/.test(e.message),
    );
  }
  assert.equal(parseInteger('10000', 'u16', '--sn'), 10000);
});

test('i16 accepts -32768 and 32767, rejects one beyond each', () => {
  assert.equal(parseInteger('-32768', 'i16', '--temp-offset'), -32768);
  assert.equal(parseInteger('32767', 'i16', '--temp-offset'), 32767);
  assert.equal(parseInteger('-0x8000', 'i16', '--temp-offset'), -32768);
  assert.equal(parseInteger('7fff', 'i16', '--temp-offset'), 32767);
  assert.throws(() => parseInteger('-32769', 'i16', '--temp-offset'), /--temp-offset "-32769" is out of range.*-32768–32767/);
  assert.throws(() => parseInteger('32768', 'i16', '--temp-offset'), /out of range/);
  // 8000 is decimal 8000 (in range); only as hex would it be 32768
  assert.equal(parseInteger('8000', 'i16', '--temp-offset'), 8000);
});

test('a hex fallback that is out of range says how it was read', () => {
  assert.throws(() => parseInteger('1ffff', 'u16', '--sn'), /--sn "1ffff" \(read as hexadecimal: 131071\) is out of range/);
});

test('non-numeric text is a usage error naming the option and the text', () => {
  assert.throws(
    () => parseInteger('12 V', 'u16', '--ovlo-cutoff'),
    (e: unknown) => e instanceof LtobmsError && e.exitCode === 2 && e.code === 'EEPROM_NOT_A_NUMBER' && e.message === '--ovlo-cutoff "12 V" is not a number' && /hexadecimal/.test(e.hint ?? ''),
  );
});
