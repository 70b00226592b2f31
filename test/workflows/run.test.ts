// `ltobms run` on virtual boards: the first run writes everything, the second finds the flash up
// to date and writes nothing, EEPROM options write only the configuration (keeping the board's
// serial number); on the real-port path the log frames of the board's UART (a pty pair here) end
// up in the log files, and Ctrl-C ends with exit 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseIntelHex } from '../../src/image/ihex.js';
import { decodeConfig } from '../../src/eeprom/image.js';
import { ProgrammingFixture, fixtureBoard } from '../../src/sim/fixture/fixture.js';
import { siblingUartPort } from '../../src/workflows/uart-port.js';
import { runCli } from '../helpers/cli.js';
import { SocatPty, socatAvailable } from '../../src/serial/pty.js';
import { startCli, uidFor } from '../production/harness.js';

interface Programmed {
  type: 'programmed';
  build: { hex: string; compiled: number };
  flash: { compared: number; pages: number; changedPages: number; written: number };
  eeprom: null | { written: boolean; serialNumber: number; hex: string };
}

function flashBytes(hexPath: string): { address: number; data: Uint8Array }[] {
  return parseIntelHex(readFileSync(hexPath, 'latin1'), hexPath);
}

test('run --sim: everything the first time, nothing the second, only the configuration when asked; the firmware then logs with that serial number (in-process wires: no socat)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-run-'));
  const state = join(dir, 'board.json');
  const common = ['run', '--sim', '--sim-state', state, '--out', join(dir, 'build'), '--fw-version', 'v3.1-test', '--json'];
  const exec = async (extra: string[]) => {
    extra = [...extra, '--no-log'];
    const r = await runCli([...common, ...extra], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Programmed;
  };

  const first = await exec(['--sn', '42']);
  assert.ok(first.build.compiled > 0, 'built from scratch');
  const image = flashBytes(first.build.hex);
  const imageBytes = image.reduce((n, s) => n + s.data.length, 0);
  const pages = Math.ceil(imageBytes / 64); // one segment from address 0: 64-byte pages (ATtiny824)
  assert.deepEqual([first.flash.pages, first.flash.changedPages, first.flash.written], [pages, pages, pages * 64]);
  assert.equal(first.eeprom?.written, true);

  const second = await exec([]);
  assert.equal(second.build.compiled, 0, 'incremental: nothing recompiled');
  assert.deepEqual([second.flash.changedPages, second.flash.written, second.flash.compared], [0, 0, pages * 64]);
  assert.equal(second.eeprom, null, 'no EEPROM options: EEPROM left alone');

  const third = await exec(['--temp-offset', '-4']);
  assert.equal(third.flash.changedPages, 0);
  assert.deepEqual([third.eeprom?.written, third.eeprom?.serialNumber], [true, 42], 'keeps the board\'s number');
  const fourth = await exec(['--temp-offset', '-4']);
  assert.equal(fourth.eeprom?.written, false, 'same configuration: not rewritten');

  // What the virtual board holds (its state file, hex strings per memory).
  const saved = JSON.parse(readFileSync(state, 'utf8')) as { flash: string; eeprom: string };
  const flash = Buffer.from(saved.flash, 'hex');
  for (const s of image) assert.deepEqual(flash.subarray(s.address, s.address + s.data.length), Buffer.from(s.data));
  const config = decodeConfig(Buffer.from(saved.eeprom, 'hex'));
  assert.ok(config.crcValid && config.magicValid);
  assert.deepEqual([config.config.serialNumber, config.config.tempOffset, config.config.uvloCutoff], [42, -4, 1700], 'sn kept, offset set, LTO default limit (HARDWARE.md)');

  // Now with the tail: the virtual board runs the firmware, whose frames carry id = sn in hex.
  const env = { LTOBMS_DATA_DIR: join(dir, 'data') };
  const live = startCli(['run', '--sim', '--sim-state', state, '--out', join(dir, 'build'), '--fw-version', 'v3.1-test', '--json', '--speed', '60'], { cwd: dir, env });
  t.after(() => live.child.kill('SIGKILL'));
  const deadline = Date.now() + 20_000;
  const frames = () => live.stdout().split('\n').filter((l) => l.startsWith('{"type":"frame"')).map((l) => JSON.parse(l) as { id: string; measurement: string; state: string });
  while (frames().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  live.child.kill('SIGINT');
  const end = await live.exited;
  assert.ok(frames().length >= 2, `frames arrived: ${live.lines.join('\n')}`);
  for (const f of frames()) assert.deepEqual([f.id, f.measurement], ['002A', 'lto-bms'], 'HARDWARE.md: id = serial number as 4 upper-case hex digits');
  assert.equal(end.code, 0, live.lines.join('\n'));
  const programmed = JSON.parse(live.stdout().split('\n')[0]!) as Programmed;
  assert.deepEqual([programmed.type, programmed.flash.changedPages, programmed.eeprom], ['programmed', 0, null]);
  const logged = readFileSync(join(dir, 'data', 'log', readdirSync(join(dir, 'data', 'log'))[0]!), 'utf8').trim().split('\n');
  assert.ok(logged.length >= frames().length && logged.every((l) => l.startsWith('lto-bms,id=002A ')), 'flushed to the log file');
  // Stamped with the virtual board's clock: as far apart as the firmware's own uptime says (a simulated
  // minute between periodic frames; the start-up frame, if the tail caught it, comes ~1 s after the reset),
  // though a frame comes every wall second.
  const stamps = logged.map((l) => BigInt(l.slice(l.lastIndexOf(' ') + 1)));
  const uptimes = logged.map((l) => Number(/ uptime=(\d+)i/.exec(l)![1]));
  for (let i = 1; i < stamps.length; i++) {
    const apart = Number(stamps[i]! - stamps[i - 1]!) / 1e9;
    const byUptime = uptimes[i]! - uptimes[i - 1]!;
    assert.ok(byUptime >= 58, `frame ${i}: uptime ${uptimes[i - 1]} → ${uptimes[i]}`);
    // Periodic frames exactly a minute apart; the start-up frame's uptime is whole seconds only.
    const tolerance = byUptime === 60 ? 0.5 : 1;
    assert.ok(Math.abs(apart - byUptime) < tolerance, `frame ${i}: ${apart} s after the one before, uptime ${uptimes[i - 1]} → ${uptimes[i]}`);
  }
});

