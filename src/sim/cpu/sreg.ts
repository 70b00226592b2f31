// SREG bit masks (AVR instruction set manual, "Status Register"; ATTINY824_FACTS §2.2).
export const SREG_C = 0x01;
export const SREG_Z = 0x02;
export const SREG_N = 0x04;
export const SREG_V = 0x08;
export const SREG_S = 0x10;
export const SREG_H = 0x20;
export const SREG_T = 0x40;
export const SREG_I = 0x80;

/** Formats SREG as the manual's "ITHSVNZC" string, upper case for set bits (for traces and test messages). */
export function formatSreg(sreg: number): string {
  const names = 'ITHSVNZC';
  let out = '';
  for (let bit = 7; bit >= 0; bit--) {
    const ch = names[7 - bit]!;
    out += sreg & (1 << bit) ? ch : ch.toLowerCase();
  }
  return out;
}
