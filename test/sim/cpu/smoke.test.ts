import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFixture, runProgram } from './avr-program.js';

test('hello world prints over USART0 and stops at BREAK', async () => {
  const flash = await buildFixture('hello.c');
  const run = runProgram(flash);
  assert.equal(run.text, 'hello -1234567\nEND\n');
  assert.equal(run.result, 'break');
});
