// The adapter pulled under the commands that do more than one UPDI job: `ltobms sim` killed
// (SIGKILL: socat closes both ptys) at a seeded random moment of `log`, `run` and `manufacture`.
// - log, and run's tail: the port gone ends them with the summary, one `error:` line naming the
//   UART port and a hint, exit 1, and every frame they showed on disk. With --reconnect they say
//   once that it went away and keep running; Ctrl-C then ends them with exit 0, the summary, and
//   every frame they showed on disk.
// - run killed while programming, and manufacture at any moment: one `error:` line naming the port
//   and what was in progress, a hint, exit 1; a board manufacture had reserved a number for is
//   recorded as failed. Never a silent exit (exit 13: an await left unsettled).
// Asserts output and exit codes, not timing. LTOBMS_UNPLUG_ROUNDS=5 gives 15 kill times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from '../../../src/sim/wire/faults.js';
import { REPO_ROOT } from '../../helpers/cli.js';
import { startCli, type RunningCli } from '../../production/harness.js';
import { startSim, type SimProcess } from '../../helpers/sim.js';

const ROUNDS = Number(process.env.LTOBMS_UNPLUG_ROUNDS ?? 1);
const random = mulberry32(0x11_1129);
const dir = mkdtempSync(join(tmpdir(), 'ltobms-unplug-tail-'));
const prebuilt = join(REPO_ROOT, 'firmware', 'prebuilt', readdirSync(join(REPO_ROOT, 'firmware', 'prebuilt')).find((f) => /^main-LTO-.*\.hex$/.test(f))!);
const escape = (s: string) => s.replace(/[/.]/g, '\\$&');

/** Kills the sim `delayMs` after `from` resolved; returns the delay. */
async function killAfter(sim: Pick<SimProcess, 'stop'>, from: Promise<unknown>, spreadMs: number): Promise<number> {
  const delayMs = Math.round(random() * spreadMs);
  await from;
  await new Promise((r) => setTimeout(r, delayMs));
  await sim.stop('SIGKILL');
  return delayMs;
}

/** The command ended by itself, or printed a line matching `waiting`: which came first. */
async function endedOrWaiting(cli: RunningCli, waiting: RegExp): Promise<'ended' | 'waiting'> {
  return Promise.race([cli.exited.then(() => 'ended' as const), cli.waitFor(waiting, { timeoutMs: 60_000 }).then(() => 'waiting' as const)]);
}

/** Exactly one error line, naming `port`, then a hint; nothing after. */
function assertOneError(cli: RunningCli, port: string, what: string): string {
  const lines = cli.lines.filter((l) => l.trim() !== '');
  const errors = lines.filter((l) => l.startsWith('error:'));
  assert.equal(errors.length, 1, what);
  assert.equal(lines.at(-2), errors[0], what);
  assert.match(errors[0]!, new RegExp(`^error: .*${escape(port)}`), what);
  assert.match(lines.at(-1)!, /^hint: \S/, what);
  return errors[0]!;
}

/** Frames in the daily files under `logDir`. */
function framesOnDisk(logDir: string): number {
  try {
    return readdirSync(logDir).reduce((n, f) => n + readFileSync(join(logDir, f), 'utf8').split('\n').filter(Boolean).length, 0);
  } catch {
    return 0;
  }
}

