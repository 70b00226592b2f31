// TWI0 client on the emulator, driven by the virtual I2C host: an interrupt-driven register file at 0x41
// (twi_client.c) answers register reads/writes the way an INA260 host driver issues them, while the CPU sleeps
// in standby between transactions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LtobmsError } from '../../../src/errors.js';
import { buildFixture, runProgram } from './avr-program.js';

async function readyChip(defines: Record<string, number | boolean> = {}, name = 'twi_client') {
  const flash = await buildFixture('twi_client.c', { defines, name });
  const run = runProgram(flash, { seconds: 0.2 });
  assert.equal(run.text, 'ready\n');
  return run;
}

test('register reads and writes through the virtual host, with clock stretching and standby wake-ups', async () => {
  const run = await readyChip();
  const { chip } = run;
  assert.deepEqual(chip.i2c.writeRead(0x41, [0xfe], 2), { addressAck: true, data: [0x54, 0x49] });
  assert.deepEqual(chip.i2c.writeRead(0x41, [0xff], 2), { addressAck: true, data: [0x22, 0x70] });
  assert.deepEqual(chip.i2c.writeRead(0x41, [0x00], 2), { addressAck: true, data: [0x61, 0x27] });
  // Write pointer + 2 data bytes; a 4th byte is NACKed by the client.
  assert.deepEqual(chip.i2c.write(0x41, [0x06, 0xab, 0xcd]), { addressAck: true, written: 3 });
  assert.deepEqual(chip.i2c.write(0x41, [0x07, 0x12, 0x34, 0x56]), { addressAck: true, written: 3 });
  assert.deepEqual(chip.i2c.writeRead(0x41, [0x06], 2).data, [0xab, 0xcd]);
  assert.deepEqual(chip.i2c.writeRead(0x41, [0x07], 2).data, [0x12, 0x34]);
  // A plain read continues from the pointer set by the last write.
  assert.deepEqual(chip.i2c.read(0x41, 2).data, [0x12, 0x34]);
  // Nobody at 0x40: address NACK.
  assert.deepEqual(chip.i2c.read(0x40, 2), { addressAck: false, data: [] });
  // The CPU slept in standby and each transaction woke it (TWI address match is a standby wake-up source).
  const sleeps = run.trace.filter((e) => e.type === 'sleep' && e.mode === 'standby').length;
  assert.ok(sleeps >= 8, `slept ${sleeps} times`);
  const wakeups = chip.i2c.writeRead(0x41, [0x01], 2).data;
  assert.ok(((wakeups[0]! << 8) | wakeups[1]!) >= 8);
  // 100 kHz bus: a 2-byte register read (pointer write + repeated start + 2 bytes) is ~ 5 bytes × 9 bits.
  const t0 = chip.time;
  chip.i2c.writeRead(0x41, [0x00], 2);
  const took = chip.time - t0;
  assert.ok(took >= 40e-6 * 9 && took < 2e-3, `transaction took ${took * 1e6} µs`);
});

test('a client that never answers its interrupt makes the host give up with SIM_I2C_STRETCH', async () => {
  const run = await readyChip({ NO_INTERRUPTS: true }, 'twi_client_noirq');
  assert.throws(
    () => run.chip.i2c.writeRead(0x41, [0xfe], 2),
    (err: unknown) => err instanceof LtobmsError && err.code === 'SIM_I2C_STRETCH',
  );
});
