// The ledger report on a hand-made ledger whose figures are worked out by hand in the comments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatRanges, ledgerReport, renderReport } from '../../src/production/report.js';
import type { LedgerEntry } from '../../src/production/ledger.js';
import { parseLedger } from '../../src/production/ledger-file.js';
import { runCli } from '../helpers/cli.js';

const FW = { file: 'main.hex', sha256: 'cd'.repeat(32), version: 'v2' };
const uid = (n: number) => `3041374134320c3f50${n.toString(16).padStart(2, '0')}`;
function e(minute: number, sn: number | null, u: number | null, result: 'ok' | 'failed', extra: Partial<LedgerEntry> = {}): LedgerEntry {
  const time = new Date(Date.UTC(2026, 2, 1, 8, 0, 0) + minute * 60_000).toISOString();
  return { sn, uid: u === null ? null : uid(u), result, time, firmware: FW, chemistry: 'LTO', fuses: '7a', ms: 60_000, ...extra };
}

// 08:00 sn1, 08:01 sn2, 08:02 chip 3 fails (flash), 08:03 chip 3 retried ok as sn3,
// 08:04 chip 4 fails (detect), break until 09:00 (56 min > 10 min: not counted),
// 09:00 chip 1 again (re-programmed, sn1), 09:02 sn5 (a --start-sn jump leaves 4 unused).
const LEDGER = [
  e(0, 1, 1, 'ok'),
  e(1, 2, 2, 'ok'),
  e(2, 3, 3, 'failed', { step: 'flash', error: 'verify failed: flash at offset 0x0100' }),
  e(3, 3, 3, 'ok'),
  e(4, null, 4, 'failed', { step: 'detect', error: 'not an ATtiny824' }),
  e(60, 1, 1, 'ok', { reprogrammed: true }),
  e(62, 5, 6, 'ok'),
];

test('figures: boards, failures by step, active time without breaks, boards per hour, serial range and gaps', () => {
  const r = ledgerReport('l', parseLedger(LEDGER.map((x) => JSON.stringify(x)).join('\n') + '\n', 'l'));
  assert.equal(r.entries, 7);
  assert.equal(r.ok, 5);
  assert.equal(r.boards, 4, 'chips 1, 2, 3, 6');
  assert.equal(r.failed, 2);
  assert.equal(r.recovered, 1, 'chip 3 passed on its retry');
  assert.equal(r.rejected, 1, 'chip 4 never passed');
  assert.equal(r.reprogrammed, 1);
  assert.deepEqual(r.failures_by_step, { detect: 1, fuses: 0, flash: 1, eeprom: 0, verify: 0 });
  // Active: gaps 1+1+1+1 min (the 56-min break left out) + 2 min + the first board's own 1 min = 7 min.
  assert.equal(r.active_hours, Math.round((6 / 60) * 1000) / 1000, 'gaps only');
  assert.equal(r.boards_per_hour, Math.round((5 / (7 / 60)) * 10) / 10);
  assert.deepEqual(r.serials, [1, 2, 3, 5]);
  assert.deepEqual(r.serial_range, { first: 1, last: 5, count: 4, gaps: [4] });
  assert.deepEqual(r.void, []);
  assert.deepEqual(r.duplicates, []);
  assert.equal(r.median_ms, 60_000);
  const text = renderReport(r).join('\n');
  assert.match(text, /failures by step: detect 1, flash 1/);
  assert.match(text, /serial numbers: 1\.\.5 \(4 on boards that passed, never given: 4\)/);
});

test('void: a number reserved for a chip that never passed with it; the range counts it as given', () => {
  const reservations = [1, 2, 3, 5, 6].map((sn) => ({ sn, uid: uid(sn === 5 ? 6 : sn === 6 ? 8 : sn), result: 'reserved' as const, time: '2026-03-01T08:00:00.000Z' }));
  const text = [...LEDGER, ...reservations].map((x) => JSON.stringify(x)).join('\n') + '\n';
  const r = ledgerReport('l', parseLedger(text, 'l'));
  assert.deepEqual(r.void, [6], 'chip 8 got 6 reserved and never passed');
  assert.deepEqual(r.serial_range, { first: 1, last: 6, count: 5, gaps: [4] });
  assert.equal(r.reserved, 5);
  assert.match(renderReport(r).join('\n'), /void: +6 \(reserved for a chip that never passed with it\)/);
});

test('a number on two chips is reported as a duplicate, and --report exits 1 naming it', async () => {
  const dup = [...LEDGER, e(63, 2, 7, 'ok')];
  const r = ledgerReport('l', parseLedger(dup.map((x) => JSON.stringify(x)).join('\n') + '\n', 'l'));
  assert.deepEqual(r.duplicates, [{ sn: 2, uids: [uid(2), uid(7)] }]);

  const dir = mkdtempSync(join(tmpdir(), 'ltobms-report-'));
  const file = join(dir, 'ledger.jsonl');
  writeFileSync(file, dup.map((x) => JSON.stringify(x)).join('\n') + '\n');
  const cli = await runCli(['manufacture', '--report', file]);
  assert.equal(cli.code, 1);
  assert.match(cli.stdout, /duplicates: +sn 2 on 3041374134320c3f5002 and 3041374134320c3f5007/);
  assert.match(cli.stderr, /^error: 1 serial number is on more than one chip\nhint: .*--renumber/);
});

test('formatRanges', () => {
  assert.equal(formatRanges([3, 4, 5, 9, 11, 12]), '3–5, 9, 11–12');
  assert.equal(formatRanges([]), '');
});
