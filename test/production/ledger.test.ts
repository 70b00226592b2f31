// The ledger's rules, on hand-written files: numbering, reservations before the write, re-inserted
// chips, cut-off lines, the lock, and refusal of lines that are not entries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LedgerEntry, type LedgerReservation } from '../../src/production/ledger.js';
import { FileLedger, parseLedger, readLedger } from '../../src/production/ledger-file.js';
import { SerialBook } from '../../src/production/serial-book.js';
import { ledgerReport } from '../../src/production/report.js';
import { LtobmsError, UsageError } from '../../src/errors.js';

const FW = { file: 'main.hex', sha256: 'ab'.repeat(32), version: 'v1' };
const U1 = '3041374134320c3f5001';
const U2 = '3041374134320c3f5002';
const U3 = '3041374134320c3f5003';

function entry(sn: number | null, uid: string | null, result: 'ok' | 'failed', extra: Partial<LedgerEntry> = {}): LedgerEntry {
  return { sn, uid, result, time: '2026-03-01T10:00:00.000Z', firmware: FW, chemistry: 'LTO', fuses: '7a007efffff7ff0000', ...extra };
}

function reservation(sn: number, uid: string): LedgerReservation {
  return { sn, uid, result: 'reserved', time: '2026-03-01T10:00:00.000Z', port: '/dev/ttyUSB0' };
}

function lines(...entries: (LedgerEntry | LedgerReservation)[]): string {
  return entries.map((e) => JSON.stringify(e) + '\n').join('');
}

/** The pid of a process that has ended. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
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
  const reserved = new SerialBook(parseLedger(text + lines(reservation(15, U3)), 'l'), undefined);
  assert.equal(reserved.next(), 16, 'a reserved number is used, passed or not');
  assert.deepEqual(reserved.choose(U3, false), { sn: 15, reprogrammed: false, resumed: true });
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
  assert.deepEqual(book.choose(U2, false), { sn: 21, reprogrammed: false, resumed: true }, 'the chip named on the cut line gets 21 again');
});

test('reserve before writing: the reservation is on disk first; after a crash the chip gets its number again, another chip the next one, and a number never seen again is void', async () => {
  const dir = tmp();
  const path = join(dir, 'ledger.jsonl');
  const ask = (uid: string, renumber = false) => ({ uid, renumber, port: '/dev/ttyUSB0', host: 'bench' });
  const first = FileLedger.open(path, 30);
  assert.ok(!existsSync(path), 'no file before the first record');
  assert.deepEqual(await first.reserve(ask(U1)), { sn: 30, reprogrammed: false });
  // What a crash right now leaves behind: the reservation line, nothing else.
  assert.deepEqual(readLedger(path).reservations.map((r) => [r.sn, r.uid]), [[30, U1]]);
  // (the process is gone without closing: its lock is taken over below)
  writeFileSync(`${path}.lock`, JSON.stringify({ pid: deadPid(), host: (await import('node:os')).hostname() }));

  const second = FileLedger.open(path, undefined);
  assert.deepEqual(await second.reserve(ask(U2)), { sn: 31, reprogrammed: false }, '30 is not given to another chip');
  assert.deepEqual(await second.reserve(ask(U1)), { sn: 30, reprogrammed: false, resumed: true }, 're-inserted: the same number');
  await second.append(entry(30, U1, 'ok'));
  assert.deepEqual(await second.reserve(ask(U1)), { sn: 30, reprogrammed: true }, 'passed: keeps it');
  assert.deepEqual(await second.reserve(ask(U1, true)), { sn: 32, reprogrammed: false, renumberedFrom: 30 }, '--renumber: a new reservation');
  assert.deepEqual(await second.reserve(ask(U1, true)), { sn: 32, reprogrammed: false, resumed: true }, 'a reserved number that has not passed is kept even with --renumber');
  await second.close();

  const contents = readLedger(path);
  assert.deepEqual(contents.reservations.map((r) => [r.sn, r.uid]), [[30, U1], [31, U2], [32, U1]]);
  const report = ledgerReport(path, contents);
  assert.deepEqual(report.serials, [30]);
  assert.deepEqual(report.void, [31, 32], 'U2 never came back; U1 never passed with 32');
  assert.deepEqual(report.duplicates, []);
  assert.equal(report.reserved, 3);
});

test('a line that is JSON but not an entry is refused with its line number (exit 2)', () => {
  const bad = lines(entry(1, U1, 'ok')) + JSON.stringify({ ...entry(2, U2, 'ok'), uid: 'xyz' }) + '\n';
  assert.throws(() => parseLedger(bad, 'ledger.jsonl'), (e: unknown) => e instanceof UsageError && /ledger\.jsonl line 2 .*uid/.test(e.message) && e.exitCode === 2);
  const okWithoutSn = JSON.stringify({ ...entry(null, U1, 'ok') }) + '\n';
  assert.throws(() => parseLedger(okWithoutSn, 'l'), /needs sn and uid/);
});

test('appending: one line per entry, a cut-off tail gets its newline first, the file is read back as written', async () => {
  const dir = tmp();
  const path = join(dir, 'ledger.jsonl');
  writeFileSync(path, lines(entry(5, U1, 'ok')) + '{"sn":6,"uid":"30413741');
  const w = FileLedger.open(path, undefined);
  await w.append(entry(6, U2, 'ok'));
  await w.close();
  const text = readFileSync(path, 'utf8');
  assert.equal(text.split('\n').length, 4, 'three lines and the final newline');
  const back = readLedger(path);
  assert.deepEqual(back.entries.map((e) => e.sn), [5, 6]);
  assert.deepEqual(back.damaged.map((d) => [d.line, d.sn, d.last]), [[2, 6, false]]);
});

test('one process per ledger file: a live owner refuses a second one; a dead owner\'s lock is taken over', async () => {
  const dir = tmp();
  const path = join(dir, 'ledger.jsonl');
  const first = FileLedger.open(path, 1);
  assert.throws(() => FileLedger.open(path, 1), (e: unknown) => e instanceof LtobmsError && e.code === 'LEDGER_LOCKED' && new RegExp(`pid ${process.pid}`).test(e.message));
  await first.close();
  assert.ok(!existsSync(`${path}.lock`));
  assert.ok(!existsSync(path), 'nothing recorded: no file');

  // A process that held the lock and is gone (as after SIGKILL).
  writeFileSync(`${path}.lock`, JSON.stringify({ pid: deadPid(), host: (await import('node:os')).hostname() }));
  const second = FileLedger.open(path, 1);
  await second.close();

  // A process that is alive holds it.
  const alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
  try {
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: alive.pid, host: (await import('node:os')).hostname() }));
    assert.throws(() => FileLedger.open(path, 1), /in use by another ltobms manufacture/);
  } finally {
    alive.kill('SIGKILL');
  }
});
