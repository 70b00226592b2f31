// Options → request → image, without spawning the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildEepromRequest, imageReport, makeImage, optionAttribute } from '../../src/eeprom/request.js';
import { eepromFromIntelHex, formatFromPath, parseHexString, renderImage } from '../../src/eeprom/formats.js';
import { decodeConfig } from '../../src/eeprom/image.js';
import { LtobmsError } from '../../src/errors.js';
import { expectedImage, LTO_DEFAULTS, NAION_DEFAULTS } from './reference.js';

const usage = (re: RegExp) => (e: unknown) => e instanceof LtobmsError && e.exitCode === 2 && re.test(e.message);

test('option attributes are commander camelCase names', () => {
  assert.equal(optionAttribute('--temp-offset'), 'tempOffset');
  assert.equal(optionAttribute('--sn'), 'sn');
  assert.equal(optionAttribute('--oclo-timeout'), 'ocloTimeout');
});

test('defaults follow the chemistry; given options override them', () => {
  const lto = buildEepromRequest({ sn: '7' });
  assert.equal(lto.chemistry, 'LTO');
  assert.deepEqual(lto.config, { serialNumber: 7, tempOffset: 0, ...LTO_DEFAULTS });
  const na = buildEepromRequest({ sn: 'ff', chemistry: 'naion', tempOffset: '-3', maxCurrent: '0x1f4' });
  assert.deepEqual(na.config, { serialNumber: 255, tempOffset: -3, ...NAION_DEFAULTS, maxCurrent: 500 });
  assert.deepEqual(Buffer.from(makeImage(na).bytes), expectedImage({ sn: 255, tempOffset: -3, ...NAION_DEFAULTS, maxCurrent: 500 }));
});

test('output: stdout hex string by default, format from the file extension, --format overrides', () => {
  assert.deepEqual(buildEepromRequest({ sn: '1' }).output, { file: undefined, format: 'hexstring' });
  assert.deepEqual(buildEepromRequest({ sn: '1', file: 'a.bin' }).output, { file: 'a.bin', format: 'raw' });
  assert.deepEqual(buildEepromRequest({ sn: '1', file: 'a.HEX' }).output, { file: 'a.HEX', format: 'ihex' });
  assert.deepEqual(buildEepromRequest({ sn: '1', file: 'eeprom' }).output, { file: 'eeprom', format: 'raw' });
  assert.deepEqual(buildEepromRequest({ sn: '1', file: 'a.bin', format: 'IHEX' }).output, { file: 'a.bin', format: 'ihex' });
  assert.equal(formatFromPath('x.ihex'), 'ihex');
});

test('rejections: missing --sn, bad chemistry, bad format, --json fighting --format for stdout', () => {
  assert.throws(() => buildEepromRequest({}), usage(/^--sn is required/));
  assert.throws(() => buildEepromRequest({ sn: '1', chemistry: 'LiPo' }), usage(/--chemistry "LiPo" is not a chemistry/));
  assert.throws(() => buildEepromRequest({ sn: '1', format: 'srec' }), usage(/--format "srec" is not an image format/));
  assert.throws(() => buildEepromRequest({ sn: '1', json: true, format: 'raw' }), usage(/--json and --format raw both want stdout/));
  assert.equal(buildEepromRequest({ sn: '1', json: true, format: 'raw', file: 'x.bin' }).json, true);
});

test('--force lifts chemistry bounds but not the ordering', () => {
  assert.throws(() => buildEepromRequest({ sn: '1', ovloCutoff: '3500' }), usage(/--ovlo-cutoff 3500 mV is above the 3000 mV/));
  assert.equal(buildEepromRequest({ sn: '1', ovloCutoff: '3500', force: true }).config.ovloCutoff, 3500);
  assert.throws(() => buildEepromRequest({ sn: '1', ovloRelease: '2800', force: true }), usage(/--ovlo-release 2800 mV must be below --ovlo-cutoff 2800 mV/));
});

