/** The progress renderer: bar text, what a terminal sees for a run of events, and the summary line. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressView, rate, renderBar, summaryLine } from '../../src/cli/progress.js';
import { ProgressReporter } from '../../src/updi/progress.js';
import { ManualClock } from '../../src/util/clock.js';

test('a bar shows bytes, percent and rate (KB = 1024 B)', () => {
  // 4096 of 8192 bytes in 0.5 s = 8 KB/s.
  // The other 4096 bytes at that rate take 0.5 s more: the ETA.
  assert.equal(renderBar({ phase: 'program', memory: 'flash', bytes: 4096, totalBytes: 8192, elapsedMs: 500 }), 'write flash   [############------------] 4096/8192 B  50%  8.0 KB/s  ETA 0.50 s');
  assert.equal(renderBar({ phase: 'program', memory: 'flash', bytes: 1024, totalBytes: 8192, elapsedMs: 250 }).slice(-10), 'ETA 1.75 s');
  assert.match(renderBar({ phase: 'program', memory: 'flash', bytes: 0, totalBytes: 8192, elapsedMs: 0 }), / {2}– KB\/s {2}ETA –$/);
  assert.doesNotMatch(renderBar({ phase: 'program', memory: 'flash', bytes: 8192, totalBytes: 8192, elapsedMs: 1000 }), /ETA/, 'none once done');
  assert.equal(rate(10240, 2000), '5.0 KB/s');
  assert.equal(rate(1, 0), '– KB/s');
});

test('the summary line: what moved, seconds, rate over all bytes moved', () => {
  // 8192 written + 8192 verified in 2 s = 16 KB / 2 s = 8.0 KB/s.
  assert.equal(summaryLine([{ label: 'wrote', bytes: 8192 }, { label: 'verified', bytes: 8192 }], 2000), 'wrote 8192 B, verified 8192 B in 2.00 s (8.0 KB/s)');
});

test('the summary with the operations: their bytes over their time, as the bars showed; the seconds stay the job\'s', () => {
  // write 8192 B in 2 s with the verify done by the page writes (no time of its own), 0.5 s of
  // connecting and erasing around it: 4.0 KB/s, what the write bar said at its end.
  const phases = [
    { bytes: 8192, ms: 2000 },
    { bytes: 8192, ms: 0 },
  ];
  assert.equal(summaryLine([{ label: 'wrote', bytes: 8192 }, { label: 'verified', bytes: 8192 }], 2500, phases), 'wrote 8192 B, verified 8192 B in 2.50 s (4.0 KB/s)');
  // a verify of its own counts with its time
  assert.equal(summaryLine([{ label: 'wrote', bytes: 4096 }, { label: 'verified', bytes: 4096 }], 3000, [{ bytes: 4096, ms: 1000 }, { bytes: 4096, ms: 1000 }]), 'wrote 4096 B, verified 4096 B in 3.00 s (4.0 KB/s)');
});

test('bars and summary on one injected clock: the rate agrees, the ETA counts down', async () => {
  const clock = new ManualClock();
  const tty = fakeTty();
  const view = new ProgressView({ stream: tty.stream, interactive: true, now: () => clock.now() });
  const reporter = new ProgressReporter(clock, view.onProgress);
  clock.advance(300); // connecting: not part of the operation's rate
  const { result } = await reporter.run('program', 'flash', 4096, async (op) => {
    for (let done = 1024; done <= 4096; done += 1024) {
      clock.advance(700); // 1024 B per 0.7 s
      op.progress(done);
    }
  });
  const verify = reporter.verifiedWhileWriting('flash', 4096);
  const frames = tty.text().split('\r').filter(Boolean);
  // 1024 B in 0.7 s = 1.4 KB/s; 3072 B to go at that rate = 2.1 s
  assert.ok(frames.some((f) => f.includes('1024/4096 B  25%  1.4 KB/s  ETA 2.10 s')), JSON.stringify(frames));
  assert.ok(frames.some((f) => f.includes('3072/4096 B  75%  1.4 KB/s  ETA 0.70 s')), JSON.stringify(frames));
  const last = frames.filter((f) => f.startsWith('write flash')).at(-1)!;
  const barRate = /(\d+\.\d) KB\/s/.exec(last)![1];
  const summary = summaryLine([{ label: 'wrote', bytes: 4096 }, { label: 'verified', bytes: verify.bytes }], clock.now(), [result, verify]);
  assert.equal(summary, `wrote 4096 B, verified 4096 B in 3.10 s (${barRate} KB/s)`);
  assert.equal(barRate, '1.4');
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
      '\rverify fuses  [------------------------] 0/7 B   0%  – KB/s  ETA –\u001b[K' +
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
