/**
 * UPDI and tinyAVR NVM constants, named as in the data sheet (sources: ATTINY824_FACTS.md §2.10, §3).
 * One file, so every number on the wire can be checked against the facts sheet in one place. The
 * part's memory map, signature and fuses are in src/part/.
 */

/** Physical-layer bytes. */
export const SYNCH = 0x55;
export const ACK = 0x40;

/** Instruction opcodes (bits 7:5). */
export const OP = {
  LDS: 0x00,
  LD: 0x20,
  STS: 0x40,
  ST: 0x60,
  LDCS: 0x80,
  REPEAT: 0xa0,
  STCS: 0xc0,
  KEY: 0xe0,
} as const;

/** LDS/STS address size field (bits 3:2) for 16-bit addressing (NVM interface P:0). */
export const ADDR16 = 0x04;
/** LD/ST pointer modes (bits 3:2). */
export const PTR = { deref: 0x00, inc: 0x04, address: 0x08 } as const;
/** Data size field (bits 1:0): 0 = byte, 1 = word. */
export const SIZE = { byte: 0x00, word: 0x01 } as const;
/** KEY instruction: bit 2 selects SIB, size 0 = 64-bit key, 2 = 256-bit (32-byte) SIB read. */
export const KEY_SIB_32 = 0xe6;
export const KEY_64 = 0xe0;
/** REPEAT with a 1-byte count repeats the next instruction at most 256 times. */
export const REPEAT_MAX = 256;

/** Control/status (CS) register addresses for LDCS/STCS. */
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

/** CTRLA bits. */
export const CTRLA = { IBDLY: 0x80, PARD: 0x20, DTD: 0x10, RSD: 0x08, GTVAL_MASK: 0x07 } as const;
/** CTRLB bits. */
export const CTRLB = { NACKDIS: 0x10, CCDETDIS: 0x08, UPDIDIS: 0x04 } as const;
/** ASI_KEY_STATUS bits. */
export const KEY_STATUS = { UROWWRITE: 0x20, NVMPROG: 0x10, CHIPERASE: 0x08 } as const;
/** ASI_SYS_CTRLA bits: UROWWRITE_FINAL ends a user-row write by key; CLKREQ is set by default. */
export const SYS_CTRLA = { UROWWRITE_FINAL: 0x02, CLKREQ: 0x01 } as const;
/** ASI_SYS_STATUS bits. */
export const SYS_STATUS = { RSTSYS: 0x20, INSLEEP: 0x10, NVMPROG: 0x08, UROWPROG: 0x04, LOCKSTATUS: 0x01 } as const;
/** ASI_RESET_REQ value that holds the system in reset (0x00 releases it). */
export const RESET_REQ_SIGNATURE = 0x59;
/** ASI_CTRLA.UPDICLKSEL values (tinyAVR: 0 is reserved). */
export const UPDICLKSEL = { mhz16: 0x01, mhz8: 0x02, mhz4: 0x03 } as const;

/**
 * The 64-bit keys as they go on the wire after 0xE0: LSB first, i.e. the ASCII string reversed
 * (facts §3.4).
 */
export const KEYS = {
  chipErase: keyBytes('NVMErase'),
  nvmProg: keyBytes('NVMProg '),
  userRowWrite: keyBytes('NVMUs&te'),
} as const;

function keyBytes(ascii: string): Uint8Array {
  return Uint8Array.from(Buffer.from(ascii, 'ascii').reverse());
}

/** tinyAVR 0/1/2 (NVM P:0) controller registers in data space. */
export const NVMCTRL = {
  CTRLA: 0x1000,
  CTRLB: 0x1001,
  STATUS: 0x1002,
  DATA: 0x1006,
  ADDR: 0x1008,
} as const;
/** NVMCTRL.STATUS bits. */
export const NVM_STATUS = { FBUSY: 0x01, EEBUSY: 0x02, WRERROR: 0x04 } as const;
/** NVMCTRL.CTRLA commands (facts §2.10). */
export const NVM_CMD = {
  NOP: 0x0,
  WP: 0x1,
  ER: 0x2,
  ERWP: 0x3,
  PBC: 0x4,
  CHER: 0x5,
  EEER: 0x6,
  WFU: 0x7,
} as const;
export type NvmCommand = (typeof NVM_CMD)[keyof typeof NVM_CMD];
