/**
 * `ltobms report` as a user meets it: the lines it prints, and bad input as one error line, a hint
 * and exit 2 (a missing file, a bad --id or time, a filter that matches nothing).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatPoint } from '../../src/logging/frame.js';
import { runCli } from '../helpers/cli.js';
import { tempDir, testFrame } from '../logging/fixtures.js';

const T0 = 1_800_000_000_000_000_000n;

function writeDay(dir: string): string {
  const file = join(dir, '2027-01-15.lp');
  const lines = Array.from({ length: 30 }, (_, i) => formatPoint({ ...testFrame(i), state: 'BMS_STATE_DISCHARGING' }, T0 + BigInt(i) * 60_000_000_000n));
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

test('ltobms report FILE: writes the page and prints one line per board', async (t) => {
  const dir = tempDir('ltobms-report-cli-');
  t.after(dir.cleanup);
  writeDay(dir.path);
  const r = await runCli(['report', dir.path, '-o', 'out/r.html'], { cwd: dir.path });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^report: 1 board, 30 frames → out\/r\.html \(\d+ KB\)\n0007 \(LTO\) {2}2027-01-15 08:00Z → 2027-01-15 08:29Z \(29 min\), 30 frames\n {2}energy out 87 mWh, in 58 mWh; cell 2\.000–2\.029 V; no lockout\n$/);
  assert.ok(existsSync(join(dir.path, 'out', 'r.html')));
});

test('ltobms report: bad input is one error, a hint and exit 2', async (t) => {
  const dir = tempDir('ltobms-report-bad-');
  t.after(dir.cleanup);
  const file = writeDay(dir.path);
  const cases: [string[], RegExp][] = [
    [['report', join(dir.path, 'nope.lp')], /^error: .*nope\.lp does not exist\nhint: give a \.lp file or a folder/],
    [['report', file, '--id', '7'], /^error: --id 7: a board id is 4 hex digits\nhint: /],
    [['report', file, '--from', 'soon'], /^error: --from soon: not a date or time\nhint: /],
    [['report', file, '--id', '0008'], /^error: none of the 30 frames match --id\/--from\/--to\nhint: /],
    [['report', file, '--from', '2027-01-16', '--to', '2027-01-15'], /^error: --from is after --to\nhint: swap them/],
  ];
  for (const [args, stderr] of cases) {
    const r = await runCli(args, { cwd: dir.path });
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, stderr);
    assert.ok(!existsSync(join(dir.path, 'report.html')), 'nothing written');
  }
});
