// `ltobms manufacture` end to end: the real CLI programs virtual boards that are swapped on one
// pseudo-terminal (the fixture), including a defective one, a wrong part, a re-inserted one and a
// run killed with SIGKILL in the middle of a board. Expectations come from the firmware files
// (parsed here with the HEX reader), HARDWARE.md's fuse table and the EEPROM layout, not from the
// station's own output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProgrammingFixture, fixtureBoard, type FixtureBoard } from '../../src/sim/fixture/fixture.js';
import { parseIntelHex } from '../../src/image/ihex.js';
import { decodeConfig } from '../../src/eeprom/image.js';
import { runCli } from '../helpers/cli.js';
import { buildTestFirmware, startCli, uidFor } from './harness.js';

/** HARDWARE.md, "Fuses used by the original project": WDTCFG..BOOTEND. */
const HARDWARE_MD_FUSES = [0x7a, 0x00, 0x7e, 0xff, 0xff, 0xf7, 0xff, 0x00, 0x00];

interface Entry {
  sn: number | null;
  uid: string | null;
  result: 'ok' | 'failed' | 'reserved';
  step?: string;
  code?: string;
  reprogrammed?: boolean;
  firmware: { sha256: string; version: string | null };
}

function readEntries(path: string): Entry[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Entry);
}

/** The attempts (ok and failed), without the reservations. */
function readAttempts(path: string): Entry[] {
  return readEntries(path).filter((e) => e.result !== 'reserved');
}

function uidHex(b: FixtureBoard): string {
  return Buffer.from(b.memories.serialNumber).toString('hex');
}

function flatFlash(hexPath: string): Uint8Array {
  const flash = new Uint8Array(8192).fill(0xff);
  let end = 0;
  for (const s of parseIntelHex(readFileSync(hexPath, 'latin1'), hexPath)) {
    assert.ok(s.address + s.data.length <= 8192, 'the test firmware is flash only');
    flash.set(s.data, s.address);
    end = Math.max(end, s.address + s.data.length);
  }
  return flash.subarray(0, end);
}

