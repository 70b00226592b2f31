/**
 * A closed stdout ends a command quietly (no EPIPE stack trace), and `ltobms sim` keeps serving
 * when the program reading its stdout goes away (`ltobms sim | head -1`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { BIN, REPO_ROOT } from '../helpers/cli.js';
import { exchange } from '../sim/updi/harness.js';

interface Closed {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs ltobms with a stdout pipe whose reader closes after the first chunk, like `| head -1`. */
function runWithReaderGone(args: string[]): Promise<Closed> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.once('data', () => child.stdout.destroy());
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stderr })));
}

for (const args of [['--help'], ['build', '--help'], ['eeprom', '--sn', '7', '--json'], ['eeprom', 'decode', '377307000500f00a8c0a0807a406e8030a00a36e']]) {
  test(`ltobms ${args.join(' ')} | head -1: ends quietly`, async () => {
    const r = await runWithReaderGone(args);
    assert.equal(r.signal, null);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /EPIPE|Error|at /, 'no stack trace');
  });
}

test('ltobms sim | head -1: the sim keeps serving its UPDI pty after its stdout reader left', async (t) => {
  const child = spawn(process.execPath, [BIN, 'sim', '--baud', '0', '--latency-ms', '0', '--json'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const first = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (d: Buffer) => {
      text += d.toString();
      const nl = text.indexOf('\n');
      if (nl >= 0) resolve(text.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`sim exited (${code}) before its first line: ${stderr}`)));
  });
  child.stdout.destroy(); // the reader is gone; the sim's next stdout line meets a closed pipe
  const port = /(\/dev\/pts\/\d+)/.exec(first)?.[1];
  assert.ok(port, `a pty in the first line: ${first}`);
  // UPDI exchanges (with --json each UPDI happening is an event line into the closed pipe).
  for (let round = 0; round < 2; round++) {
    const got = await exchange(port, [0x00, 0x55, 0x80], 4);
    assert.deepEqual(got, [0x00, 0x55, 0x80, 0x30], `round ${round}: LDCS STATUSA answered (${stderr})`);
  }
  assert.equal(child.exitCode, null, `still running; stderr: ${stderr}`);
  const exit = await new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
  assert.equal(exit, 0, `SIGTERM still ends the sim normally; stderr: ${stderr}`);
  assert.doesNotMatch(stderr, /EPIPE|at /);
});
