// The ledger's rules, on hand-written files: numbering, re-inserted chips, cut-off lines, the
// lock, and refusal of lines that are not entries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerWriter, SerialBook, parseLedger, readLedger, type LedgerEntry } from '../../src/production/ledger.js';
import { LtobmsError, UsageError } from '../../src/errors.js';

const FW = { file: 'main.hex', sha256: 'ab'.repeat(32), version: 'v1' };
const U1 = '3041374134320c3f5001';
const U2 = '3041374134320c3f5002';
const U3 = '3041374134320c3f5003';

function entry(sn: number | null, uid: string | null, result: 'ok' | 'failed', extra: Partial<LedgerEntry> = {}): LedgerEntry {
  return { sn, uid, result, time: '2026-03-01T10:00:00.000Z', firmware: FW, chemistry: 'LTO', fuses: '7a007efffff7ff0000', ...extra };
}

function lines(...entries: LedgerEntry[]): string {
  return entries.map((e) => JSON.stringify(e) + '\n').join('');
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'ltobms-ledger-'));
}

test('next number: one past the highest ok entry; failed entries use none; --start-sn only when higher or the ledger is new', () => {
  const text = lines(entry(10, U1, 'ok'), entry(11, U2, 'failed', { step: 'flash' }), entry(11, U2, 'ok'), entry(12, U3, 'failed', { step: 'verify' }));
  const contents = parseLedger(text, 'l');
  assert.equal(new SerialBook(contents, undefined).next(), 12);
  assert.equal(new SerialBook(contents, 5).next(), 12, 'a lower --start-sn does not go back');
  assert.equal(new SerialBook(contents, 40).next(), 40, 'a higher --start-sn jumps ahead');
  assert.equal(new SerialBook(parseLedger('', 'l'), 1).next(), 1);
  assert.throws(() => new SerialBook(parseLedger('', 'l'), undefined).next(), (e: unknown) => e instanceof UsageError && /--start-sn/.test(e.hint ?? ''));
  assert.throws(() => new SerialBook(parseLedger(lines(entry(65535, U1, 'ok')), 'l'), undefined).next(), (e: unknown) => e instanceof LtobmsError && e.code === 'MANUFACTURE_SN_EXHAUSTED');
});

test('a chip in the ledger keeps its number; --renumber gives it the next one and says which it had', () => {
  const book = new SerialBook(parseLedger(lines(entry(10, U1, 'ok'), entry(11, U2, 'ok')), 'l'), undefined);
  assert.deepEqual(book.choose(U1, false), { sn: 10, reprogrammed: true });
  assert.deepEqual(book.choose(U3, false), { sn: 12, reprogrammed: false });
  assert.deepEqual(book.choose(U2, true), { sn: 12, reprogrammed: false, renumberedFrom: 11 });
  // A chip that only ever failed has no number.
  const failedOnly = new SerialBook(parseLedger(lines(entry(10, U1, 'ok'), entry(11, U2, 'failed', { step: 'eeprom' })), 'l'), undefined);
  assert.deepEqual(failedOnly.choose(U2, false), { sn: 11, reprogrammed: false });
});

test('a last line cut short is tolerated, and the number it names is never handed out again', () => {
  const whole = JSON.stringify(entry(21, U2, 'ok'));
  const text = lines(entry(20, U1, 'ok')) + whole.slice(0, 40);
  const contents = parseLedger(text, 'l');
  assert.equal(contents.entries.length, 1);
  assert.equal(contents.missingNewline, true);
  assert.deepEqual(
    contents.damaged.map((d) => [d.line, d.sn, d.uid, d.last]),
    [[2, 21, U2, true]],
  );
  const book = new SerialBook(contents, undefined);
  assert.equal(book.next(), 22, 'sn 21 may be on a board: skip it');
  assert.deepEqual(book.choose(U2, false), { sn: 21, reprogrammed: true }, 'the chip named on the cut line keeps 21');
});

test('a line that is JSON but not an entry is refused with its line number (exit 2)', () => {
  const bad = lines(entry(1, U1, 'ok')) + JSON.stringify({ ...entry(2, U2, 'ok'), uid: 'xyz' }) + '\n';
  assert.throws(() => parseLedger(bad, 'ledger.jsonl'), (e: unknown) => e instanceof UsageError && /ledger\.jsonl line 2 .*uid/.test(e.message) && e.exitCode === 2);
  const okWithoutSn = JSON.stringify({ ...entry(null, U1, 'ok') }) + '\n';
  assert.throws(() => parseLedger(okWithoutSn, 'l'), /needs sn and uid/);
});

test('appending: one line per entry, a cut-off tail gets its newline first, the file is read back as written', () => {
  const dir = tmp();
  const path = join(dir, 'ledger.jsonl');
  writeFileSync(path, lines(entry(5, U1, 'ok')) + '{"sn":6,"uid":"30413741');
  const w = LedgerWriter.open(path);
  w.append(entry(6, U2, 'ok'));
  w.close();
  const text = readFileSync(path, 'utf8');
  assert.equal(text.split('\n').length, 4, 'three lines and the final newline');
  const back = readLedger(path);
  assert.deepEqual(back.entries.map((e) => e.sn), [5, 6]);
  assert.deepEqual(back.damaged.map((d) => [d.line, d.sn, d.last]), [[2, 6, false]]);
});

test('one station per ledger: a live owner refuses a second one; a dead owner\'s lock is taken over', async () => {
  const dir = tmp();
  const path = join(dir, 'ledger.jsonl');
  const first = LedgerWriter.open(path);
  assert.throws(() => LedgerWriter.open(path), (e: unknown) => e instanceof LtobmsError && e.code === 'LEDGER_LOCKED' && new RegExp(`pid ${process.pid}`).test(e.message));
  first.close();
  assert.ok(!existsSync(`${path}.lock`));

  // A process that held the lock and is gone (as after SIGKILL).
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  writeFileSync(`${path}.lock`, JSON.stringify({ pid: Number(gone.stdout.toString()), host: (await import('node:os')).hostname() }));
  const second = LedgerWriter.open(path);
  second.close();

  // A process that is alive holds it.
  const alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
  try {
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: alive.pid, host: (await import('node:os')).hostname() }));
    assert.throws(() => LedgerWriter.open(path), /in use by another ltobms manufacture/);
  } finally {
    alive.kill('SIGKILL');
  }
});
