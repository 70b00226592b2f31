// The image layout, CRC and consistency rules, checked against expectations built here from
// HARDWARE.md (offsets, types, CRC parameters) rather than from the code under test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CONFIG_SIZE,
  crc16Modbus,
  decodeConfig,
  encodeConfig,
  findContradictions,
  invalidImageError,
  matchesChemistry,
  validateConfig,
  type EepromConfig,
} from '../../src/eeprom/image.js';
import { CHEMISTRY } from '../../src/part/chemistry.js';
import { LtobmsError } from '../../src/errors.js';
import { expectedImage, referenceCrc, type Fields } from './reference.js';

const LTO_SN7: Fields = { sn: 7, tempOffset: 0, ovloCutoff: 2800, ovloRelease: 2700, uvloRelease: 1800, uvloCutoff: 1700, maxCurrent: 1000, ocloTimeout: 10 };

function cfg(f: Fields): EepromConfig {
  const { sn, ...rest } = f;
  return { serialNumber: sn, ...rest };
}

test('the test-local bitwise CRC gives the CRC-16/MODBUS check value 0x4B37 for "123456789"', () => {
  assert.equal(referenceCrc(new TextEncoder().encode('123456789')), 0x4b37);
});

test('crc16Modbus: check value 0x4B37, empty input 0xFFFF, and agrees with the bitwise reference', () => {
  assert.equal(crc16Modbus(new TextEncoder().encode('123456789')), 0x4b37);
  assert.equal(crc16Modbus(new Uint8Array(0)), 0xffff);
  const data = Uint8Array.from({ length: 256 }, (_, i) => (i * 151 + 7) & 0xff);
  for (let n = 0; n <= data.length; n += 17) assert.equal(crc16Modbus(data.subarray(0, n)), referenceCrc(data.subarray(0, n)));
});

const GOLDEN: [name: string, fields: Fields][] = [
  ['LTO defaults, sn 7', LTO_SN7],
  ['Na-ion defaults, sn 0x2a', { ...LTO_SN7, sn: 0x2a, ovloCutoff: 3900, ovloRelease: 3800, uvloRelease: 2200, uvloCutoff: 2000 }],
  ['all zero where allowed', { ...LTO_SN7, sn: 0, tempOffset: 0, maxCurrent: 0, ocloTimeout: 0 }],
  ['u16 maxima', { ...LTO_SN7, sn: 65535, maxCurrent: 65535, ocloTimeout: 65535, uvloCutoff: 0, uvloRelease: 1, ovloRelease: 65534, ovloCutoff: 65535 }],
  ['i16 minimum temp offset', { ...LTO_SN7, tempOffset: -32768 }],
  ['i16 maximum temp offset', { ...LTO_SN7, tempOffset: 32767 }],
];

for (const [name, fields] of GOLDEN) {
  test(`encodeConfig golden image: ${name}`, () => {
    const bytes = encodeConfig(cfg(fields));
    assert.equal(bytes.length, CONFIG_SIZE);
    assert.deepEqual(Buffer.from(bytes), expectedImage(fields));
  });
  test(`decodeConfig round trip: ${name}`, () => {
    const d = decodeConfig(expectedImage(fields));
    assert.deepEqual(d.config, cfg(fields));
    assert.equal(d.magicValid, true);
    assert.equal(d.crcValid, true);
  });
}

test('the known image for --sn 7 --temp-offset 5 (the original eeprom.py output)', () => {
  // Produced by the original tool's rules (struct.pack("<2Hh6H") + its bitwise crc16) in CPython.
  const bytes = encodeConfig(cfg({ ...LTO_SN7, tempOffset: 5 }));
  assert.equal(Buffer.from(bytes).toString('hex'), '377307000500f00a8c0a0807a406e8030a00a36e');
});

test('the CRC over all 20 bytes of a valid image is 0 (what the firmware checks)', () => {
  for (const [, fields] of GOLDEN) assert.equal(referenceCrc(encodeConfig(cfg(fields))), 0);
});

test('decodeConfig reports a bad CRC and a bad magic, and names both in the error', () => {
  const good = expectedImage(LTO_SN7);
  const flipped = Buffer.from(good);
  flipped[8] = flipped[8]! ^ 0x01; // ovlo_release 2700 → 2701, CRC now stale
  const d = decodeConfig(flipped);
  assert.equal(d.crcValid, false);
  assert.equal(d.magicValid, true);
  assert.equal(d.config.ovloRelease, 2701);
  assert.equal(d.crc, good.readUInt16LE(18));
  assert.equal(d.crcComputed, referenceCrc(flipped.subarray(0, 18)));
  assert.match(invalidImageError(d, 'x.bin')?.message ?? '', /^x\.bin is not a valid configuration: CRC is 0x[0-9a-f]{4} but the bytes give 0x[0-9a-f]{4}$/);

  const badMagic = Buffer.from(good);
  badMagic.writeUInt16LE(0x3773, 0);
  badMagic.writeUInt16LE(referenceCrc(badMagic.subarray(0, 18)), 18); // CRC consistent, magic wrong
  const m = decodeConfig(badMagic);
  assert.equal(m.magicValid, false);
  assert.equal(m.crcValid, true);
  const err = invalidImageError(m, 'y.bin');
  assert.equal(err?.exitCode, 1);
  assert.match(err?.message ?? '', /magic is 0x3773, not 0x7337/);
  assert.equal(invalidImageError(decodeConfig(good), 'z'), undefined);
});