for (const reconnect of [false, true]) {
  const name = reconnect
    ? 'log --reconnect: the board\'s UART gone at a random moment is said once and waited for; Ctrl-C then stores every frame shown'
    : 'log: the board\'s UART gone at a random moment ends the log with one error naming the port, exit 1, every frame shown on disk';
  test(name, async (t) => {
    const endings: string[] = []; // kill → exit, reported (not asserted: time is the machine's)
    for (let round = 0; round < ROUNDS; round++) {
      const tag = `${reconnect ? 'r' : 'e'}${round}`;
      const uart = join(dir, `uart-log-${tag}`);
      const out = join(dir, `frames-${tag}`);
      const sim = await startSim(['--link', join(dir, `updi-log-${tag}`), '--uart-link', uart, '--firmware', 'prebuilt', '--speed', '600']);
      t.after(() => sim.stop('SIGKILL'));
      const cli = startCli(['log', uart, '--target', 'file', '--out-dir', out, '--json', ...(reconnect ? ['--reconnect'] : [])]);
      t.after(() => cli.child.kill('SIGKILL'));
      const delayMs = await killAfter(sim, cli.waitFor(/^reading /, { timeoutMs: 30_000 }), 1500);
      const what = () => `log killed ${delayMs} ms in:\n${cli.lines.join('\n')}`;
      if (reconnect) {
        assert.equal(await endedOrWaiting(cli, /went away/), 'waiting', what());
        cli.child.kill('SIGINT');
      }
      const killedAt = performance.now();
      const end = await cli.exited;
      if (!reconnect) endings.push(`${((performance.now() - killedAt) / 1000).toFixed(2)} s`);
      const lines = cli.lines.join('\n');
      assert.match(lines, /summary: \d+ frames?/, what());
      if (reconnect) {
        assert.equal(end.code, 0, what());
        assert.equal(lines.match(new RegExp(`${escape(uart)} went away \\(.+\\); frames resume when it returns`, 'g'))?.length, 1, what());
        assert.doesNotMatch(lines, /waiting for /, `said once: ${what()}`);
        assert.match(lines, /summary: \d+ frames?.*\n.*1 reconnect\b/, what());
      } else {
        assert.equal(end.code, 1, what());
        assert.match(assertOneError(cli, uart, what()), /went away \(.+\) while tailing frames; the \d+ frame\(s\) read are stored$/, what());
        assert.doesNotMatch(lines, /frames resume when it returns/, what());
      }
      const shown = cli.stdout().split('\n').filter((l) => l.startsWith('{"type":"frame"')).length;
      assert.ok(shown > 0 || delayMs < 200, `frames were shown: ${what()}`);
      assert.equal(framesOnDisk(out), shown, `every frame shown is on disk: ${what()}`);
    }
    if (endings.length) t.diagnostic(`ended after the kill: ${endings.join(', ')}`);
  });
}

test('run -P: the board gone while programming is one error naming the UPDI port; gone while tailing, one error naming the UART port', async (t) => {
  const build = join(dir, 'build'); // one firmware build for every round
  const outcomes: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const spreadMs of [600, 4000]) {
      const updi = join(dir, `updi-run-${round}-${spreadMs}`);
      const uart = join(dir, `uart-run-${round}-${spreadMs}`);
      const sim = await startSim(['--link', updi, '--uart-link', uart, '--speed', '600', '--latency-ms', '1', '--json']);
      t.after(() => sim.stop('SIGKILL'));
      const cli = startCli(['run', '-P', updi, '--uart-port', uart, '--out', build, '--fw-version', 'v3.4-test', '--sn', '5'], { cwd: dir, env: { LTOBMS_DATA_DIR: join(dir, `data-${round}-${spreadMs}`) } });
      t.after(() => cli.child.kill('SIGKILL'));
      const enabled = sim.waitForEvent((e) => e.event === 'updi' && e.type === 'enabled', 0, 120_000);
      const delayMs = await killAfter(sim, Promise.race([enabled, cli.exited]), spreadMs);
      const what = () => `run killed ${delayMs} ms after the session began:\n${cli.lines.join('\n')}`;
      // Gone before the tail opened the UART: a port missing at the tail's start is waited for (as
      // `ltobms log` does), and Ctrl-C ends it with exit 0.
      if ((await endedOrWaiting(cli, new RegExp(`waiting for ${escape(uart)}`))) === 'waiting') {
        cli.child.kill('SIGINT');
        assert.equal((await cli.exited).code, 0, what());
        assert.match(cli.lines.join('\n'), /summary: \d+ frames?/, what());
        assert.doesNotMatch(cli.lines.join('\n'), /^error:/m, what());
        outcomes.push(`${delayMs} ms: tail waiting`);
        continue;
      }
      assert.equal((await cli.exited).code, 1, what());
      if (cli.lines.some((l) => /^reading /.test(l))) {
        // The tail had the UART open: its loss ends the run (the summary first).
        assert.match(assertOneError(cli, uart, what()), /while tailing frames/, what());
        assert.match(cli.lines.join('\n'), /summary: \d+ frames?/, what());
        outcomes.push(`${delayMs} ms: tail`);
      } else {
        assertOneError(cli, updi, what());
        outcomes.push(`${delayMs} ms: programming`);
      }
    }
  }
  t.diagnostic(outcomes.join('; '));
});