test('run on a port: only changed pages are rewritten, then the UART frames go to the log files until Ctrl-C (exit 0)', { skip: !socatAvailable() }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-run-port-'));
  const fixture = await ProgrammingFixture.open();
  t.after(() => fixture.close());
  const board = fixtureBoard('R', uidFor(77));
  fixture.attach(board);
  const uart = await SocatPty.open();
  t.after(() => uart.close());
  const args = ['run', '-P', fixture.portPath, '--uart-port', uart.portPath, '--out', join(dir, 'build'), '--fw-version', 'v3.2-test', '--sn', '9'];
  const env = { LTOBMS_DATA_DIR: join(dir, 'data') };

  // First: program only (the same workflow without the tail), then damage one flash page.
  const first = await runCli([...args, '--no-log', '--json'], { cwd: dir, env });
  assert.equal(first.code, 0, first.stderr);
  const hex = (JSON.parse(first.stdout) as Programmed).build.hex;
  board.memories.flash[0x85] ^= 0xff; // page 2 (0x80..0xBF) no longer matches

  const cli = startCli(args, { cwd: dir, env });
  t.after(() => cli.child.kill('SIGKILL'));
  await cli.waitFor(/^reading /, { timeoutMs: 30_000 });
  const text = cli.lines.join('\n');
  assert.match(text, /flash: 1 of \d+ pages changed: wrote 64 B, read back and verified/);
  assert.match(text, /eeprom: up to date \(sn 9\)/);
  for (const s of flashBytes(hex)) assert.deepEqual(board.memories.flash.subarray(s.address, s.address + s.data.length), s.data, 'repaired');

  const frame = 'lto-bms,id=0009 uptime=60i,v_batt=2512i,v_load=2509i,current=-35i,E_dis=0i,E_chg=1i,charge=-1i,temp=297i,gain=16i,state="BMS_STATE_CHARGING"';
  await uart.send(frame + '\r\n');
  const deadline = Date.now() + 10_000;
  while (!cli.stdout().includes('CHARGING') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.match(cli.stdout(), /0009 +2\.512 V +2\.509 V +-35 mA +CHARGING/);
  cli.child.kill('SIGINT');
  const end = await cli.exited;
  assert.equal(end.code, 0, cli.lines.join('\n'));
  assert.match(cli.lines.join('\n'), /summary: 1 frame, 1 point written/);
  const logDir = join(dir, 'data', 'log');
  const files = readdirSync(logDir);
  assert.equal(files.length, 1);
  const lines = readFileSync(join(logDir, files[0]!), 'utf8').trim().split('\n');
  assert.equal(lines.length, 1);
  assert.ok(lines[0]!.startsWith(frame + ' '), 'the frame with a host timestamp');
});

test('the UART port of a dual-channel adapter is its other port; anything less certain is refused', async () => {
  const ports = [
    { path: '/dev/ttyUSB0', vendorId: '0403', productId: '6010', serialNumber: 'FT1', source: 'sysfs' as const },
    { path: '/dev/ttyUSB1', vendorId: '0403', productId: '6010', serialNumber: 'FT1', source: 'sysfs' as const },
    { path: '/dev/ttyUSB2', vendorId: '0403', productId: '6001', serialNumber: 'FT2', source: 'sysfs' as const },
    { path: '/dev/ttyACM0', vendorId: '2e8a', productId: '000a', source: 'sysfs' as const },
  ];
  assert.equal(await siblingUartPort('/dev/ttyUSB0', ports), '/dev/ttyUSB1');
  assert.equal(await siblingUartPort('/dev/ttyUSB1', ports), '/dev/ttyUSB0');
  await assert.rejects(siblingUartPort('/dev/ttyUSB2', ports), /has no second port/);
  await assert.rejects(siblingUartPort('/dev/ttyACM0', ports), /no USB serial number/);
  await assert.rejects(siblingUartPort('/dev/pts/4', ports), (e: Error & { hint?: string }) => /not a USB-serial adapter/.test(e.message) && /--uart-port/.test(e.hint ?? ''));
});

test('run refuses bad input before building or touching a port (exit 2)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-run-bad-'));
  const cases: [string[], RegExp][] = [
    [['--sim', '-P', '/dev/ttyUSB0'], /--sim and --port both name the board/],
    [['--chemistry', 'all', '--sim'], /a board runs one firmware/],
    [['--sim', '--uart-baud', 'fast'], /--uart-baud fast/],
    [['--sim', '--sn', '70000'], /--sn/],
    [['--sim', '--fw-version', 'a b'], /invalid firmware version/],
    [['-P', join(dir, 'pts-like'), '--no-log', '--baud', '1000000'], /--baud/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(['run', '--out', join(dir, 'build'), ...args], { cwd: dir });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
  }
  assert.deepEqual(readdirSync(dir), [], 'nothing built, no data folder');
});