test('renderImage: raw bytes, one hex line, Intel HEX at 0x810000 that parses back', () => {
  const bytes = makeImage(buildEepromRequest({ sn: '7', tempOffset: '5' })).bytes;
  assert.equal(renderImage(bytes, 'raw'), bytes);
  assert.equal(renderImage(bytes, 'hexstring'), '377307000500f00a8c0a0807a406e8030a00a36e\n');
  const ihex = renderImage(bytes, 'ihex') as string;
  // Extended linear address record for 0x0081xxxx, then data records, then EOF.
  assert.match(ihex, /^:02000004008179\r?\n/);
  assert.match(ihex, /:00000001FF\s*$/);
  assert.deepEqual(eepromFromIntelHex(ihex, 't.hex'), bytes);
});

test('eepromFromIntelHex: wants the 20 bytes at 0x810000, ignores other memories', () => {
  // Hand-written records: 4 flash bytes at 0, then the image at 0x810000 split over two records.
  const img = expectedImage({ sn: 9, tempOffset: 0, ...LTO_DEFAULTS });
  const rec = (addr: number, type: number, data: Buffer) => {
    const body = Buffer.concat([Buffer.from([data.length, addr >> 8, addr & 0xff, type]), data]);
    const sum = (0x100 - (body.reduce((a, b) => a + b, 0) & 0xff)) & 0xff;
    return ':' + Buffer.concat([body, Buffer.from([sum])]).toString('hex').toUpperCase();
  };
  const text = [
    rec(0, 0, Buffer.from([1, 2, 3, 4])),
    rec(0, 4, Buffer.from([0x00, 0x81])),
    rec(0, 0, img.subarray(0, 12)),
    rec(12, 0, img.subarray(12)),
    ':00000001FF',
  ].join('\n');
  assert.deepEqual(Buffer.from(eepromFromIntelHex(text, 'mixed.hex')), img);
  const flashOnly = [rec(0, 0, Buffer.from([1, 2, 3, 4])), ':00000001FF'].join('\n');
  assert.throws(() => eepromFromIntelHex(flashOnly, 'fw.hex'), usage(/fw\.hex has no EEPROM data at all/));
  const partial = [rec(0, 4, Buffer.from([0x00, 0x81])), rec(0, 0, img.subarray(0, 12)), ':00000001FF'].join('\n');
  assert.throws(() => eepromFromIntelHex(partial, 'p.hex'), usage(/p\.hex has no data at 0x81000c/));
});

test('parseHexString: plain, spaced, colon-separated; odd digit counts and non-hex refused', () => {
  assert.deepEqual(parseHexString('3773'), Uint8Array.from([0x37, 0x73]));
  assert.deepEqual(parseHexString(' 37 73:07-00 '), Uint8Array.from([0x37, 0x73, 0x07, 0x00]));
  assert.deepEqual(parseHexString('0x3773'), Uint8Array.from([0x37, 0x73]));
  assert.equal(parseHexString('eeprom.bin'), undefined);
  assert.throws(() => parseHexString('377'), usage(/3 digits, an odd number/));
});

test('regression: decodeConfig reads a Buffer that sits at an offset inside Node\'s shared pool', () => {
  const img = expectedImage({ sn: 0x1234, tempOffset: -2, ...LTO_DEFAULTS });
  const pooled = Buffer.from(img.toString('hex'), 'hex');
  const inner = Buffer.concat([Buffer.from([0xaa]), pooled]).subarray(1);
  for (const b of [pooled, inner]) {
    const d = decodeConfig(b);
    assert.equal(d.config.serialNumber, 0x1234);
    assert.equal(d.crcValid, true);
  }
});

test('imageReport uses the firmware field names', () => {
  const r = imageReport(makeImage(buildEepromRequest({ sn: '7', tempOffset: '5' })).decoded);
  assert.deepEqual(Object.keys(r.fields), ['serial_number', 'temp_offset', 'ovlo_cutoff', 'ovlo_release', 'uvlo_release', 'uvlo_cutoff', 'max_current', 'oclo_timeout']);
  assert.equal(r.fields.temp_offset, 5);
  assert.equal(r.magic, 0x7337);
  assert.equal(r.crc, 0x6ea3);
  assert.equal(r.matchesChemistry, 'LTO');
});
