// The CPU interrupt controller (CPUINT) of the tinyAVR 2-series, as state the core consults before each
// instruction. Peripherals report their request lines with `setRequest(vector, active)`: on these parts an
// interrupt request stays active while its flag and its enable are both set (flags are never cleared by
// hardware when the vector is taken; the handler clears them).
//
// Priority (datasheet CPUINT "Interrupt Priority"): the non-maskable interrupt first, then the one vector
// selected as level 1 (LVL1VEC), then level 0 by vector number, the lowest number first; LVL0PRI rotates that
// order (round robin when CTRLA.LVL0RR is set). STATUS.LVL0EX/LVL1EX/NMIEX record what is executing: a level-0
// handler cannot be interrupted by another level-0 request, and RETI clears the highest executing level.

export const CPUINT_CTRLA_LVL0RR = 0x01;
export const CPUINT_CTRLA_CVT = 0x20;
export const CPUINT_CTRLA_IVSEL = 0x40;
export const CPUINT_STATUS_LVL0EX = 0x01;
export const CPUINT_STATUS_LVL1EX = 0x02;
export const CPUINT_STATUS_NMIEX = 0x80;

/** Number of vectors of the ATtiny824 (0 = RESET … 29 = NVMCTRL_EE; ATTINY824_FACTS §1.4). */
export const VECTOR_COUNT = 30;
/** CRCSCAN_NMI, the only non-maskable source. */
export const NMI_VECTOR = 1;

export class InterruptController {
  /** Bit n set: vector n is requesting. */
  requests = 0;
  ctrla = 0;
  status = 0;
  lvl0pri = 0;
  lvl1vec = 0;
  /** True when some request could be taken now if the I flag allows (cached for the CPU loop). */
  ready = false;
  /** True when the NMI is requesting and not executing (taken regardless of the I flag). */
  nmiReady = false;
  /**
   * Requests that count (bit n = vector n). All while the core runs; during sleep only the vectors whose
   * sources can wake the core in that mode, so a request from a stopped peripheral does not wake it.
   */
  private mask = -1;

  reset(): void {
    this.requests = 0;
    this.mask = -1;
    this.ctrla = 0;
    this.status = 0;
    this.lvl0pri = 0;
    this.lvl1vec = 0;
    this.update();
  }

  setRequest(vector: number, active: boolean): void {
    const bit = 1 << vector;
    const next = active ? this.requests | bit : this.requests & ~bit;
    if (next === this.requests) return;
    this.requests = next;
    this.update();
  }

  isRequesting(vector: number): boolean {
    return (this.requests & (1 << vector)) !== 0;
  }

  /** Restricts which requests count (sleep wake-up sources); -1 = all. */
  setMask(mask: number): void {
    this.mask = mask;
    this.update();
  }

  /** The vector to take now (ignoring the I flag), or -1. */
  select(): number {
    const req = this.requests & this.mask;
    if (req === 0) return -1;
    if (this.status & CPUINT_STATUS_NMIEX) return -1;
    if (req & (1 << NMI_VECTOR)) return NMI_VECTOR;
    if (this.status & CPUINT_STATUS_LVL1EX) return -1;
    const l1 = this.lvl1vec;
    if (l1 > 0 && l1 < VECTOR_COUNT && req & (1 << l1)) return l1;
    if (this.status & CPUINT_STATUS_LVL0EX) return -1;
    // Level 0: the vector after LVL0PRI has the highest priority, LVL0PRI itself the lowest.
    const start = this.lvl0pri;
    const level0 = req & ~(1 | (1 << NMI_VECTOR) | (l1 > 0 && l1 < VECTOR_COUNT ? 1 << l1 : 0));
    if (start < VECTOR_COUNT) {
      // The lowest requesting vector above LVL0PRI, else (wrapping round) the lowest of all: bit arithmetic for
      // the loop below, which this runs on every request, mask and level change.
      if (level0 === 0) return -1;
      const above = level0 & (-1 << (start + 1));
      return lowestBit(above !== 0 ? above : level0);
    }
    for (let k = 1; k <= VECTOR_COUNT; k++) {
      const v = (start + k) % VECTOR_COUNT;
      if (v !== 0 && v !== NMI_VECTOR && v !== l1 && req & (1 << v)) return v;
    }
    return -1;
  }

  /** Level of a vector: 2 = NMI, 1 = LVL1VEC, 0 otherwise. */
  levelOf(vector: number): 0 | 1 | 2 {
    if (vector === NMI_VECTOR) return 2;
    return vector === this.lvl1vec && vector !== 0 ? 1 : 0;
  }

  /** The CPU is entering `vector`'s handler. */
  acknowledge(vector: number): void {
    const level = this.levelOf(vector);
    if (level === 2) this.status |= CPUINT_STATUS_NMIEX;
    else if (level === 1) this.status |= CPUINT_STATUS_LVL1EX;
    else {
      this.status |= CPUINT_STATUS_LVL0EX;
      if (this.ctrla & CPUINT_CTRLA_LVL0RR) this.lvl0pri = vector;
    }
    this.update();
  }

  /** RETI: the highest executing level is done. */
  returnFromInterrupt(): void {
    if (this.status & CPUINT_STATUS_NMIEX) this.status &= ~CPUINT_STATUS_NMIEX;
    else if (this.status & CPUINT_STATUS_LVL1EX) this.status &= ~CPUINT_STATUS_LVL1EX;
    else this.status &= ~CPUINT_STATUS_LVL0EX;
    this.update();
  }

  /**
   * Word address of a vector. Without CVT every vector is 2 bytes (one RJMP on an 8 KB part); with the compact
   * vector table NMI is at 1, the level-1 vector at 2 and all level-0 vectors share 3. IVSEL places the table at
   * the start of the boot section (BOOTEND × 256 bytes).
   */
  vectorWordAddress(vector: number, bootEndBytes: number): number {
    let slot = vector;
    if (this.ctrla & CPUINT_CTRLA_CVT && vector !== 0) {
      const level = this.levelOf(vector);
      slot = level === 2 ? 1 : level === 1 ? 2 : 3;
    }
    const base = this.ctrla & CPUINT_CTRLA_IVSEL ? bootEndBytes >> 1 : 0;
    return base + slot;
  }

  update(): void {
    const v = this.requests & this.mask ? this.select() : -1;
    this.ready = v >= 0;
    this.nmiReady = v === NMI_VECTOR;
  }
}

/** Index of the lowest set bit of a non-zero 32-bit mask. */
function lowestBit(mask: number): number {
  return 31 - Math.clz32(mask & -mask);
}