test('a production run: consecutive unique numbers, a re-inserted chip keeps its number, failures use none, a SIGKILLed board is redone with the same number', async (t) => {
  const fw = await buildTestFirmware();
  const image = flatFlash(fw.artifacts.hex);
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-manufacture-'));
  const ledger = join(dir, 'ledger.jsonl');

  // A flash cell stuck at 0 where the image needs a 1: that board cannot pass verification.
  const stuck = image.findIndex((b, i) => i >= 0x100 && (b & 0x01) === 1);
  assert.ok(stuck > 0);
  const A = fixtureBoard('A', uidFor(1));
  const B = fixtureBoard('B', uidFor(2));
  const C = fixtureBoard('C', uidFor(3), [{ offset: stuck, bit: 0 }]);
  const W = fixtureBoard('W', uidFor(4));
  W.memories.sigrow.set([0x1e, 0x94, 0x2a], 0); // ATtiny1624 (avr-libc iotn1624.h SIGNATURE_0..2)
  const D = fixtureBoard('D', uidFor(5));
  const E = fixtureBoard('E', uidFor(6));

  let onEFlashPage: (() => void) | undefined;
  let eFlashPages = 0;
  const fixture = await ProgrammingFixture.open({
    onEvent: (e) => {
      if (e.type === 'nvm' && e.board === 'E' && e.event.type === 'command' && (e.event.command === 'WP' || e.event.command === 'ERWP') && e.event.address >= 0x8000) {
        eFlashPages++;
        onEFlashPage?.();
      }
    },
  });
  t.after(() => fixture.close());

  const common = ['manufacture', '--firmware', fw.artifacts.hex, '--start-sn', '100', '--ledger', ledger, '-P', fixture.portPath, '--yes'];
  fixture.attach(A);
  const run1 = startCli(common);
  t.after(() => run1.child.kill('SIGKILL'));
  let cursor = 0;
  const swapTo = async (board: FixtureBoard) => {
    cursor = (await run1.waitFor(/take the board off/, { from: cursor })) + 1;
    fixture.detach();
    cursor = (await run1.waitFor(/^board removed/, { from: cursor })) + 1;
    fixture.attach(board);
  };
  for (const board of [B, C, W, A, D]) await swapTo(board);
  // E: killed after its third flash page, i.e. in the middle of the flash step.
  onEFlashPage = () => {
    if (eFlashPages === 3) run1.child.kill('SIGKILL');
  };
  await swapTo(E);
  const end1 = await run1.exited;
  assert.equal(end1.signal, 'SIGKILL');
  assert.ok(eFlashPages >= 3 && eFlashPages < Math.ceil(image.length / 64), `killed mid-flash (${eFlashPages} pages)`);
  assert.ok(!readEntries(ledger).some((e) => e.uid === uidHex(E)), 'the interrupted board has no entry');
  assert.ok(existsSync(`${ledger}.lock`), 'the killed run left its lock behind');

  // The operator starts the same command again; E is still in the socket.
  onEFlashPage = undefined;
  const run2 = startCli(common);
  t.after(() => run2.child.kill('SIGKILL'));
  await run2.waitFor(/take the board off/);
  fixture.detach();
  await run2.waitFor(/^waiting for a board/, { from: (await run2.waitFor(/^board removed/)) });
  run2.child.kill('SIGINT'); // Ctrl-C while waiting: a normal end
  const end2 = await run2.exited;
  assert.equal(end2.code, 0, run2.lines.join('\n'));
  assert.match(run2.lines.join('\n'), /1 board: 1 ok, 0 failed attempts/);
  assert.ok(!existsSync(`${ledger}.lock`), 'lock released');

  // The ledger: every attempt, in order.
  const entries = readAttempts(ledger);
  const ok = entries.filter((e) => e.result === 'ok');
  assert.deepEqual(
    ok.map((e) => [e.uid, e.sn]),
    [
      [uidHex(A), 100],
      [uidHex(B), 101],
      [uidHex(A), 100],
      [uidHex(D), 102],
      [uidHex(E), 103],
    ],
  );
  assert.equal(ok[2]!.reprogrammed, true, 'A came back and kept 100');
  const serials = [...new Set(ok.map((e) => e.sn!))].sort((a, b) => a - b);
  assert.deepEqual(serials, [100, 101, 102, 103], 'consecutive');
  for (const sn of serials) assert.equal(new Set(ok.filter((e) => e.sn === sn).map((e) => e.uid)).size, 1, `sn ${sn} on one chip`);

  const failed = entries.filter((e) => e.result === 'failed');
  assert.equal(failed.length, 2);
  assert.deepEqual([failed[0]!.uid, failed[0]!.step, failed[0]!.code, failed[0]!.sn], [uidHex(C), 'flash', 'UPDI_VERIFY', null], 'failed before its number was reserved: it used none');
  assert.deepEqual([failed[1]!.step, failed[1]!.code], ['detect', 'MANUFACTURE_WRONG_PART']);
  for (const e of entries) assert.equal(e.firmware.version, 'v9.8.7-test');
  assert.deepEqual(readEntries(ledger).filter((e) => e.result === 'reserved').map((e) => [e.sn, e.uid]), [[100, uidHex(A)], [101, uidHex(B)], [102, uidHex(D)], [103, uidHex(E)]], 'each new number reserved once, before its board passed');

  // The chips: EEPROM holds the ledger's number; fuses and flash as the files say.
  for (const [board, sn] of [[A, 100], [B, 101], [D, 102], [E, 103]] as const) {
    const d = decodeConfig(board.memories.eeprom);
    assert.ok(d.magicValid && d.crcValid, `${board.name}: valid configuration`);
    assert.equal(d.config.serialNumber, sn, `${board.name}: EEPROM serial number`);
    assert.deepEqual([...board.memories.fuses.subarray(0, 9)], HARDWARE_MD_FUSES, `${board.name}: fuses`);
    assert.deepEqual(board.memories.flash.subarray(0, image.length), image, `${board.name}: flash`);
  }
  assert.equal(decodeConfig(C.memories.eeprom).magicValid, false, 'the defective board got no configuration');
  assert.ok(W.memories.flash.every((b) => b === 0xff), 'nothing written to the wrong part');

  // The report agrees.
  const rep = await runCli(['manufacture', '--report', ledger, '--json']);
  assert.equal(rep.code, 0, rep.stderr);
  const report = JSON.parse(rep.stdout) as { ok: number; boards: number; failed: number; failures_by_step: Record<string, number>; serials: number[]; void: number[]; serial_range: { first: number; last: number; gaps: number[] }; duplicates: unknown[]; reprogrammed: number };
  assert.deepEqual(
    { ok: report.ok, boards: report.boards, failed: report.failed, flash: report.failures_by_step.flash, detect: report.failures_by_step.detect, reprogrammed: report.reprogrammed },
    { ok: 5, boards: 4, failed: 2, flash: 1, detect: 1, reprogrammed: 1 },
  );
  assert.deepEqual(report.serial_range.gaps, []);
  assert.deepEqual(report.serials, [100, 101, 102, 103]);
  assert.deepEqual(report.void, []);
  assert.deepEqual(report.duplicates, []);
});

