/**
 * `ltobms demo`, the newcomer's command, run for real: build, virtual board, UPDI programming, a scenario
 * at max speed, the log reader writing the local line-protocol file, then the frames printed. The board
 * runs in the demo's own process on in-process pipes: no socat.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { PACKAGE_ROOT } from '../../src/firmware/avr.js';
import { classifyLine, type Frame } from '../../src/logging/frame.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ltobms-demo-'));
const common = ['--build-dir', join(dir, 'build'), '--out-dir', join(dir, 'log')];

test('ltobms demo --json: three simulated hours, serial 7, every frame in the daily line-protocol file', { timeout: 120_000 }, async () => {
  // Started at a fixed morning: three hours ending "now" span two days between 00:00 and 03:00 UTC.
  const r = await runCli(['demo', ...common, '--json', '--start', '2026-06-01T08:00:00Z'], { cwd: dir, timeoutMs: 90_000 });
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as { frames: Frame[]; files: string[]; simulatedSeconds: number; serial: number };
  assert.ok(Math.abs(result.simulatedSeconds - 3 * 3600) < 1e-3, `${result.simulatedSeconds} s simulated`);
  // One frame at start-up, then one a minute; the one at uptime 10800 would come just after the end.
  assert.equal(result.frames.length, 180);
  assert.ok(result.frames.every((f) => f.id === '0007' && f.measurement === 'lto-bms'));
  const states = [...new Set(result.frames.map((f) => f.state.replace('BMS_STATE_', '')))];
  for (const s of ['DISCHARGING', 'UVLO', 'CHARGING']) assert.ok(states.includes(s), `state ${s} in ${states.join(' ')}`);
  assert.deepEqual(result.files.map((f) => basename(f)), ['2026-06-01.lp']);
  const lines = readFileSync(result.files[0]!, 'utf8').trim().split('\n');
  assert.equal(lines.length, 180);
  for (const line of lines) {
    const c = classifyLine(Buffer.from(line), 0, line.length, { timestamp: 'required' });
    assert.equal(c.kind, 'frame', line);
  }
});

test('ltobms demo prints progress, a compact table and where the file is', { timeout: 120_000 }, async () => {
  const scenario = join(PACKAGE_ROOT, 'examples', 'scenarios', 'discharge-uvlo.yaml');
  const r = await runCli(['demo', ...common, '--scenario', scenario, '--start', '2026-06-02T08:00:00Z'], { cwd: dir, timeoutMs: 90_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /✔ firmware .*up to date/, 'the second build is incremental');
  assert.match(r.stderr, /✔ programmed over UPDI: 9 fuse bytes, \d+ B flash, 20 B EEPROM \(serial 7\)/);
  assert.match(r.stderr, /✔ ran 00:40:00\.000 simulated/);
  assert.match(r.stdout, /LTO board, serial 7: 40 frames/);
  assert.match(r.stdout, /uptime +state +V\(B\) mV/);
  assert.match(r.stdout, /UVLO/);
  assert.match(r.stdout, /frames written to .*log\/\d{4}-\d\d-\d\d\.lp/);
});

test('ltobms demo refuses a scenario without an end', async () => {
  const file = join(dir, 'endless.yaml');
  writeFileSync(file, 'load: { type: current, current_ma: 10 }\n');
  const r = await runCli(['demo', ...common, '--scenario', file], { cwd: dir });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^error: .*has no duration/m);
  assert.match(r.stderr, /^hint: /m);
});

test('ltobms demo --days: the scenario runs that long and ends with the energy report', { timeout: 180_000 }, async () => {
  // The endless scenario above, for 0.25 days (6 simulated hours) with its own EEPROM defaults.
  const file = join(dir, 'quarter-day.yaml');
  writeFileSync(file, 'cell: { soc_pct: 30 }\nload: { type: current, current_ma: 25 }\n');
  const r = await runCli(['demo', ...common, '--out-dir', join(dir, 'days'), '--scenario', file, '--days', '0.25'], { cwd: dir, timeoutMs: 150_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\(\d+ shown: state changes and every hour; --all for every one\)/);
  assert.match(r.stdout, /^energy report: 6h 0m simulated, LTO, "quarter-day" \(360 frames\)$/m);
  // The first frame, at power-up, still shows IDLE (outputs off until the first evaluation).
  assert.match(r.stdout, /^ {2}states {7}DISCHARGING 5h 59m \(99\.7 %\), IDLE 1m 0s \(0\.3 %\)$/m);
  assert.match(r.stdout, /^ {2}protection {3}none$/m);
  // 25 mA for six hours: 150 mAh out through the shunt, nothing in.
  assert.match(r.stdout, /^ {2}through {6}in 0\.0 mAh \/ 0\.00 Wh, out 15\d\.\d mAh/m);

  const json = await runCli(['demo', ...common, '--out-dir', join(dir, 'days-json'), '--scenario', file, '--days', '0.05', '--json'], { cwd: dir, timeoutMs: 150_000 });
  assert.equal(json.code, 0, json.stderr);
  const result = JSON.parse(json.stdout) as { energy: { simulatedSeconds: number; frames: number; charge: { outMah: number } } };
  assert.ok(Math.abs(result.energy.simulatedSeconds - 4320) < 1e-3);
  assert.equal(result.energy.frames, 72);
  assert.ok(Math.abs(result.energy.charge.outMah - 30) < 1, `${result.energy.charge.outMah} mAh`);
});

test('ltobms demo refuses a bad --days (exit 2, hint)', async () => {
  for (const days of ['0', '-1', 'a week', '400']) {
    const r = await runCli(['demo', ...common, '--days', days], { cwd: dir });
    assert.equal(r.code, 2, days);
    assert.match(r.stderr, new RegExp(`^error: --days ${days}: expected a number of days from 0 to 366$`, 'm'));
    assert.match(r.stderr, /^hint: for example --days 30$/m);
  }
});

/** Where `tool` is on this machine's PATH, if anywhere. */
function which(tool: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

test('ltobms demo needs no socat: a PATH with node and the AVR toolchain only, a clean build, 180 frames', { timeout: 180_000 }, async () => {
  const bin = mkdtempSync(join(tmpdir(), 'ltobms-demo-path-'));
  symlinkSync(process.execPath, join(bin, 'node'));
  for (const tool of ['avr-gcc', 'avr-objcopy', 'avr-objdump', 'avr-size']) {
    const found = which(tool);
    if (found) symlinkSync(found, join(bin, tool));
  }
  const env = { PATH: bin };
  assert.equal(spawnSync('socat', ['-V'], { env }).error?.message.includes('ENOENT'), true, 'socat is out of reach');
  const own = mkdtempSync(join(tmpdir(), 'ltobms-demo-nosocat-'));
  const r = await runCli(['demo', '--build-dir', join(own, 'build'), '--out-dir', join(own, 'log'), '--json', '--start', '2026-06-03T08:00:00Z'], { cwd: own, env, timeoutMs: 150_000 });
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as { frames: Frame[]; files: string[] };
  assert.equal(result.frames.length, 180);
  assert.ok(result.frames.every((f) => f.id === '0007'), 'programmed over UPDI with serial 7');
  assert.equal(readFileSync(result.files[0]!, 'utf8').trim().split('\n').length, 180, 'the log tail wrote every frame');
});
