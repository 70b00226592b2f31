// `ltobms manufacture` refusals: checked before the port or the ledger is touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { buildTestFirmware } from './harness.js';

test('--help names the workflow, the options and examples', async () => {
  const r = await runCli(['manufacture', '--help']);
  assert.equal(r.code, 0);
  for (const s of ['--firmware', '--start-sn', '--ledger', '--fuses', '--temp-offset', '--renumber', '--yes', '--count', '--report', 'Enter = next board', 'Examples:']) {
    assert.ok(r.stdout.includes(s), s);
  }
});

test('bad input: one error line, a hint, exit 2, and no ledger file left behind', async () => {
  const fw = await buildTestFirmware();
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-manufacture-cli-'));
  const ledger = join(dir, 'ledger.jsonl');
  const base = ['manufacture', '--ledger', ledger, '-p', join(dir, 'no-such-port')];
  const cases: [string[], RegExp][] = [
    [[], /--firmware is required/],
    [['--firmware', join(dir, 'missing.hex'), '--start-sn', '1'], /cannot read .*missing\.hex: no such file/],
    [['--firmware', fw.artifacts.hex], /the ledger is empty, so the first serial number must be given/],
    [['--firmware', fw.artifacts.hex, '--start-sn', '0'], /--start-sn 0: expected a whole number from 1 to 65535/],
    [['--firmware', fw.artifacts.hex, '--start-sn', '65536'], /--start-sn 65536/],
    [['--firmware', fw.artifacts.hex, '--start-sn', '1', '--chemistry', 'NAION'], /is the LTO firmware, but --chemistry is NAION/],
    [['--firmware', fw.artifacts.hex, '--start-sn', '1', '--uvlo-cutoff', '2500'], /--uvlo-cutoff 2500 mV must be below --uvlo-release/],
    [['--firmware', fw.artifacts.hex, '--start-sn', '1', '--count', 'x'], /--count x/],
    [['--firmware', fw.artifacts.hex, '--start-sn', '1', '--fuses', fw.artifacts.hex], /holds no fuse bytes/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli([...base, ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.match(r.stderr, /^error: .+\nhint: .+\n$/, `${args.join(' ')}: one error line and a hint`);
  }
  // A port that cannot be opened is a failure of the job (1), and still leaves no ledger.
  const r = await runCli([...base, '--firmware', fw.artifacts.hex, '--start-sn', '1']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no-such-port cannot be opened/);
  assert.ok(!existsSync(ledger), 'no ledger created');
  assert.ok(!existsSync(`${ledger}.lock`), 'no lock left');
});

test('--report of a missing file is a usage error', async () => {
  const r = await runCli(['manufacture', '--report', '/nonexistent/ledger.jsonl']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^error: ledger \/nonexistent\/ledger\.jsonl does not exist/);
});