test('interactive: after a failure r retries the same board (a second failed entry, same number), q quits with exit 1', async (t) => {
  const fw = await buildTestFirmware();
  const image = flatFlash(fw.artifacts.hex);
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-manufacture-'));
  const ledger = join(dir, 'ledger.jsonl');
  const stuck = image.findIndex((b, i) => i >= 0x40 && (b & 0x80) !== 0);
  const C = fixtureBoard('C', uidFor(9), [{ offset: stuck, bit: 7 }]);
  const fixture = await ProgrammingFixture.open();
  t.after(() => fixture.close());
  fixture.attach(C);
  const run = startCli(['manufacture', '--firmware', fw.artifacts.hex, '--start-sn', '7', '--ledger', ledger, '-P', fixture.portPath], { input: 'r\nq\n' });
  t.after(() => run.child.kill('SIGKILL'));
  const end = await run.exited;
  assert.equal(end.code, 1, run.lines.join('\n'));
  const prompts = run.lines.join('\n').match(/Enter = next board, r = retry, q = quit/g) ?? [];
  assert.equal(prompts.length, 2);
  const entries = readAttempts(ledger);
  assert.deepEqual(
    entries.map((e) => [e.result, e.sn, e.step]),
    [
      ['failed', null, 'flash'],
      ['failed', null, 'flash'],
    ],
  );
  assert.match(run.stdout(), /FAILED {2}uid 3041374134320c3f5009 {2}at flash: .*verify failed/);
});

test('Ctrl-C in the middle of a board: exit 130, no ledger entry, the board released from programming mode', async (t) => {
  const fw = await buildTestFirmware();
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-manufacture-'));
  const ledger = join(dir, 'ledger.jsonl');
  const board = fixtureBoard('I', uidFor(10));
  let pages = 0;
  const on: { secondPage?: () => void } = {};
  let progmodeLeft = false;
  const fixture = await ProgrammingFixture.open({
    onEvent: (e) => {
      if (e.type === 'nvm' && e.event.type === 'command' && e.event.command === 'WP' && ++pages === 2) on.secondPage?.();
      if (e.type === 'updi' && e.event.type === 'progmode' && !e.event.active) progmodeLeft = true;
    },
  });
  t.after(() => fixture.close());
  fixture.attach(board);
  const run = startCli(['manufacture', '--firmware', fw.artifacts.hex, '--start-sn', '3', '--ledger', ledger, '-P', fixture.portPath, '--yes']);
  t.after(() => run.child.kill('SIGKILL'));
  on.secondPage = () => run.child.kill('SIGINT');
  const end = await run.exited;
  assert.equal(end.code, 130, run.lines.join('\n'));
  assert.match(run.lines.join('\n'), /interrupted in the middle of a board: it is not recorded; a number reserved for it stays with that chip/);
  assert.match(run.lines.join('\n'), /next serial number: 3/);
  assert.ok(!existsSync(ledger), 'nothing recorded (the file comes with the first record)');
  assert.ok(progmodeLeft, 'programming mode was left on the way out');
  assert.ok(!existsSync(`${ledger}.lock`));
});

