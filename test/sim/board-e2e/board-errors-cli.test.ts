/** `ltobms sim --board-errors random[:SEED]`: the drawn tolerances are printed (stderr; in --json's ready event) and reproducible. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { socatAvailable } from '../../../src/serial/pty.js';
import { boardErrorsRecord, describeBoardErrors, randomBoardErrors } from '../../../src/sim/board/errors.js';
import { runCli } from '../../helpers/cli.js';
import { firmware } from './harness.js';
import { startSim } from '../../helpers/sim.js';

const skip = socatAvailable() ? false : 'needs socat';
const dir = mkdtempSync(join(tmpdir(), 'ltobms-board-errors-'));
const scenario = join(dir, 'short.yaml');
writeFileSync(scenario, 'name: short\nduration: 5s\nboard: { errors: { vref_pct: 5 } }\n');

test('ltobms sim --board-errors random:SEED prints the board it drew, the same for the same seed, instead of the scenario\'s', { skip, timeout: 60_000 }, async () => {
  const want = randomBoardErrors(7);
  // With firmware: simulated time runs only while firmware runs, and the scenario must end.
  const fw = ['--firmware', (await firmware('LTO')).artifacts.elf];
  const human = await startSim([...fw, '--scenario', scenario, '--speed', 'max', '--board-errors', 'random:7']);
  assert.equal((await human.exited).code, 0, human.stderr());
  assert.ok(human.stderr().includes(`sim: board errors (--board-errors random:7): ${describeBoardErrors(want)}\n`), human.stderr());

  const json = await startSim([...fw, '--scenario', scenario, '--speed', 'max', '--board-errors', 'random:7', '--json']);
  assert.equal((await json.exited).code, 0, json.stderr());
  const ready = JSON.parse(json.stdout().split('\n').find((l: string) => l.startsWith('{"event":"ready"'))!) as { boardErrors: Record<string, number> };
  assert.notEqual(ready.boardErrors.vref_pct, 5, 'the drawn board replaces the scenario\'s errors');
  assert.deepEqual(ready.boardErrors, { seed: 7, ...boardErrorsRecord(want) });

  // Without a seed one is drawn and printed, so the board can be had again.
  const fresh = await startSim([...fw, '--scenario', scenario, '--speed', 'max', '--board-errors', 'random']);
  assert.equal((await fresh.exited).code, 0, fresh.stderr());
  const m = /--board-errors random:(\d+)\): (.*)$/m.exec(fresh.stderr());
  assert.ok(m, fresh.stderr());
  assert.equal(m[2], describeBoardErrors(randomBoardErrors(Number(m[1]))));
});

test('ltobms sim --board-errors with anything but random[:SEED] is a usage error (exit 2, hint), nothing opened', async () => {
  for (const bad of ['vref_pct=1', 'random:x', 'random:99999999999']) {
    const r = await runCli(['sim', '--board-errors', bad]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^error: --board-errors .*: expected random or random:SEED/m);
    assert.match(r.stderr, /^hint: .*board\.errors/m);
    assert.equal(r.stdout, '');
  }
});

test('ltobms demo --board-errors random:SEED runs on the drawn board and says so; run takes it only with --sim', { timeout: 180_000 }, async () => {
  const short = join(dir, 'demo.yaml');
  writeFileSync(short, 'name: two minutes\nduration: 2m\nload: { type: current, current_ma: 100 }\n');
  const r = await runCli(['demo', '--scenario', short, '--board-errors', 'random:7', '--build-dir', join(dir, 'build'), '--out-dir', join(dir, 'frames'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stderr.includes(`demo: board errors (--board-errors random:7): ${describeBoardErrors(randomBoardErrors(7))}\n`), r.stderr);
  const run = await runCli(['run', '-P', '/dev/null-no-port', '--board-errors', 'random:7']);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /^error: --board-errors is for the virtual board$/m);
  assert.match(run.stderr, /^hint: add --sim$/m);
});
