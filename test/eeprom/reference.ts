// Test-local reference for the EEPROM image, written from HARDWARE.md alone: the struct layout
// (little-endian, offsets 0–18) and the CRC-16/MODBUS parameters, computed bit by bit.

/** CRC-16/MODBUS, one bit at a time: reflected poly 0xA001, init 0xFFFF, no final XOR. */
export function referenceCrc(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

export interface Fields {
  sn: number;
  tempOffset: number;
  ovloCutoff: number;
  ovloRelease: number;
  uvloRelease: number;
  uvloCutoff: number;
  maxCurrent: number;
  ocloTimeout: number;
}

/** The 20 bytes HARDWARE.md describes for these field values. */
export function expectedImage(f: Fields): Buffer {
  const b = Buffer.alloc(20);
  const v = new DataView(b.buffer, b.byteOffset, 20);
  v.setUint16(0, 0x7337, true);
  v.setUint16(2, f.sn, true);
  v.setInt16(4, f.tempOffset, true);
  v.setUint16(6, f.ovloCutoff, true);
  v.setUint16(8, f.ovloRelease, true);
  v.setUint16(10, f.uvloRelease, true);
  v.setUint16(12, f.uvloCutoff, true);
  v.setUint16(14, f.maxCurrent, true);
  v.setUint16(16, f.ocloTimeout, true);
  v.setUint16(18, referenceCrc(b.subarray(0, 18)), true);
  return b;
}

export const LTO_DEFAULTS = { ovloCutoff: 2800, ovloRelease: 2700, uvloRelease: 1800, uvloCutoff: 1700, maxCurrent: 1000, ocloTimeout: 10 };
export const NAION_DEFAULTS = { ovloCutoff: 3900, ovloRelease: 3800, uvloRelease: 2200, uvloCutoff: 2000, maxCurrent: 1000, ocloTimeout: 10 };
