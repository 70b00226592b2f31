/**
 * calibrate on the virtual board when it must not write: a reference far from the reading, a board
 * without firmware, no frames within the timeout, a locked part. Each is one error (code, message,
 * hint) and the EEPROM — configuration and calibration block — is exactly as before.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LtobmsError } from '../../src/errors.js';
import { UpdiError } from '../../src/updi/errors.js';
import { parseScenario } from '../../src/sim/scenario/index.js';
import { startBench, type Bench, type BenchOptions } from './calibrate-bench.js';

/** A steady board reading about 37 mV low (1.2 % reference, −0.5 % divider) with serial number 7. */
const scenario = parseScenario(
  {
    name: 'steady, off by a few per cent',
    cell: { soc_pct: 50, capacity_mah: 1_000_000 },
    load: { type: 'current', current_ma: 300 },
    temperature: 20,
    board: { errors: { vref_pct: 1.2, divider_pct: -0.5 } },
    eeprom: { serial_number: 7 },
  },
  'test',
  { chemistry: 'LTO' },
);

async function refused(options: BenchOptions, input: Parameters<Bench['calibrate']>[0], check: (err: unknown) => void): Promise<void> {
  const bench = await startBench(scenario, options);
  try {
    const before = bench.eeprom();
    await assert.rejects(bench.calibrate(input), (err: unknown) => {
      check(err);
      return true;
    });
    assert.deepEqual(bench.eeprom(), before, 'nothing written');
  } finally {
    await bench.close();
  }
}

test('a reference more than 5 % from the reading is refused with the reason, nothing written', { timeout: 120_000 }, async () => {
  await refused({}, { references: { vbattMv: 2400 }, frameTimeoutMs: 60_000 }, (err) => {
    assert.ok(err instanceof LtobmsError);
    assert.equal(err.code, 'CALIBRATE_IMPLAUSIBLE');
    assert.equal(err.exitCode, 2);
    assert.match(err.message, /^v_batt reads 22\d\d mV against 2400 mV measured: a gain of 1\.0\d+ \(\+\d\.\d+ %\) is beyond the ±5 % a board's parts explain; nothing written$/);
    assert.match(err.hint ?? '', /--force/);
  });
});

test('a board without firmware: said at once from its flash, nothing written', { timeout: 60_000 }, async () => {
  await refused({ blank: true }, { references: { vbattMv: 2278 }, frameTimeoutMs: 60_000 }, (err) => {
    assert.ok(err instanceof LtobmsError);
    assert.equal(err.code, 'CALIBRATE_NO_FIRMWARE');
    assert.match(err.message, /flash is erased: no firmware runs/);
    assert.match(err.hint ?? '', /flash the firmware first/);
  });
});

test('no frame within the timeout (the board\'s TX not connected): one error naming the port, nothing written', { timeout: 60_000 }, async () => {
  await refused({ deafUart: true }, { references: { vbattMv: 2278 }, frameTimeoutMs: 1500 }, (err) => {
    assert.ok(err instanceof LtobmsError);
    assert.equal(err.code, 'CALIBRATE_NO_FRAMES');
    assert.equal(err.message, 'no log frame on unconnected UART within 2 s');
  });
});

test('a locked part: the programmer says so and how to unlock it, nothing written', { timeout: 60_000 }, async () => {
  await refused({ locked: true }, { references: { vbattMv: 2278 }, frameTimeoutMs: 60_000 }, (err) => {
    assert.ok(err instanceof UpdiError, String(err));
    assert.equal(err.updiCode, 'LOCKED');
    assert.match(err.hint ?? '', /ltobms erase/);
  });
});
