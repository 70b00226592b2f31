// The one hex formatter: the exact text messages, dumps, the ledger and the hexstring format rely on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hex, hex2, hexBytes } from '../../src/util/hex.js';

test('hex2 is two lower-case digits without a prefix', () => {
  assert.equal(hex2(0), '00');
  assert.equal(hex2(0x0a), '0a');
  assert.equal(hex2(0xc5), 'c5');
});

test('hex pads to at least the given digits after 0x (four by default) and never truncates', () => {
  assert.equal(hex(0x1400), '0x1400');
  assert.equal(hex(0x5a), '0x005a');
  assert.equal(hex(0xc5, 2), '0xc5');
  assert.equal(hex(0x810000), '0x810000');
});

test('hexBytes joins bytes with a space by default, or with the given separator', () => {
  assert.equal(hexBytes(Uint8Array.of(0x1e, 0x93, 0x29)), '1e 93 29');
  assert.equal(hexBytes([0x1e, 0x93, 0x29], ''), '1e9329');
  assert.equal(hexBytes([]), '');
});
