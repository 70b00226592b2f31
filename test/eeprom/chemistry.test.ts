// The one --chemistry rule every command uses (README "Chemistries").
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHEMISTRIES, parseChemistries, parseChemistry } from '../../src/part/chemistry.js';
import { LtobmsError } from '../../src/errors.js';

test('parseChemistry is case-insensitive and knows the Na-ion spellings', () => {
  for (const s of ['LTO', 'lto', ' Lto ']) assert.equal(parseChemistry(s), 'LTO');
  for (const s of ['NAION', 'naion', 'Na-ion', 'NA-ION', 'na_ion']) assert.equal(parseChemistry(s), 'NAION');
  for (const s of ['li-ion', 'LTO2', 'N-A-ION', '']) {
    assert.throws(() => parseChemistry(s), (e: unknown) => e instanceof LtobmsError && e.exitCode === 2 && /is not a chemistry the board supports/.test(e.message));
  }
});

test('parseChemistry refuses all (a board runs one firmware) with the option name in message and hint', () => {
  for (const s of ['all', 'ALL', ' All ']) {
    assert.throws(
      () => parseChemistry(s, '--chem'),
      (e: unknown) => e instanceof LtobmsError && e.exitCode === 2 && /^--chem all: a board runs one firmware/.test(e.message) && /--chem LTO or --chem NAION/.test(e.hint ?? ''),
    );
  }
});

test('parseChemistries takes the same spellings as one chemistry, and all (any case) as every chemistry', () => {
  assert.deepEqual(CHEMISTRIES, ['LTO', 'NAION']);
  for (const s of ['all', 'ALL', ' All ']) assert.deepEqual(parseChemistries(s), ['LTO', 'NAION']);
  for (const s of ['LTO', 'lto', ' Lto ']) assert.deepEqual(parseChemistries(s), ['LTO']);
  for (const s of ['NAION', 'Na-ion', 'na_ion']) assert.deepEqual(parseChemistries(s), ['NAION']);
  for (const s of ['LIFEPO4', 'al', '']) {
    assert.throws(
      () => parseChemistries(s),
      (e: unknown) => e instanceof LtobmsError && e.exitCode === 2 && /is not a chemistry the board supports/.test(e.message) && /or all$/.test(e.hint ?? ''),
    );
  }
});
