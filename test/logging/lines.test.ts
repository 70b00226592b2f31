import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineAssembler, type LineStatus } from '../../src/logging/lines.js';

function collect(chunks: (string | Buffer)[], max?: number, end = false): [string, LineStatus][] {
  const out: [string, LineStatus][] = [];
  const a = new LineAssembler((line, status) => out.push([Buffer.from(line).toString('latin1'), status]), max);
  for (const c of chunks) a.push(typeof c === 'string' ? Buffer.from(c, 'latin1') : c);
  if (end) a.end();
  return out;
}

test('LF and CRLF endings both end a line; the CR is dropped', () => {
  assert.deepEqual(collect(['one\ntwo\r\nthree\r\n']), [
    ['one', 'complete'],
    ['two', 'complete'],
    ['three', 'complete'],
  ]);
});

test('lines split across chunks at every position come out whole', () => {
  const text = 'alpha\r\nbeta\ngamma\r\n';
  for (let cut = 0; cut <= text.length; cut++) {
    const lines = collect([text.slice(0, cut), text.slice(cut)]);
    assert.deepEqual(lines, [
      ['alpha', 'complete'],
      ['beta', 'complete'],
      ['gamma', 'complete'],
    ], `cut at ${cut}`);
  }
  // One byte at a time.
  assert.deepEqual(collect([...text].map((c) => c)).map((l) => l[0]), ['alpha', 'beta', 'gamma']);
});

test('an oversized line is reported once and memory stays bounded', () => {
  const out: [number, LineStatus][] = [];
  const a = new LineAssembler((line, status) => out.push([line.length, status]), 16);
  for (let i = 0; i < 1000; i++) {
    a.push(Buffer.from('xxxxxxxxxx'));
    assert.ok(a.pendingBytes <= 17);
  }
  a.push(Buffer.from('yyyy\nok\n'));
  assert.deepEqual(out.map((o) => o[1]), ['oversized', 'complete']);
  assert.equal(out[1]![0], 2);
  // Exactly at the limit is fine, one byte more is not (also with a CRLF ending).
  assert.deepEqual(collect(['a'.repeat(16) + '\r\n', 'b'.repeat(17) + '\r\n'], 16).map((l) => l[1]), ['complete', 'oversized']);
  assert.deepEqual(collect(['c'.repeat(17) + '\n'], 16).map((l) => l[1]), ['oversized']);
});

test('bytes without a line ending are a partial line when the stream ends', () => {
  assert.deepEqual(collect(['done\nhalf a li'], undefined, true), [
    ['done', 'complete'],
    ['half a li', 'partial'],
  ]);
  assert.deepEqual(collect(['done\n'], undefined, true), [['done', 'complete']]);
});
