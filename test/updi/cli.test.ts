/**
 * The programming commands end to end: the real `bin/ltobms` against the virtual ATtiny824 served
 * by the real `ltobms sim` on a socat pseudo-terminal. What landed in the part is read from the
 * simulator's own state file (its memories, saved when the programming session ends), never from
 * ltobms' reports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { BIN, REPO_ROOT, runCli } from '../helpers/cli.js';
import { seededBytes } from '../sim/updi/harness.js';
import { startSim as startSimProcess } from '../helpers/sim.js';
import { simSkip, simWorkspace } from './sim-cli.js';
import { formatIntelHex, parseIntelHex } from '../../src/image/ihex.js';

const { dir, file, startSim, ltobms } = simWorkspace('ltobms-updi-cli-');
const skip = simSkip;

test('info: part, revision, serial number and fuses decoded, as text and as JSON', { skip }, async () => {
  const sim = await startSim((m) => m.setSerialNumber([0x30, 0x41, 0x37, 0x41, 0x34, 0x32, 0x00, 0x00, 0x00, 0x07]));
  try {
    const r = await ltobms(['info', '--json'], sim);
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout);
    assert.equal(info.device, 'ATtiny824');
    assert.equal(info.signature, '1e 93 29');
    assert.equal(info.revision, 'B');
    assert.equal(info.serialNumber, '30 41 37 41 34 32 00 00 00 07');
    assert.equal(info.locked, false);
    assert.equal(info.sib.nvm, 'P:0');
    // Factory fuses of the virtual part: SYSCFG0 0xF6 → UPDI pin, EESAVE off; OSCCFG 0x7E → 20 MHz.
    assert.equal(info.fuses.SYSCFG0.rstPinCfg, 'UPDI');
    assert.equal(info.fuses.SYSCFG0.eesave, false);
    assert.equal(info.fuses.OSCCFG.frequency, '20 MHz');
    assert.equal(info.eepromConfig, null);
    const text = await ltobms(['info'], sim);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^device\s+ATtiny824\s+signature 1e 93 29\s+revision B$/m);
    assert.match(text.stdout, /SYSCFG0 0xf6 {2}EESAVE off, pin PA0 = UPDI/);
  } finally {
    await sim.proc.stop();
  }
});

/** The HARDWARE.md layout with LTO defaults, built by hand; CRC-16/MODBUS (reflected 0xA001, init 0xFFFF). */
function configImage(serial: number, tempOffset: number): Buffer {
  const image = Buffer.alloc(20);
  [0x7337, serial, tempOffset, 2800, 2700, 1800, 1700, 1000, 10].forEach((v, i) => image.writeUInt16LE(v, i * 2));
  let crc = 0xffff;
  for (const b of image.subarray(0, 18)) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  image.writeUInt16LE(crc, 18);
  return image;
}

test('eeprom --write puts the image at EEPROM offset 0, reads it back, leaves the rest alone', { skip }, async () => {
  const sim = await startSim((m) => m.eeprom.fill(0x5a));
  try {
    const r = await ltobms(['eeprom', '--sn', '7', '--temp-offset', '5', '--write'], sim);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ATtiny824: EEPROM serial 7, LTO default limits: wrote 20 B, verified 20 B in /);
    await sim.saved(r.from);
    const eeprom = sim.memories().eeprom;
    assert.deepEqual(Buffer.from(eeprom.subarray(0, 20)), configImage(7, 5));
    assert.ok(eeprom.subarray(20).every((b) => b === 0x5a));
  } finally {
    await sim.proc.stop();
  }
});

test('info decodes the board configuration found at the start of the EEPROM', { skip }, async () => {
  const sim = await startSim((m) => m.eeprom.set(configImage(7, 0)));
  try {
    const r = await ltobms(['info', '--json'], sim);
    assert.equal(r.code, 0, r.stderr);
    const c = JSON.parse(r.stdout).eepromConfig;
    assert.equal(c.valid, true);
    assert.equal(c.chemistry, 'LTO');
    assert.equal(c.fields.serial_number, 7);
    assert.equal(c.fields.uvlo_cutoff, 1700);
  } finally {
    await sim.proc.stop();
  }
});

test('flash a full 8 KB hex: one summary line, the part holds the image, read returns it (.bin and .hex)', { skip }, async () => {
  const sim = await startSim();
  try {
    const image = seededBytes('cli-flash', 8192);
    const hex = file('full.hex', formatIntelHex([{ address: 0, data: image }]));
    const r = await ltobms(['flash', hex], sim);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ATtiny824: wrote 8192 B, verified 8192 B in \d+\.\d\d s \(\d+\.\d KB\/s\)\n$/);
    await sim.saved(r.from);
    assert.deepEqual(sim.memories().flash, image);

    const bin = join(dir, 'back.bin');
    const rb = await ltobms(['read', 'flash', '-o', bin], sim);
    assert.equal(rb.code, 0, rb.stderr);
    assert.deepEqual(new Uint8Array(readFileSync(bin)), image);
    const back = join(dir, 'back.hex');
    const rh = await ltobms(['read', 'flash', '-o', back, '--json'], sim);
    assert.equal(rh.code, 0, rh.stderr);
    assert.equal(JSON.parse(rh.stdout).size, 8192);
    const segs = parseIntelHex(readFileSync(back, 'utf8'));
    assert.deepEqual(segs.map((s) => s.address), [0]);
    assert.deepEqual(segs[0]!.data, image);
  } finally {
    await sim.proc.stop();
  }
});

