// `ltobms manufacture` refusals: checked before the port or the ledger is touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { formatIntelHex } from '../../src/image/ihex.js';
import { buildFirmware } from '../../src/firmware/firmware.js';
import { buildTestFirmware } from './harness.js';

/**
 * A tiny program for another part, as ELF and as Intel HEX (with its .signature at 0x840000, stored
 * last byte first as avr-libc's <avr/signature.h> does).
 */
function foreignImages(dir: string, mmcu: string, signature: [number, number, number]): { elf: string; hex: string } {
  const sig = [...signature].reverse().map((b) => `0x${b.toString(16)}`).join(', ');
  writeFileSync(join(dir, `${mmcu}.c`), `const unsigned char sig[3] __attribute__((section(".signature"), used)) = { ${sig} };\nint main(void) { for (;;) {} }\n`);
  const elf = join(dir, `${mmcu}.elf`);
  const hex = join(dir, `${mmcu}.hex`);
  let r = spawnSync('avr-gcc', [`-mmcu=${mmcu}`, '-Os', '-o', elf, join(dir, `${mmcu}.c`)], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  r = spawnSync('avr-objcopy', ['-O', 'ihex', elf, hex], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return { elf, hex };
}

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
  const base = ['manufacture', '--ledger', ledger, '-P', join(dir, 'no-such-port')];
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
  assert.ok(!existsSync(ledger), 'no ledger created');
  assert.ok(!existsSync(`${ledger}.lock`), 'no lock left');
  // A port that cannot be opened is a failure of the job (1), and still leaves no ledger.
  const r = await runCli([...base, '--firmware', fw.artifacts.hex, '--start-sn', '1']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no-such-port cannot be opened/);
  assert.ok(!existsSync(ledger), 'no ledger created');
  assert.ok(!existsSync(`${ledger}.lock`), 'no lock left');
});

test('firmware as strict as `ltobms flash`, before any port is touched: another core, another part\'s signature, too big for the flash, a debug build (exit 2)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-manufacture-fw-'));
  const m328 = foreignImages(dir, 'atmega328p', [0x1e, 0x95, 0x0f]); // avr-libc iom328p.h SIGNATURE_0..2
  const t1614 = foreignImages(dir, 'avrxmega3', [0x1e, 0x94, 0x22]); // the same core, an ATtiny1614's signature
  const big = join(dir, 'big.hex');
  writeFileSync(big, formatIntelHex([{ address: 0, data: new Uint8Array(8192 + 64).fill(0x11) }]));
  const debug = await buildFirmware({ chemistry: 'LTO', version: 'v9.8.7-test', outDir: join(dir, 'debug'), debug: true });
  const base = ['manufacture', '--ledger', join(dir, 'ledger.jsonl'), '--start-sn', '1', '-P', join(dir, 'no-such-port')];
  const cases: [string, RegExp][] = [
    [m328.elf, /made for another part: it is built for AVR architecture 5/],
    [m328.hex, /made for another part: its signature is (1e 95 0f|0f 95 1e)/],
    [t1614.hex, /made for another part: its signature is (1e 94 22|22 94 1e)/],
    [t1614.elf, /made for another part: its signature is (1e 94 22|22 94 1e)/],
    [big, /flash image does not fit the ATtiny824/],
    [debug.artifacts.hex, /is a debug build/],
  ];
  for (const [file, message] of cases) {
    const r = await runCli([...base, '--firmware', file]);
    assert.equal(r.code, 2, `${file}: ${r.stderr}`);
    assert.match(r.stderr, message, file);
    assert.match(r.stderr, /^error: .+\nhint: .+\n$/, `${file}: one error line and a hint`);
  }
  // `ltobms flash` refuses the same foreign images once it sees the part; the debug build passes
  // manufacture's own checks with --allow-debug (and then fails only at the missing port).
  const allowed = await runCli([...base, '--firmware', debug.artifacts.hex, '--allow-debug']);
  assert.equal(allowed.code, 1, allowed.stderr);
  assert.match(allowed.stderr, /no-such-port cannot be opened/);
  assert.ok(!existsSync(join(dir, 'ledger.jsonl')));
});

test('--report of a missing file is a usage error', async () => {
  const r = await runCli(['manufacture', '--report', '/nonexistent/ledger.jsonl']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^error: ledger \/nonexistent\/ledger\.jsonl does not exist/);
});