test('decodeConfig uses the first 20 bytes of a longer dump and rejects a short one', () => {
  const dump = Buffer.alloc(128, 0xff);
  expectedImage(LTO_SN7).copy(dump);
  assert.equal(decodeConfig(dump).config.serialNumber, 7);
  assert.equal(decodeConfig(dump).bytes.length, 20);
  assert.throws(() => decodeConfig(dump.subarray(0, 19), 'short.bin'), /short\.bin holds 19 bytes; a configuration image is 20/);
});

test('matchesChemistry: exact defaults of each chemistry, null for anything custom', () => {
  assert.equal(matchesChemistry(cfg(LTO_SN7)), 'LTO');
  assert.equal(matchesChemistry({ ...cfg(LTO_SN7), ovloCutoff: 3900, ovloRelease: 3800, uvloRelease: 2200, uvloCutoff: 2000 }), 'NAION');
  assert.equal(matchesChemistry({ ...cfg(LTO_SN7), uvloCutoff: 1701 }), null);
  assert.equal(matchesChemistry({ ...cfg(LTO_SN7), ocloTimeout: 11 }), null);
  const d = decodeConfig(expectedImage({ ...LTO_SN7, uvloCutoff: 1600 }));
  assert.equal(d.chemistry, null);
  assert.deepEqual(d.withinBoundsOf, ['LTO', 'NAION']);
});

test('ordering: each release inside its cutoff, under-voltage below over-voltage — never overridden by force', () => {
  const base = cfg(LTO_SN7);
  const cases: [Partial<EepromConfig>, RegExp][] = [
    [{ uvloCutoff: 1800 }, /^--uvlo-cutoff 1800 mV must be below --uvlo-release 1800 mV/],
    [{ uvloRelease: 2750 }, /^--uvlo-release 2750 mV must be below --ovlo-release 2700 mV/],
    [{ ovloRelease: 2900 }, /^--ovlo-release 2900 mV must be below --ovlo-cutoff 2800 mV/],
  ];
  for (const [change, message] of cases) {
    for (const force of [false, true]) {
      const found = findContradictions({ ...base, ...change }, { chemistry: 'LTO', force });
      assert.equal(found[0]?.code, 'EEPROM_ORDER', JSON.stringify(change));
      assert.match(found[0]!.message, message);
      assert.throws(
        () => validateConfig({ ...base, ...change }, { chemistry: 'LTO', force }),
        (e: unknown) => e instanceof LtobmsError && e.exitCode === 2 && message.test(e.message) && (!force || /--force does not override/.test(e.hint ?? '')),
      );
    }
  }
});

test('bounds: LTO 1400–3000 mV, Na-ion 1500–4000 mV, max current 2000 mA; force lifts them', () => {
  const lto = cfg(LTO_SN7);
  assert.deepEqual(findContradictions(lto, { chemistry: 'LTO', force: false }), []);
  // The edges themselves are allowed.
  assert.deepEqual(findContradictions({ ...lto, uvloCutoff: 1400, ovloCutoff: 3000, maxCurrent: 2000 }, { chemistry: 'LTO', force: false }), []);
  const over = findContradictions({ ...lto, ovloCutoff: 3001 }, { chemistry: 'LTO', force: false });
  assert.equal(over.length, 1);
  assert.equal(over[0]!.code, 'EEPROM_BOUNDS');
  assert.match(over[0]!.message, /--ovlo-cutoff 3001 mV is above the 3000 mV a lithium-titanate \(LTO\) cell survives/);
  assert.match(findContradictions({ ...lto, uvloCutoff: 1399 }, { chemistry: 'LTO', force: false })[0]!.message, /below the 1400 mV/);
  assert.match(findContradictions({ ...lto, maxCurrent: 2001 }, { chemistry: 'LTO', force: false })[0]!.message, /--max-current 2001 mA is above the 2000 mA/);
  // Na-ion defaults are out of LTO bounds but fine for Na-ion.
  const naion = { ...lto, ...CHEMISTRY.NAION.defaults };
  assert.equal(findContradictions(naion, { chemistry: 'LTO', force: false }).length, 2); // 3900 and 3800 mV
  assert.deepEqual(findContradictions(naion, { chemistry: 'NAION', force: false }), []);
  assert.match(findContradictions({ ...naion, ovloCutoff: 4001 }, { chemistry: 'NAION', force: false })[0]!.message, /above the 4000 mV a sodium-ion/);
  assert.match(findContradictions({ ...naion, uvloCutoff: 1499 }, { chemistry: 'NAION', force: false })[0]!.message, /below the 1500 mV/);
  assert.deepEqual(findContradictions({ ...lto, ovloCutoff: 65535, maxCurrent: 65535 }, { chemistry: 'LTO', force: true }), []);
});

test('validateConfig throws the first problem and lists the rest in the hint', () => {
  assert.throws(
    () => validateConfig({ ...cfg(LTO_SN7), ovloCutoff: 3900, ovloRelease: 3800 }, { chemistry: 'LTO', force: false }),
    (e: unknown) => e instanceof LtobmsError && /--ovlo-release 3800 mV is above/.test(e.message) && /also: --ovlo-cutoff 3900 mV is above/.test(e.hint ?? ''),
  );
});

test('encodeConfig refuses a value that does not fit its field', () => {
  assert.throws(() => encodeConfig({ ...cfg(LTO_SN7), serialNumber: 65536 }), /serial_number = 65536 does not fit its u16 field/);
  assert.throws(() => encodeConfig({ ...cfg(LTO_SN7), tempOffset: 1.5 }), /temp_offset/);
});

test('each chemistry names its log measurement', () => {
  assert.equal(CHEMISTRY.LTO.measurement, 'lto-bms');
  assert.equal(CHEMISTRY.NAION.measurement, 'nai-bms');
});
