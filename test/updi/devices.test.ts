/** Identifying the part that answered, from its signature. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireDevice } from '../../src/updi/devices.js';
import { UpdiError } from '../../src/updi/errors.js';

test('a known signature names its part', () => {
  assert.equal(requireDevice(Uint8Array.of(0x1e, 0x93, 0x29)).name, 'ATtiny824');
  assert.equal(requireDevice(Uint8Array.of(0x1e, 0x95, 0x26)).name, 'ATtiny3227');
});

test('an unknown signature is a SIGNATURE error; all-equal bytes suggest a locked or silent part', () => {
  assert.throws(() => requireDevice(Uint8Array.of(0x1e, 0x95, 0x0f)), (e: unknown) => e instanceof UpdiError && e.updiCode === 'SIGNATURE');
  assert.throws(() => requireDevice(Uint8Array.of(0, 0, 0)), /locked or not responding/);
});