test('flash --json reports the same figures; an ELF writes its EEPROM section only with --eeprom', { skip: skip || (spawnSync('avr-gcc', ['--version']).status !== 0 && 'avr-gcc not installed') }, async () => {
  const src = file('p.c', 'unsigned char ee[3] __attribute__((section(".eeprom"))) = {0x37, 0x73, 0x07};\nint main(void) { for (;;) {} }\n');
  const elf = join(dir, 'p.elf');
  const cc = spawnSync('avr-gcc', ['-mmcu=avrxmega3', '-Os', '-o', elf, src], { encoding: 'utf8' });
  assert.equal(cc.status, 0, cc.stderr);
  const text = spawnSync('avr-objcopy', ['-O', 'binary', '-j', '.text', elf, join(dir, 'p.text.bin')]);
  assert.equal(text.status, 0);
  const code = new Uint8Array(readFileSync(join(dir, 'p.text.bin')));
  const sim = await startSim();
  try {
    const r1 = await ltobms(['flash', elf, '--json'], sim);
    assert.equal(r1.code, 0, r1.stderr);
    const report = JSON.parse(r1.stdout);
    assert.equal(report.format, 'elf');
    assert.equal(report.written.eeprom, 0);
    assert.deepEqual(report.ignored, [{ memory: 'eeprom', bytes: 3 }]);
    await sim.saved(r1.from);
    assert.deepEqual(sim.memories().flash.subarray(0, code.length), code);
    assert.ok(sim.memories().eeprom.every((b) => b === 0xff), 'EEPROM untouched without --eeprom');

    const r2 = await ltobms(['flash', elf, '--eeprom'], sim);
    assert.equal(r2.code, 0, r2.stderr);
    await sim.saved(r2.from);
    assert.deepEqual([...sim.memories().eeprom.subarray(0, 4)], [0x37, 0x73, 0x07, 0xff]);
  } finally {
    await sim.proc.stop();
  }
});

test('fuses: writes only what differs, reads all back; a second run changes nothing', { skip }, async () => {
  const sim = await startSim();
  try {
    // HARDWARE.md's fuses: WDTCFG 0x7A, BODCFG 0x00, OSCCFG 0x7E, 2 reserved, SYSCFG0 0xF7, SYSCFG1 0xFF, APPEND 0, BOOTEND 0.
    const fuses = Uint8Array.of(0x7a, 0x00, 0x7e, 0xff, 0xff, 0xf7, 0xff, 0x00, 0x00);
    const path = file('fuses.hex', formatIntelHex([{ address: 0x820000, data: fuses }]));
    const r = await ltobms(['fuses', path], sim);
    assert.equal(r.code, 0, r.stderr);
    // Factory fuses are 00 00 7E FF FF F6 FF 00 00: only WDTCFG and SYSCFG0 change.
    // Each value with its meaning, decoded as `ltobms info` decodes it.
    assert.match(r.stdout, /^WDTCFG {3}0x00 -> 0x7a {4}period 4K cycles, window 512 cycles$/m);
    assert.match(r.stdout, /^SYSCFG0 {2}0xf6 -> 0xf7 {4}EESAVE on \(chip erase keeps EEPROM\), pin PA0 = UPDI, no CRC$/m);
    assert.match(r.stdout, /^OSCCFG {3}0x7e \(unchanged\) {2}20 MHz$/m);
    assert.match(r.stdout, /wrote 2 of 7 fuses, verified 7/);
    await sim.saved(r.from);
    assert.deepEqual([...sim.memories().fuses.subarray(0, 9)], [...fuses]);
    const again = await ltobms(['fuses', path, '--json'], sim);
    assert.equal(again.code, 0, again.stderr);
    assert.ok(JSON.parse(again.stdout).fuses.every((f: { written: boolean }) => !f.written));
  } finally {
    await sim.proc.stop();
  }
});

