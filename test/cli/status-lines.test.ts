// One status line per station (gang programming): redrawn in place on a terminal, with permanent
// lines scrolling above them; prefixed lines of their own without a terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusLines } from '../../src/cli/status-lines.js';

function stream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const s = { text: '', isTTY, columns: 60, write(chunk: string) { s.text += chunk; return true; } };
  return s as unknown as NodeJS.WriteStream & { text: string };
}

test('without a terminal: every change is a line of its own, prefixed with the station', () => {
  const out = stream(false);
  const lines = new StatusLines(['/dev/ttyUSB0', '/dev/ttyUSB2'], out, false);
  lines.set(0, 'waiting for a board');
  lines.set(1, 'flash…');
  lines.set(1, 'flash…'); // unchanged: nothing
  lines.print('ok      sn 7');
  assert.equal(out.text, '/dev/ttyUSB0: waiting for a board\n/dev/ttyUSB2: flash…\nok      sn 7\n');
});

test('on a terminal: the status lines stay at the bottom, one per station, and results scroll above them', () => {
  const out = stream(true);
  const lines = new StatusLines(['A', 'BB'], out, true);
  lines.set(0, 'waiting');
  assert.equal(out.text, 'A   waiting\nBB  \n');
  out.text = '';
  lines.set(1, 'eeprom…');
  // Up two lines, clear to the end of the screen, redraw both.
  assert.equal(out.text, '\x1b[2A\r\x1b[JA   waiting\nBB  eeprom…\n');
  out.text = '';
  lines.print('ok      sn 8');
  assert.equal(out.text, '\x1b[2A\r\x1b[Jok      sn 8\nA   waiting\nBB  eeprom…\n');
  out.text = '';
  lines.stop();
  assert.equal(out.text, '\x1b[2A\r\x1b[J');
});