test('SIGKILL right after a board\'s EEPROM was written: the reserved number stays with that chip — again when it is re-inserted, void when it is never seen again — and no other board gets it', async (t) => {
  const fw = await buildTestFirmware();
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-manufacture-'));
  const ledger = join(dir, 'ledger.jsonl');
  const K = fixtureBoard('K', uidFor(20));
  const L = fixtureBoard('L', uidFor(21));
  const M = fixtureBoard('M', uidFor(22));
  const on: { eepromWrite?: (board: string) => void } = {};
  const fixture = await ProgrammingFixture.open({
    onEvent: (e) => {
      // The EEPROM (data space 0x1400..) written: the chip now carries its number.
      if (e.type === 'nvm' && e.event.type === 'command' && e.event.ok && e.event.address >= 0x1400 && e.event.address < 0x1480) on.eepromWrite?.(e.board);
    },
  });
  t.after(() => fixture.close());
  const common = ['manufacture', '--firmware', fw.artifacts.hex, '--start-sn', '500', '--ledger', ledger, '-P', fixture.portPath, '--yes'];
  const killedAfterEeprom = async (board: typeof K) => {
    fixture.attach(board);
    const run = startCli(common);
    t.after(() => run.child.kill('SIGKILL'));
    on.eepromWrite = (name) => {
      if (name === board.name) run.child.kill('SIGKILL');
    };
    const end = await run.exited;
    on.eepromWrite = undefined;
    assert.equal(end.signal, 'SIGKILL', run.lines.join('\n'));
    return run;
  };

  // K: killed with sn 500 in its EEPROM; the ledger has the reservation and no result.
  const first = await killedAfterEeprom(K);
  assert.match(first.lines.join('\n'), /sn 500 for 3041374134320c3f5014: reserved, new/);
  assert.equal(decodeConfig(K.memories.eeprom).config.serialNumber, 500, 'the chip holds 500');
  assert.deepEqual(readEntries(ledger).map((e) => [e.result, e.sn]), [['reserved', 500]]);
  // K is put back: it gets 500 again.
  fixture.detach();
  await killedAfterEeprom(K);
  const again = startCli(common);
  t.after(() => again.child.kill('SIGKILL'));
  await again.waitFor(/take the board off/);
  assert.match(again.lines.join('\n'), /sn 500 for 3041374134320c3f5014: reserved for it earlier, the same number again/);
  fixture.detach();
  // L: killed the same way, then never seen again (taken off while the station was down).
  await again.waitFor(/^waiting for a board/, { from: await again.waitFor(/^board removed/) });
  again.child.kill('SIGINT');
  assert.equal((await again.exited).code, 0, again.lines.join('\n'));
  await killedAfterEeprom(L);
  assert.equal(decodeConfig(L.memories.eeprom).config.serialNumber, 501);
  fixture.detach();
  // M gets 502, not L's 501.
  fixture.attach(M);
  const last = startCli([...common, '--count', '1']);
  t.after(() => last.child.kill('SIGKILL'));
  assert.equal((await last.exited).code, 0, last.lines.join('\n'));
  assert.equal(decodeConfig(M.memories.eeprom).config.serialNumber, 502);

  const rep = await runCli(['manufacture', '--report', ledger, '--json']);
  assert.equal(rep.code, 0, rep.stderr);
  const report = JSON.parse(rep.stdout) as { boards: number; serials: number[]; void: number[]; duplicates: unknown[] };
  assert.deepEqual([report.boards, report.serials, report.void, report.duplicates], [2, [500, 502], [501], []]);
});