test('erase: flash blank, EEPROM kept with EESAVE; a locked part is unlocked by erase', { skip }, async () => {
  const sim = await startSim((m) => {
    m.flash.fill(0x42);
    m.eeprom.fill(0x24);
    m.fuses[5] = 0xf7; // EESAVE
    m.lockbits[0] = 0x3a;
  });
  try {
    const info = await ltobms(['info', '--json'], sim);
    assert.equal(info.code, 0, info.stderr);
    assert.equal(JSON.parse(info.stdout).locked, true);
    const flash = await ltobms(['read', 'flash', '-o', join(dir, 'x.bin')], sim);
    assert.equal(flash.code, 1);
    assert.match(flash.stderr, /^error: .*locked/m);
    assert.match(flash.stderr, /^hint: .*ltobms erase/m);

    const r = await ltobms(['erase'], sim);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /chip erased \(was locked; now unlocked\), EEPROM kept \(EESAVE\), blank-checked flash/);
    await sim.saved(r.from);
    const m = sim.memories();
    assert.equal(m.lockbits[0], 0xc5);
    assert.ok(m.flash.every((b) => b === 0xff));
    assert.ok(m.eeprom.every((b) => b === 0x24));
  } finally {
    await sim.proc.stop();
  }
});

test('refusals: bad usage exits 2 with one error line and a hint, before touching the port', async () => {
  const hex = file('small.hex', formatIntelHex([{ address: 0, data: Uint8Array.of(1, 2, 3) }]));
  const cases: [string[], RegExp][] = [
    [['flash', hex], /no serial port given/],
    [['flash', hex, '--port', '/dev/null', '--baud', '230400'], /--baud 230400 is above the 225000 baud .* at 1\.8 V/],
    [['flash', hex, '--port', '/dev/null', '--baud', '12x'], /--baud 12x/],
    [['flash', join(dir, 'missing.hex'), '--port', '/dev/null'], /cannot read .*missing\.hex: no such file/],
    [['read', 'sram', '--port', '/dev/null'], /unknown memory "sram"/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^error: ${message.source}`, 'm'), args.join(' '));
    assert.equal(r.stdout, '');
  }
  // A port that is not there is a failed job (exit 1) that names the port and says what to do.
  const r = await runCli(['info', '--port', join(dir, 'ttyNOPE')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: serial port .*ttyNOPE cannot be opened/m);
  assert.match(r.stderr, /^hint: .*ltobms ports/m);
});

test('refusals that need the part: fuse lockout, image too large, ELF for another core', { skip }, async () => {
  const sim = await startSim();
  try {
    const lockout = file('lockout.hex', formatIntelHex([{ address: 0x820005, data: Uint8Array.of(0xf3) }]));
    const r1 = await ltobms(['fuses', lockout], sim);
    assert.equal(r1.code, 2, r1.stderr);
    assert.match(r1.stderr, /^error: refusing to write SYSCFG0 = 0xf3: RSTPINCFG = GPIO/m);
    assert.match(r1.stderr, /^hint: .*--force/m);
    const big = file('big.bin', new Uint8Array(9000).fill(0x11));
    const r2 = await ltobms(['flash', big], sim);
    assert.equal(r2.code, 2, r2.stderr);
    assert.match(r2.stderr, /^error: the flash image does not fit the ATtiny824: .* 8192 bytes/m);
    const sig = file('other-part.hex', formatIntelHex([{ address: 0, data: Uint8Array.of(1, 2) }, { address: 0x840000, data: Uint8Array.of(0x1e, 0x95, 0x0f) }]));
    const r3 = await ltobms(['flash', sig], sim);
    assert.equal(r3.code, 2, r3.stderr);
    assert.match(r3.stderr, /^error: .*other-part\.hex was made for another part: its signature is 1e 95 0f/m);
    const forced = await ltobms(['flash', sig, '--force'], sim);
    assert.equal(forced.code, 0, forced.stderr);
    await sim.saved(forced.from);
    // Refused runs wrote nothing; the forced one wrote its two bytes.
    const m = sim.memories();
    assert.deepEqual([...m.fuses.subarray(5, 6)], [0xf6]);
    assert.deepEqual([...m.flash.subarray(0, 3)], [1, 2, 0xff]);
  } finally {
    await sim.proc.stop();
  }
});

test('Ctrl-C during flash: exit 130, and the session still ends (UPDI disabled, state saved)', { skip }, async () => {
  // A paced wire (115200 baud, 1 ms adapter latency) so writing takes long enough to interrupt.
  const paced = await startSimProcess(['--baud', '115200', '--latency-ms', '1', '--json']);
  try {
    const image = seededBytes('ctrl-c', 8192);
    const hex = file('ctrlc.hex', formatIntelHex([{ address: 0, data: image }]));
    const from = paced.lines.length;
    const child = spawn(process.execPath, [BIN, 'flash', hex, '--port', paced.port], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await paced.waitForEvent((e) => e.event === 'updi' && e.type === 'progmode' && e.active === true, from);
    await new Promise((r) => setTimeout(r, 400));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 130, stderr);
    assert.match(stderr, /^error: interrupted/m);
    await paced.waitForEvent((e) => e.event === 'updi' && e.type === 'disabled', from);
  } finally {
    await paced.stop();
  }
});
