/**
 * UPDI facts the virtual target answers with, restated from ATTINY824_FACTS.md §3
 * (instruction set §3.2, CS/ASI registers §3.3, keys §3.4, SIB §3.5).
 *
 * Restated on purpose, not imported from src/updi/constants.ts: the programmer and this target are
 * two independent readings of the data sheet, so a misread opcode, bit or key in one shows up as a
 * failing exchange instead of hiding in both (as avr8js's specs re-declare datasheet addresses).
 * Memory-map facts (addresses, sizes, signature) are not protocol: they come from src/part.
 */

export const SYNCH = 0x55;
export const ACK = 0x40;

/** Instruction groups (opcode bits 7:5). */
export const OPCODE = {
  LDS: 0x00,
  LD: 0x20,
  STS: 0x40,
  ST: 0x60,
  LDCS: 0x80,
  REPEAT: 0xa0,
  STCS: 0xc0,
  KEY: 0xe0,
} as const;

/** LD/ST pointer modes (bits 3:2). */
export const PTR_MODE = { DEREF: 0, INC: 1, ADDRESS: 2 } as const;
/** KEY bit 2: read the SIB instead of sending a key. */
export const KEY_SIB = 0x04;

/** Control/status space addresses. */
export const CS = {
  STATUSA: 0x00,
  STATUSB: 0x01,
  CTRLA: 0x02,
  CTRLB: 0x03,
  ASI_KEY_STATUS: 0x07,
  ASI_RESET_REQ: 0x08,
  ASI_CTRLA: 0x09,
  ASI_SYS_CTRLA: 0x0a,
  ASI_SYS_STATUS: 0x0b,
  ASI_CRC_STATUS: 0x0c,
} as const;

/**
 * STATUSA: UPDIREV in bits 7:4. tinyAVR 0/1 parts read 0x10 and AVR Dx 0x20; the tinyAVR 2 and
 * AVR Ex generation (with ASI_CRC_STATUS) reads 0x30. Programmers only require it to be non-zero.
 */
export const STATUSA_UPDIREV3 = 0x30;

export const CTRLA_BITS = { IBDLY: 0x80, PARD: 0x20, DTD: 0x10, RSD: 0x08, GTVAL: 0x07 } as const;
export const CTRLB_BITS = { NACKDIS: 0x10, CCDETDIS: 0x08, UPDIDIS: 0x04 } as const;
export const KEY_STATUS = { UROWWRITE: 0x20, NVMPROG: 0x10, CHIPERASE: 0x08 } as const;
export const RESET_REQ_SIGNATURE = 0x59;
export const SYS_CTRLA_BITS = { UROWWRITE_FINAL: 0x02, CLKREQ: 0x01 } as const;
export const SYS_STATUS = { RSTSYS: 0x20, INSLEEP: 0x10, NVMPROG: 0x08, UROWPROG: 0x04, LOCKSTATUS: 0x01 } as const;
/** ASI_CTRLA.UPDICLKSEL reset value: 4 MHz. */
export const UPDICLKSEL_4MHZ = 0x03;

/** STATUSB.PESIG error signatures. */
export const PESIG = {
  NONE: 0,
  PARITY: 1,
  FRAME: 2,
  ACCESS_TIMEOUT: 3,
  CLOCK_RECOVERY: 4,
  BUS: 6,
  CONTENTION: 7,
} as const;

/** Guard time in idle bit periods for each GTVAL value (7 = guard time off). */
export const GUARD_BITS = [128, 64, 32, 16, 8, 4, 2, 0] as const;
/** IBDLY adds two idle bits between the bytes of a multi-byte response. */
export const IBDLY_BITS = 2;

/** The 64-bit keys, as ASCII; on the wire they go least significant byte first (reversed). */
export const KEYS = {
  NVMPROG: 'NVMProg ',
  CHIPERASE: 'NVMErase',
  UROWWRITE: 'NVMUs&te',
} as const;
export type KeyName = keyof typeof KEYS;

/** The bytes a programmer sends after the KEY opcode for a key. */
export function keyWireBytes(key: KeyName): number[] {
  return Array.from(KEYS[key], (c) => c.charCodeAt(0)).reverse();
}

/**
 * System information block of a revision-B ATtiny824 as a 2-series part answers a 32-byte
 * request: family "tinyAVR", NVM version P:0, OCD D:1, oscillator 3M2, then die revision and
 * design code in parentheses, NUL-padded (community-reported t42x/t82x string).
 */
export const SIB_TEXT = 'tinyAVR P:0D:1-3M2 (01.59B0F.0)';

export function sibBytes(length: number): number[] {
  const out = new Array<number>(length).fill(0);
  for (let i = 0; i < Math.min(length, SIB_TEXT.length); i++) out[i] = SIB_TEXT.charCodeAt(i);
  return out;
}
