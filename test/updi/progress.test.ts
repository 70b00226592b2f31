/** The progress renderer: bar text, what a terminal sees for a run of events, and the summary line. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressView, rate, renderBar, summaryLine } from '../../src/cli/progress.js';

test('a bar shows bytes, percent and rate (KB = 1024 B)', () => {
  // 4096 of 8192 bytes in 0.5 s = 8 KB/s.
  assert.equal(renderBar({ phase: 'program', memory: 'flash', bytes: 4096, totalBytes: 8192, elapsedMs: 500 }), 'write flash   [############------------] 4096/8192 B  50%  8.0 KB/s');
  assert.equal(rate(10240, 2000), '5.0 KB/s');
  assert.equal(rate(1, 0), '– KB/s');
});

test('the summary line: what moved, seconds, rate over all bytes moved', () => {
  // 8192 written + 8192 verified in 2 s = 16 KB / 2 s = 8.0 KB/s.
  assert.equal(summaryLine([{ label: 'wrote', bytes: 8192 }, { label: 'verified', bytes: 8192 }], 2000), 'wrote 8192 B, verified 8192 B in 2.00 s (8.0 KB/s)');
});

function fakeTty() {
  let text = '';
  const stream = { isTTY: true, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream;
  return { stream, text: () => text };
}

test('on a terminal: bars redraw in place and end with a newline; retries get their own line', () => {
  const tty = fakeTty();
  const view = new ProgressView({ stream: tty.stream, interactive: true });
  view.onProgress({ type: 'started', phase: 'program', memory: 'flash', totalBytes: 128 });
  view.onProgress({ type: 'progress', phase: 'program', memory: 'flash', bytes: 64, totalBytes: 128, elapsedMs: 10 });
  view.onProgress({ type: 'retry', phase: 'program', memory: 'flash', address: 0x8040, attempt: 1, maxAttempts: 3, reason: 'timeout' });
  view.onProgress({ type: 'finished', phase: 'program', memory: 'flash', bytes: 128, elapsedMs: 20 });
  const out = tty.text();
  assert.match(out, /^\rwrite flash {3}\[-+\] 0\/128 B {3}0%/);
  assert.match(out, /\nretry 1\/3: write flash at 0x8040: timeout\n/);
  assert.ok(out.endsWith('\rwrite flash   [########################] 128/128 B 100%  6.3 KB/s\u001b[K\n'), JSON.stringify(out));
});

test('not on a terminal: no bars, only retry lines', () => {
  const tty = fakeTty();
  const view = new ProgressView({ stream: tty.stream, interactive: false });
  view.onProgress({ type: 'started', phase: 'read', memory: 'eeprom', totalBytes: 128 });
  view.onProgress({ type: 'progress', phase: 'read', memory: 'eeprom', bytes: 128, totalBytes: 128, elapsedMs: 5 });
  view.onProgress({ type: 'retry', phase: 'read', memory: 'eeprom', address: 0x1400, attempt: 2, maxAttempts: 3, reason: 'no echo' });
  view.onProgress({ type: 'finished', phase: 'read', memory: 'eeprom', bytes: 128, elapsedMs: 6 });
  assert.equal(tty.text(), 'retry 2/3: read eeprom at 0x1400: no echo\n');
});

test('a verify done by the page writes is one line; a verify that took no measurable time is still a bar', () => {
  const tty = fakeTty();
  const view = new ProgressView({ stream: tty.stream, interactive: true, now: () => 0 });
  view.onProgress({ type: 'finished', phase: 'verify', memory: 'flash', bytes: 8192, elapsedMs: 0, whileWriting: true });
  view.onProgress({ type: 'started', phase: 'verify', memory: 'fuses', totalBytes: 7 });
  view.onProgress({ type: 'finished', phase: 'verify', memory: 'fuses', bytes: 7, elapsedMs: 0 });
  assert.equal(
    tty.text(),
    'verify flash: 8192 B read back while writing\n' +
      '\rverify fuses  [------------------------] 0/7 B   0%  – KB/s\u001b[K' +
      '\rverify fuses  [########################] 7/7 B 100%  – KB/s\u001b[K\n',
  );
});

test('progress redraws at most every 80 ms of the given clock; start and finish always draw', () => {
  const tty = fakeTty();
  let now = 0;
  const view = new ProgressView({ stream: tty.stream, interactive: true, now: () => now });
  view.onProgress({ type: 'started', phase: 'read', memory: 'flash', totalBytes: 300 });
  for (const [t, bytes] of [[10, 100], [79, 150], [80, 200], [100, 250]] as const) {
    now = t;
    view.onProgress({ type: 'progress', phase: 'read', memory: 'flash', bytes, totalBytes: 300, elapsedMs: t });
  }
  view.onProgress({ type: 'finished', phase: 'read', memory: 'flash', bytes: 300, elapsedMs: 100 });
  const drawn = tty.text().split('\r').filter(Boolean).map((line) => line.match(/ (\d+)\/300 B/)?.[1]);
  assert.deepEqual(drawn, ['0', '200', '300']);
});