test('manufacture: the fixture gone at a random moment is one error naming the port and what the station was doing; a reserved board is recorded as failed', async (t) => {
  const outcomes: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const fx = join(dir, `fixture-${round}`);
    const ledger = join(dir, `ledger-${round}.jsonl`);
    // A fixture prints only its UPDI port (no UART): started as a plain CLI, ready at its first board.
    const fixture = startCli(['sim', '--fixture', '3', '--link', fx, '--latency-ms', '1']);
    const sim = { stop: async (signal: NodeJS.Signals) => (fixture.child.kill(signal), fixture.exited) };
    t.after(() => sim.stop('SIGKILL'));
    await fixture.waitFor(/^fixture: board 1\/3 on/, { timeoutMs: 30_000 });
    const cli = startCli(['manufacture', '--firmware', prebuilt, '--start-sn', '1', '--ledger', ledger, '-P', fx], { cwd: dir, input: '' });
    t.after(() => cli.child.kill('SIGKILL'));
    const delayMs = await killAfter(sim, cli.waitFor(/^waiting for a board/, { timeoutMs: 30_000 }), 5000);
    const end = await cli.exited;
    const what = `manufacture killed ${delayMs} ms in: exit ${end.code}\n${cli.lines.join('\n')}`;
    assert.equal(end.code, 1, what);
    const error = assertOneError(cli, fx, what);
    assert.match(error, /went away while \w/, what);
    outcomes.push(`${delayMs} ms: ${/while (.*?)(?: \(|$)/.exec(error)?.[1]}`);
    // Every number reserved for a chip ends with a result for it.
    const entries = readFileSync(ledger, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { sn: number; result: string });
    for (const r of entries.filter((e) => e.result === 'reserved')) {
      assert.ok(entries.some((e) => e.sn === r.sn && e.result !== 'reserved'), `sn ${r.sn} has a result: ${what}`);
    }
  }
  t.diagnostic(outcomes.join('; '));
});

// The board stops answering just as its adapter goes away (the fixture frozen, its port's link gone):
// the failed attempt is the adapter's, not the board's — one error naming the port and the board,
// exit 1, the reserved number (if any) recorded as failed. Before, the attempt counted as a board
// failure at the step it was in and the station went on waiting for boards on a port that was gone.
test('manufacture: a board attempt that fails as its port vanishes ends the station with one error naming the port', async (t) => {
  const fx = join(dir, 'fixture-frozen');
  const ledger = join(dir, 'ledger-frozen.jsonl');
  const fixture = startCli(['sim', '--fixture', '3', '--link', fx, '--latency-ms', '1']);
  t.after(() => (fixture.child.kill('SIGCONT'), fixture.child.kill('SIGKILL')));
  await fixture.waitFor(/^fixture: board 1\/3 on/, { timeoutMs: 30_000 });
  const cli = startCli(['manufacture', '--firmware', prebuilt, '--start-sn', '1', '--ledger', ledger, '-P', fx], { cwd: dir, input: '' });
  t.after(() => cli.child.kill('SIGKILL'));
  await cli.waitFor(/^programming /, { timeoutMs: 30_000 });
  rmSync(fx); // the port's node goes first (the station's open descriptor is not affected) …
  fixture.child.kill('SIGSTOP'); // … then the board stops answering
  const end = await cli.exited;
  const what = `exit ${end.code}\n${cli.lines.join('\n')}`;
  assert.equal(end.code, 1, what);
  const error = assertOneError(cli, fx, what);
  assert.match(error, /went away while programming board [0-9a-f]{20} \((detect|fuses|flash|eeprom|verify)\)/, what);
  const entries = readFileSync(ledger, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { sn: number; result: string });
  for (const r of entries.filter((e) => e.result === 'reserved')) assert.ok(entries.some((e) => e.sn === r.sn && e.result !== 'reserved'), what);
});
