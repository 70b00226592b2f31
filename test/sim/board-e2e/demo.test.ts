/**
 * `ltobms demo`, the newcomer's command, run for real: build, virtual board, UPDI programming, a scenario
 * at max speed, the log reader writing the local line-protocol file, then the frames printed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PACKAGE_ROOT } from '../../../src/firmware/avr.js';
import { classifyLine, type Frame } from '../../../src/logging/frame.js';
import { runCli } from '../../helpers/cli.js';
import { socatAvailable } from '../../../src/serial/pty.js';

const skip = socatAvailable() ? false : 'needs socat';
const dir = mkdtempSync(join(tmpdir(), 'ltobms-demo-'));
const common = ['--build-dir', join(dir, 'build'), '--out-dir', join(dir, 'log')];

test('ltobms demo --json: three simulated hours, serial 7, every frame in the daily line-protocol file', { skip, timeout: 120_000 }, async () => {
  const r = await runCli(['demo', ...common, '--json'], { cwd: dir, timeoutMs: 90_000 });
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as { frames: Frame[]; files: string[]; simulatedSeconds: number; serial: number };
  assert.ok(Math.abs(result.simulatedSeconds - 3 * 3600) < 1e-3, `${result.simulatedSeconds} s simulated`);
  // One frame at start-up, then one a minute; the one at uptime 10800 would come just after the end.
  assert.equal(result.frames.length, 180);
  assert.ok(result.frames.every((f) => f.id === '0007' && f.measurement === 'lto-bms'));
  const states = [...new Set(result.frames.map((f) => f.state.replace('BMS_STATE_', '')))];
  for (const s of ['DISCHARGING', 'UVLO', 'CHARGING']) assert.ok(states.includes(s), `state ${s} in ${states.join(' ')}`);
  assert.equal(result.files.length, 1);
  const lines = readFileSync(result.files[0]!, 'utf8').trim().split('\n');
  assert.equal(lines.length, 180);
  for (const line of lines) {
    const c = classifyLine(Buffer.from(line), 0, line.length, { timestamp: 'required' });
    assert.equal(c.kind, 'frame', line);
  }
});

test('ltobms demo prints progress, a compact table and where the file is', { skip, timeout: 120_000 }, async () => {
  const scenario = join(PACKAGE_ROOT, 'examples', 'scenarios', 'discharge-uvlo.yaml');
  const r = await runCli(['demo', ...common, '--scenario', scenario], { cwd: dir, timeoutMs: 90_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /✔ firmware .*up to date/, 'the second build is incremental');
  assert.match(r.stderr, /✔ programmed over UPDI: 9 fuse bytes, \d+ B flash, 20 B EEPROM \(serial 7\)/);
  assert.match(r.stderr, /✔ ran 00:40:00\.000 simulated/);
  assert.match(r.stdout, /LTO board, serial 7: 40 frames/);
  assert.match(r.stdout, /uptime +state +V\(B\) mV/);
  assert.match(r.stdout, /UVLO/);
  assert.match(r.stdout, /frames written to .*log\/\d{4}-\d\d-\d\d\.lp/);
});

test('ltobms demo refuses a scenario without an end', { skip }, async () => {
  const file = join(dir, 'endless.yaml');
  writeFileSync(file, 'load: { type: current, current_ma: 10 }\n');
  const r = await runCli(['demo', ...common, '--scenario', file], { cwd: dir });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^error: .*has no duration/m);
  assert.match(r.stderr, /^hint: /m);
});
