/**
 * avrdude's letters on every UPDI command: -P port, -p part (checked against the chip's signature),
 * -b baud, -c programmer. The old ltobms usage (-p PORT) fails before any port is opened, with the fix.
 * The part check runs against the real `ltobms sim` (an ATtiny824) through the real bin/ltobms.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runCli } from '../helpers/cli.js';
import { startSim } from '../helpers/sim.js';
import { checkProgrammerOption, parsePartOption, parsePortOptions } from '../../src/cli/programming.js';
import { LtobmsError } from '../../src/errors.js';
import { formatIntelHex } from '../../src/image/ihex.js';
import { NvmMemories } from '../../src/sim/nvm/memories.js';

const dir = mkdtempSync(join(tmpdir(), 'ltobms-habits-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const skip = spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0 ? false : 'socat is not installed';

const usage = (message: RegExp, hint?: RegExp) => (e: unknown) =>
  e instanceof LtobmsError && e.exitCode === 2 && message.test(e.message) && (hint === undefined || hint.test(e.hint ?? ''));

test('-p names a part as avrdude spells it; the ATtiny824 under every spelling', () => {
  for (const name of ['t824', 'attiny824', 'ATtiny824', 'ATTINY824', ' t824 ']) assert.equal(parsePartOption(name).name, 'ATtiny824', name);
  assert.equal(parsePartOption('t1624').name, 'ATtiny1624');
  assert.deepEqual([...parsePartOption('t3227').signature], [0x1e, 0x95, 0x26]);
});

test('-p with a port is the old usage: the error says -p is the part and -P the port', () => {
  for (const path of ['/dev/ttyUSB0', '/tmp/ttyUPDI', './jig', 'ttyUSB0', 'COM3', 'C:\\ports\\x']) {
    assert.throws(() => parsePartOption(path), usage(new RegExp(`^-p ${path.replace(/[\\.]/g, '\\$&')}: a port where the part is expected$`), /^-p is the part \(avrdude habit\); use -P for the port/), path);
  }
});

test('-p with a part this programmer does not know names the parts it does', () => {
  for (const part of ['t1614', 'm328p', 'attiny', '824x']) {
    assert.throws(() => parsePartOption(part), usage(new RegExp(`^-p ${part}: not a part this programmer knows$`), /t824 \(attiny824\).* t424, t426, .* t3227$/), part);
  }
});

test('-c serialupdi is accepted (any case), any other programmer id is refused with the alternative', () => {
  for (const id of [undefined, 'serialupdi', 'SerialUPDI']) assert.doesNotThrow(() => checkProgrammerOption(id));
  for (const id of ['jtag2updi', 'usbasp', 'pickit4_updi']) {
    assert.throws(() => checkProgrammerOption(id), usage(new RegExp(`^-c ${id}: ltobms is a SerialUPDI programmer only`), new RegExp(`-c serialupdi .* avrdude -c ${id}$`)), id);
  }
});

test('the part and the programmer are checked before the port: -p PATH without -P gets the -P hint, not "no port"', () => {
  const base = { baud: '115200', vdd: '1.8', timeout: '250' };
  assert.throws(() => parsePortOptions({ ...base, part: '/dev/ttyUSB0' }), usage(/a port where the part is expected/, /use -P for the port/));
  assert.throws(() => parsePortOptions({ ...base, programmer: 'usbasp', port: '/dev/ttyUSB0' }), usage(/^-c usbasp/));
  assert.throws(() => parsePortOptions(base), usage(/^no serial port given: pass -P\/--port/));
  const ok = parsePortOptions({ ...base, port: '/dev/ttyUSB0', part: 'attiny824', programmer: 'serialupdi', baud: '57600' });
  assert.equal(ok.port, '/dev/ttyUSB0');
  assert.equal(ok.baud, 57600);
  assert.equal(ok.part?.name, 'ATtiny824');
  assert.equal(parsePortOptions({ ...base, port: 'x' }).part, undefined);
});

test('every command that takes the UPDI port answers the old -p PORT with the fix, exit 2, before touching it', async () => {
  const hex = join(dir, 'tiny.hex');
  writeFileSync(hex, formatIntelHex([{ address: 0, data: Uint8Array.of(1, 2, 3) }]));
  const commands = [
    ['flash', hex],
    ['fuses'],
    ['read', 'flash'],
    ['erase'],
    ['info'],
    ['verify', hex],
    ['eeprom', '--sn', '7', '--write'],
    ['run', '--no-log', '--out', join(dir, 'build')],
    ['manufacture', '--firmware', hex, '--ledger', join(dir, 'ledger.jsonl')],
  ];
  await Promise.all(
    commands.map(async (args) => {
      const r = await runCli([...args, '-p', '/dev/ttyUSB0'], { cwd: dir });
      const what = args.join(' ');
      assert.equal(r.code, 2, `${what}: ${r.stderr}`);
      assert.equal(r.stderr, 'error: -p /dev/ttyUSB0: a port where the part is expected\nhint: -p is the part (avrdude habit); use -P for the port, e.g. -P /dev/ttyUSB0 -p t824\n', what);
      assert.equal(r.stdout, '', what);
    }),
  );
});

test('avrdude\'s line works as typed; -p naming another part than the chip is a failed job naming both, nothing written', { skip }, async () => {
  const state = join(dir, 'state.json');
  const sim = await startSim(['--baud', '115200', '--latency-ms', '0', '--state', state, '--json']);
  try {
    const timing = ['--timeout', '2000'];
    const info = await runCli(['info', '-c', 'serialupdi', '-p', 't824', '-P', sim.port, '-b', '115200', '--json', ...timing]);
    assert.equal(info.code, 0, info.stderr);
    assert.equal(JSON.parse(info.stdout).device, 'ATtiny824');

    const hex = join(dir, 'image.hex');
    writeFileSync(hex, formatIntelHex([{ address: 0, data: Uint8Array.of(0x11, 0x22, 0x33, 0x44) }]));
    const wrong = await runCli(['flash', hex, '-p', 'attiny1624', '-P', sim.port, ...timing]);
    assert.equal(wrong.code, 1, wrong.stderr);
    assert.match(wrong.stderr, /^error: the part is an ATtiny824 \(signature 1e 93 29\), but -p t1624 asks for an ATtiny1624$/m);
    assert.match(wrong.stderr, /^hint: check that the right board is on the fixture, or pass -p t824 /m);

    const from = sim.lines.length;
    const right = await runCli(['flash', hex, '-p', 'ATtiny824', '-P', sim.port, ...timing]);
    assert.equal(right.code, 0, right.stderr);
    await sim.waitForEvent((e) => e.event === 'saved' && e.reason === 'session-end', from);
    // The refused run left the flash alone; the accepted one wrote its four bytes.
    assert.deepEqual([...NvmMemories.fromFile(state).flash.subarray(0, 5)], [0x11, 0x22, 0x33, 0x44, 0xff]);
  } finally {
    await sim.stop();
  }
});
