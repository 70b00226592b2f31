// `ltobms sim` as a user runs it: the first line, the symlink, signals and exit codes, the state
// file, and refusals of bad options. The protocol is exercised through the pty with raw bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { avrdude, avrdudeAvailable, exchange } from './harness.js';
import { startSim } from '../../helpers/sim.js';

/** Opens the pty like a programmer, sends bytes, collects `expect` bytes back (echo included). */

test('--help shows the options and examples', async () => {
  const r = await runCli(['sim', '--help']);
  assert.equal(r.code, 0);
  for (const s of ['--state', '--baud', '--latency-ms', '--faults', '--serial', '--link', 'Examples:', 'avrdude -c serialupdi']) {
    assert.ok(r.stdout.includes(s), s);
  }
});

test('bad options are usage errors (exit 2) with one error line and a hint', async () => {
  for (const args of [['--baud', 'fast'], ['--baud', '100'], ['--latency-ms', '-1'], ['--serial', '1234'], ['--faults', 'drop=7'], ['--link', '/tmp/a,b'], ['--adapter', 'pl2303']]) {
    const r = await runCli(['sim', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^error: .+\nhint: .+\n$/, args.join(' '));
    assert.equal(r.stdout, '', 'nothing on stdout');
  }
});

test('a state file that is not simulator state is refused before serving (exit 2)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-sim-cli-'));
  const file = join(dir, 'state.json');
  writeFileSync(file, '{"format":"something-else"}');
  const r = await runCli(['sim', '--state', file]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^error: .*state\.json is not a usable simulator state/);
  assert.equal(readFileSync(file, 'utf8'), '{"format":"something-else"}', 'left as it was');
});

test('first line "updi: <link>", a working target behind it, SIGTERM saves the state and exits 0, the link goes away', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-sim-cli-'));
  const link = join(dir, 'ttyUPDI');
  const state = join(dir, 'state.json');
  const sim = await startSim(['--link', link, '--state', state, '--baud', '0', '--latency-ms', '0', '--serial', 'aa:bb:cc:dd:ee:ff:00:11:22:33']);
  assert.equal(sim.port, link);
  assert.ok(lstatSync(link).isSymbolicLink());
  assert.ok(existsSync(state), 'a new state file is written at start');
  // Enable pulse, then LDCS STATUSA and LDS of the first serial-number byte (SIGROW + 3), in one
  // write: on the half-duplex wire both replies queue behind the host's own bytes (the echo).
  const got = await exchange(link, [0x00, 0x55, 0x80, 0x55, 0x04, 0x03, 0x11], 9);
  assert.deepEqual(got, [0x00, 0x55, 0x80, 0x55, 0x04, 0x03, 0x11, 0x30, 0xaa]);
  const { code } = await sim.stop('SIGTERM');
  assert.equal(code, 0, sim.stderr());
  assert.equal(existsSync(link), false, 'socat removed the link');
  const saved = JSON.parse(readFileSync(state, 'utf8')) as { sigrow: string; format: string };
  assert.equal(saved.format, 'ltobms-sim-nvm');
  assert.equal(saved.sigrow.slice(6, 26), 'aabbccddeeff00112233');
});

test('Ctrl-C (SIGINT) exits 130 after cleaning up', async () => {
  const sim = await startSim(['--baud', '0']);
  assert.match(sim.port, /^\/dev\/pts\/\d+$/);
  const { code } = await sim.stop('SIGINT');
  assert.equal(code, 130);
});

test('--json prints a ready event and one event per UPDI happening', async () => {
  const sim = await startSim(['--baud', '0', '--latency-ms', '0', '--json']);
  try {
    const ready = await sim.waitForEvent((e) => e.event === 'ready');
    assert.equal(ready.updi, sim.port);
    await exchange(sim.port, [0x00, 0x55, 0xe0, 0x20, 0x67, 0x6f, 0x72, 0x50, 0x4d, 0x56, 0x4e], 11);
    const key = await sim.waitForEvent((e) => e.event === 'updi' && e.type === 'key');
    assert.equal(key.key, 'NVMPROG');
  } finally {
    await sim.stop();
  }
});

test('a client that leaves the pty at 8N2 with CLOCAL (killed mid-session) does not break the next open: the sim puts the settings back once it goes quiet', { skip: !avrdudeAvailable() }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-sim-cli-'));
  const link = join(dir, 'ttyUPDI');
  const sim = await startSim(['--link', link, '--baud', '0', '--latency-ms', '0']);
  try {
    const pty = realpathSync(link);
    const stty = (...args: string[]) => spawnSync('stty', ['-F', pty, ...args], { encoding: 'utf8' });
    const fresh = stty('-g').stdout.trim();
    // What a programmer at 8E2 leaves behind when it dies (the pty drops PARENB): avrdude's
    // tcsetattr on such a pty fails with EINVAL.
    stty('115200', 'cs8', 'parenb', 'cstopb', 'clocal', '-hupcl');
    const left = stty('-g').stdout.trim();
    assert.notEqual(left, fresh);
    writeFileSync(link, Uint8Array.of(0x00)); // its last byte
    const deadline = Date.now() + 20_000;
    while (stty('-g').stdout.trim() !== fresh && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(stty('-g').stdout.trim(), fresh, 'settings put back');
    const r = await avrdude(link, []);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /device signature = 0x1e9329/);
  } finally {
    await sim.stop('SIGTERM');
  }
});
