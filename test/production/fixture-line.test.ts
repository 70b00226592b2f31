// `ltobms sim --fixture N` (boards swapped by the fixture itself) with `ltobms manufacture`, one
// fixture and several at once (gang programming, one process, one file ledger). What the boards
// hold is read from the fixture's state files, not from the station's output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { boardsIn, buildTestFirmware, startCli, startFixture } from './harness.js';

test('sim --fixture: boards put on one after another, each taken off once its EEPROM is written, each saved as <uid>.json; after the last nothing answers', async (t) => {
  const fw = await buildTestFirmware();
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-fixture-'));
  const fixture = await startFixture(t, { count: 3, stateDir: join(dir, 'boards'), serial: '30413741343200000101', json: true });
  const ledger = join(dir, 'ledger.jsonl');
  const run = startCli(['manufacture', '--firmware', fw.artifacts.hex, '--start-sn', '40', '--ledger', ledger, '-P', fixture.port, '--yes']);
  t.after(() => run.child.kill('SIGKILL'));
  await fixture.waitForEvent((e) => e.event === 'empty');
  await run.waitFor(/^waiting for a board/, { from: await run.waitFor(/^board removed/, { from: (await run.waitFor(/sn 42 for/)) }) });
  run.child.kill('SIGINT');
  assert.equal((await run.exited).code, 0, run.lines.join('\n'));

  const boards = boardsIn(join(dir, 'boards'));
  assert.deepEqual(
    boards.map((b) => [b.uid, b.sn]),
    [
      ['30413741343200000101', 40],
      ['30413741343200000102', 41],
      ['30413741343200000103', 42],
    ],
  );
  const events = fixture.events().map((e) => `${e.event} ${e.uid ?? ''}`.trim());
  assert.deepEqual(events, [
    'on 30413741343200000101',
    'off 30413741343200000101',
    'on 30413741343200000102',
    'off 30413741343200000102',
    'on 30413741343200000103',
    'off 30413741343200000103',
    'empty',
  ]);
  assert.ok(fixture.events().filter((e) => e.event === 'off').every((e) => e.reason === 'programmed'));
});

test('gang programming: three fixtures from one process, one station each, one ledger, --count over all of them; a status line per station', async (t) => {
  const fw = await buildTestFirmware();
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-gang-'));
  const fixtures = await Promise.all(
    [1, 2, 3].map((n) => startFixture(t, { count: 3, stateDir: join(dir, 'boards'), serial: `304137413432000${n}0001` })),
  );
  const ledger = join(dir, 'ledger.jsonl');
  const ports = fixtures.flatMap((f) => ['-P', f.port]);
  const run = await runCli(['manufacture', '--firmware', fw.artifacts.hex, '--start-sn', '1', '--ledger', ledger, ...ports, '--yes', '--count', '7'], { timeoutMs: 240_000 });
  assert.equal(run.code, 0, run.stderr);
  const boards = boardsIn(join(dir, 'boards')).filter((b) => b.sn !== null);
  assert.equal(boards.length, 7, 'seven boards programmed');
  assert.deepEqual(boards.map((b) => b.sn).sort((a, b) => a! - b!), [1, 2, 3, 4, 5, 6, 7], 'distinct, consecutive');
  for (const f of fixtures) {
    assert.ok(boards.some((b) => b.uid.startsWith(f.serial.slice(0, 16))), `fixture ${f.port} programmed boards`);
    assert.match(run.stderr, new RegExp(`^${f.port}: waiting for a board`, 'm'), 'status lines carry the port');
  }
  for (const f of fixtures) assert.match(run.stdout, new RegExp(`^ok +sn \\d+ +uid \\w+ [\\d.]+ s {2}\\(${f.port}\\)$`, 'm'));
  const report = JSON.parse((await runCli(['manufacture', '--report', ledger, '--json'])).stdout) as { boards: number; serials: number[]; stations: unknown[]; duplicates: unknown[] };
  assert.deepEqual([report.boards, report.serials, report.stations.length, report.duplicates], [7, [1, 2, 3, 4, 5, 6, 7], 3, []]);
  assert.ok(readdirSync(join(dir, 'boards')).length >= 7);
});

test('sim --fixture refuses options that belong to one running board, and a bad count (exit 2)', async () => {
  for (const [args, message] of [
    [['--fixture', '0'], /--fixture 0: expected a number of boards/],
    [['--fixture', '3', '--firmware', 'x.hex'], /--firmware does not apply/],
    [['--state-dir', 'x'], /give --fixture N too/],
  ] as const) {
    const r = await runCli(['sim', ...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
  }
});
