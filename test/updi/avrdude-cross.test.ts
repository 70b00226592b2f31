/**
 * Proof against an independent programmer: avrdude 7.1 (`-c serialupdi -p t824`) and ltobms on the
 * same virtual ATtiny824 (`ltobms sim` on a socat pty). ltobms must read back exactly what avrdude
 * wrote, and avrdude must verify what ltobms wrote — flash (a full 8 KB), EEPROM, fuses, the user
 * row (also written by key to a locked part) and the lock.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runCli } from '../helpers/cli.js';
import { avrdude, avrdudeAvailable, seededBytes } from '../sim/updi/harness.js';
import { startSim } from '../helpers/sim.js';
import { formatIntelHex } from '../../src/image/ihex.js';

const dir = mkdtempSync(join(tmpdir(), 'ltobms-cross-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const skip = !avrdudeAvailable() ? 'avrdude is not installed' : spawnSync('socat', ['-V'], { stdio: 'ignore' }).status !== 0 ? 'socat is not installed' : false;

const FLASH = seededBytes('cross-flash', 8192);
const EEPROM = seededBytes('cross-eeprom', 128);
// WDTCFG, BODCFG, OSCCFG, SYSCFG0 (UPDI pin kept, EESAVE on), SYSCFG1 — values avrdude and ltobms both write.
const FUSES: [number, number][] = [[0, 0x7a], [1, 0x00], [2, 0x7e], [5, 0xf7], [6, 0x04]];

function path(name: string, data: Uint8Array | string): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

async function ltobmsRead(port: string, memory: string): Promise<Uint8Array> {
  const out = join(dir, `${memory}-${Date.now()}.bin`);
  const r = await runCli(['read', memory, '-o', out, '--port', port], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  return new Uint8Array(readFileSync(out));
}

test('ltobms reads back exactly what avrdude wrote (8 KB flash, EEPROM, fuses)', { skip }, async () => {
  const sim = await startSim(['--baud', '0', '--latency-ms', '0']);
  try {
    const fuseArgs = FUSES.flatMap(([i, v]) => ['-U', `fuse${i}:w:0x${v.toString(16)}:m`]);
    const w = await avrdude(sim.port, ['-U', `flash:w:${path('a-flash.bin', FLASH)}:r`, '-U', `eeprom:w:${path('a-ee.bin', EEPROM)}:r`, ...fuseArgs]);
    assert.equal(w.code, 0, w.output);
    assert.deepEqual(await ltobmsRead(sim.port, 'flash'), FLASH);
    assert.deepEqual(await ltobmsRead(sim.port, 'eeprom'), EEPROM);
    const fuses = await ltobmsRead(sim.port, 'fuses');
    for (const [i, v] of FUSES) assert.equal(fuses[i], v, `fuse ${i}`);
  } finally {
    await sim.stop();
  }
});

test('avrdude verifies what ltobms wrote (8 KB flash, EEPROM, fuses)', { skip }, async () => {
  const sim = await startSim(['--baud', '0', '--latency-ms', '0']);
  try {
    const image = path('l-image.hex', formatIntelHex([{ address: 0, data: FLASH }, { address: 0x810000, data: EEPROM }]));
    const f = await runCli(['flash', image, '--eeprom', '--port', sim.port], { timeoutMs: 60_000 });
    assert.equal(f.code, 0, f.stderr);
    const fuseImage = [{ address: 0x820000, data: Uint8Array.of(0x7a, 0x00, 0x7e) }, { address: 0x820005, data: Uint8Array.of(0xf7, 0x04) }];
    const fz = await runCli(['fuses', path('l-fuses.hex', formatIntelHex(fuseImage)), '--port', sim.port], { timeoutMs: 60_000 });
    assert.equal(fz.code, 0, fz.stderr);
    const fuseArgs = FUSES.flatMap(([i, v]) => ['-U', `fuse${i}:v:0x${v.toString(16)}:m`]);
    const v = await avrdude(sim.port, ['-U', `flash:v:${path('v-flash.bin', FLASH)}:r`, '-U', `eeprom:v:${path('v-ee.bin', EEPROM)}:r`, ...fuseArgs]);
    assert.equal(v.code, 0, v.output);
    assert.match(v.output, /8192 bytes of flash verified/);
    assert.match(v.output, /128 bytes of eeprom verified/);
    // And a wrong expectation makes avrdude fail, so the check above means something.
    const wrong = Uint8Array.from(FLASH);
    wrong[4000]! ^= 0x01;
    const bad = await avrdude(sim.port, ['-U', `flash:v:${path('v-wrong.bin', wrong)}:r`]);
    assert.notEqual(bad.code, 0, bad.output);
  } finally {
    await sim.stop();
  }
});

test('avrdude verifies the user row ltobms wrote, sees the part ltobms locked as locked, and after its chip erase verifies the row ltobms wrote by key', { skip }, async () => {
  const sim = await startSim(['--baud', '0', '--latency-ms', '0']);
  try {
    const row = seededBytes('cross-userrow', 32);
    const w = await runCli(['write', 'userrow', path('l-row.bin', row), '--port', sim.port], { timeoutMs: 60_000 });
    assert.equal(w.code, 0, w.stderr);
    const v = await avrdude(sim.port, ['-U', `userrow:v:${path('v-row.bin', row)}:r`]);
    assert.equal(v.code, 0, v.output);
    assert.match(v.output, /32 bytes of userrow\/usersig verified/);

    const lock = await runCli(['lock', '--yes-lock-the-chip', '--port', sim.port], { timeoutMs: 60_000 });
    assert.equal(lock.code, 0, lock.stderr);
    const locked = await avrdude(sim.port, []);
    assert.notEqual(locked.code, 0, locked.output);
    assert.match(locked.output, /device is locked/);

    // Written by the USERROW key while locked; avrdude's chip erase unlocks and keeps the user row.
    const byKey = seededBytes('cross-userrow-key', 32);
    const k = await runCli(['write', 'userrow', path('l-row-key.bin', byKey), '--no-verify', '--port', sim.port], { timeoutMs: 60_000 });
    assert.equal(k.code, 0, k.stderr);
    const erase = await avrdude(sim.port, ['-e', '-F']);
    assert.equal(erase.code, 0, erase.output);
    const after = await avrdude(sim.port, ['-U', `userrow:v:${path('v-row-key.bin', byKey)}:r`, '-U', `lock:r:${join(dir, 'lock.hex')}:h`]);
    assert.equal(after.code, 0, after.output);
    assert.match(after.output, /32 bytes of userrow\/usersig verified/);
    assert.equal(readFileSync(join(dir, 'lock.hex'), 'utf8').trim(), '0xc5');

    // And a part avrdude locked is one ltobms finds locked: nothing to write.
    assert.equal((await avrdude(sim.port, ['-U', 'lock:w:0x3a:m'])).code, 0);
    const again = await runCli(['lock', '--yes-lock-the-chip', '--json', '--port', sim.port], { timeoutMs: 60_000 });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).alreadyLocked, true);
  } finally {
    await sim.stop();
  }
});
