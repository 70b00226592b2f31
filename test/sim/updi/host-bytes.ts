// A programmer's side of the UPDI wire as literal byte transcripts (ATTINY824_FACTS.md §3–4), for
// tests that drive a virtual target without the host driver: every exchange checks the single-wire
// echo and returns what the target answered.
import assert from 'node:assert/strict';

export const KEY_NVMPROG = [0x20, 0x67, 0x6f, 0x72, 0x50, 0x4d, 0x56, 0x4e]; // "NVMProg " LSB first

export interface HostBytes {
  /** Sends bytes; checks the echo; returns the target's answer. */
  xfer(...bytes: number[]): number[];
  ldcs(address: number): number[];
  stcs(address: number, value: number): void;
  lds(address: number): number;
  sts(address: number, value: number): void;
  /** Enable pulse, link init as both avrdude and pymcuprog do it, NVMPROG key, reset toggle. */
  enterProgmode(): void;
}

/** `write` sends bytes into the wire; `received` collects everything that comes back, synchronously. */
export function hostBytes(write: (bytes: Uint8Array) => void, received: number[]): HostBytes {
  const xfer = (...bytes: number[]): number[] => {
    received.length = 0;
    write(Uint8Array.from(bytes));
    assert.deepEqual(received.slice(0, bytes.length), bytes, 'echo of every byte sent, first');
    return received.slice(bytes.length);
  };
  const stcs = (a: number, v: number) => assert.deepEqual(xfer(0x55, 0xc0 | a, v), []);
  return {
    xfer,
    stcs,
    ldcs: (a) => xfer(0x55, 0x80 | a),
    lds: (addr) => xfer(0x55, 0x04, addr & 0xff, addr >> 8)[0]!,
    sts(addr, v) {
      assert.deepEqual(xfer(0x55, 0x44, addr & 0xff, addr >> 8), [0x40], 'ACK after the address');
      assert.deepEqual(xfer(v), [0x40], 'ACK after the data');
    },
    enterProgmode() {
      xfer(0x00);
      stcs(0x03, 0x08);
      stcs(0x02, 0x80);
      xfer(0x55, 0xe0, ...KEY_NVMPROG);
      stcs(0x08, 0x59);
      stcs(0x08, 0x00);
    },
  };
}
