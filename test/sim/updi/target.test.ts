// UpdiTarget driven by literal byte transcripts: what a programmer sends after SYNCH, and the
// bytes a real ATtiny824 returns (ATTINY824_FACTS.md §3–4). The wire model is off (no pacing,
// no latency), so the host sees its echo followed at once by the reply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createUpdiSimulator } from '../../../src/sim/updi/simulator.js';
import { NvmMemories } from '../../../src/sim/nvm/memories.js';
import { ManualClock } from '../../../src/sim/wire/clock.js';
import { UpdiTarget, type UpdiEvent } from '../../../src/sim/updi/target.js';
import { NvmDataSpace } from '../../../src/sim/nvm/dataspace.js';
import { Nvmctrl } from '../../../src/sim/nvm/nvmctrl.js';
import { hostBytes, KEY_NVMPROG } from './host-bytes.js';

const KEY_ERASE = [0x65, 0x73, 0x61, 0x72, 0x45, 0x4d, 0x56, 0x4e]; // "NVMErase"
const KEY_UROW = [0x65, 0x74, 0x26, 0x73, 0x55, 0x4d, 0x56, 0x4e]; // "NVMUs&te"

function harness(memories = new NvmMemories()) {
  const clock = new ManualClock();
  const received: number[] = [];
  const resetHeld: boolean[] = [];
  const events: UpdiEvent[] = [];
  const sim = createUpdiSimulator({
    memories,
    clock,
    toHost: (bytes) => received.push(...bytes),
    control: { setResetHeld: (held) => resetHeld.push(held) },
    onUpdiEvent: (e) => events.push(e),
  });
  const waitNvm = () => clock.advance(0.01);
  return { ...hostBytes((bytes) => sim.hostWrite(bytes), received), sim, clock, waitNvm, resetHeld, events, memories: sim.memories };
}

test('disabled until the enable pulse; then STATUSA reports a non-zero UPDI revision', () => {
  const h = harness();
  assert.deepEqual(h.xfer(0x55, 0x80), [], 'a disabled UPDI answers nothing (the 0x55 only enables it)');
  const h2 = harness();
  assert.deepEqual(h2.xfer(0x00), []);
  const [statusa] = h2.ldcs(0x00);
  assert.equal(statusa, 0x30, 'UPDIREV 3 in bits 7:4');
  assert.deepEqual(h2.events[0], { type: 'enabled' });
});

test('link init: STCS CTRLB=0x08, STCS CTRLA=0x80, then LDCS reads them back', () => {
  const h = harness();
  h.xfer(0x00);
  h.stcs(0x03, 0x08);
  h.stcs(0x02, 0x80);
  assert.deepEqual(h.ldcs(0x02), [0x80]);
  assert.deepEqual(h.ldcs(0x03), [0x08]);
});

test('SIB: KEY with the SIB bit and 256-bit size (0xE6) returns 32 bytes that both tools decode as tinyAVR P:0 D:1', () => {
  const h = harness();
  h.xfer(0x00);
  const sib = h.xfer(0x55, 0xe6);
  assert.equal(sib.length, 32);
  const text = String.fromCharCode(...sib);
  assert.equal(text.slice(0, 7), 'tinyAVR', 'family [0:7]');
  assert.equal(text.slice(8, 11), 'P:0', 'NVM version [8:11] → 16-bit addressing, tinyAVR NVMCTRL');
  assert.equal(text.slice(11, 14), 'D:1', 'OCD version [11:14]');
  assert.equal(text.slice(15, 18), '3M2', 'oscillator [15:19]');
  assert.match(text, /\(01\./, 'die revision 01 = rev B');
  assert.equal(h.xfer(0x55, 0xe4).length, 8, '64-bit SIB request');
  assert.equal(h.xfer(0x55, 0xe5).length, 16, '128-bit SIB request');
});

test('NVMProg key then reset: KEY_STATUS.NVMPROG, then SYS_STATUS.NVMPROG; the CPU is held', () => {
  const h = harness();
  h.xfer(0x00);
  assert.deepEqual(h.ldcs(0x0b), [0x00], 'unlocked, not programming');
  h.xfer(0x55, 0xe0, ...KEY_NVMPROG);
  assert.deepEqual(h.ldcs(0x07), [0x10], 'KEY_STATUS.NVMPROG');
  h.stcs(0x08, 0x59);
  assert.deepEqual(h.ldcs(0x0b), [0x20], 'RSTSYS while reset is held');
  h.stcs(0x08, 0x00);
  assert.deepEqual(h.ldcs(0x0b), [0x08], 'NVMPROG');
  assert.deepEqual(h.resetHeld, [true], 'held from the reset on, through programming mode');
  // Leaving: reset toggle, then UPDIDIS|CCDETDIS.
  h.stcs(0x08, 0x59);
  h.stcs(0x08, 0x00);
  h.stcs(0x03, 0x0c);
  assert.deepEqual(h.resetHeld, [true, false], 'released when the UPDI is disabled');
  assert.deepEqual(h.xfer(0x55, 0x80), [], 'disabled again: 0x55 is the enable pulse, 0x80 is no SYNCH');
  assert.deepEqual(h.ldcs(0x00), [0x30]);
  assert.deepEqual(h.ldcs(0x07), [0x00], 'keys dropped by UPDIDIS');
});

test('signature and revision by LDS (avrdude) and by ST ptr + REPEAT + LD *ptr++ (pymcuprog)', () => {
  const h = harness();
  h.enterProgmode();
  assert.deepEqual([h.lds(0x1100), h.lds(0x1101), h.lds(0x1102)], [0x1e, 0x93, 0x29]);
  assert.equal(h.lds(0x0f01), 0x01, 'SYSCFG.REVID rev B');
  assert.deepEqual(h.xfer(0x55, 0x69, 0x00, 0x11), [0x40], 'ST ptr ACK');
  assert.deepEqual(h.xfer(0x55, 0xa0, 0x02), [], 'REPEAT 3 (count - 1)');
  assert.deepEqual(h.xfer(0x55, 0x24), [0x1e, 0x93, 0x29]);
  assert.deepEqual(h.xfer(0x55, 0x24), [h.memories.sigrow[3]], 'REPEAT is used up: one byte, the first serial byte');
  assert.deepEqual(h.xfer(0x55, 0x05, 0x00, 0x11), [0x1e, 0x93], 'LDS word, low byte first');
  assert.deepEqual(h.xfer(0x55, 0x29), [0x04, 0x11], 'LD ptr (16-bit) reads the pointer: 0x1100 + 4 bytes read');
});

test('fuse write: STS ADDR, STS DATA, STS CTRLA=WFU with an ACK after address and data', () => {
  const h = harness();
  h.enterProgmode();
  assert.equal(h.lds(0x1002) & 0x03, 0, 'NVM ready');
  h.sts(0x1008, 0x85);
  h.sts(0x1009, 0x12);
  h.sts(0x1006, 0xf7);
  h.sts(0x1000, 0x07);
  assert.equal(h.lds(0x1002), 0x02, 'EEBUSY while the fuse is written');
  h.waitNvm();
  assert.equal(h.lds(0x1002), 0x00);
  assert.equal(h.lds(0x1285), 0xf7);
  assert.equal(h.memories.fuses[5], 0xf7);
});

test('flash page as avrdude writes it: PBC, ST ptr, STCS RSD+GTVAL, REPEAT 32, ST *ptr++ words, no ACKs, then WP', () => {
  const h = harness();
  h.enterProgmode();
  const page = Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff);
  h.sts(0x1000, 0x04); // PBC
  assert.deepEqual(h.xfer(0x55, 0x69, 0x40, 0x80), [0x40], 'pointer to flash page 1 (0x8040)');
  const burst = h.xfer(0x55, 0xc2, 0x0e, 0x55, 0xa0, 0x1f, 0x55, 0x65, ...page, 0x55, 0xc2, 0x06);
  assert.deepEqual(burst, [], 'RSD: no ACK inside the burst');
  h.sts(0x1000, 0x01); // WP
  assert.equal(h.lds(0x1002), 0x01, 'FBUSY during the 2 ms page write');
  h.waitNvm();
  assert.deepEqual(Array.from(h.memories.flash.subarray(0x40, 0x80)), page);
  // Read it back in one REPEAT: 64 bytes.
  h.xfer(0x55, 0x69, 0x40, 0x80);
  h.xfer(0x55, 0xa0, 0x3f);
  assert.deepEqual(h.xfer(0x55, 0x24), page);
});

test('pymcuprog order: REPEAT before the STCS that sets RSD still repeats the ST', () => {
  const h = harness();
  h.enterProgmode();
  const page = Array.from({ length: 64 }, (_, i) => 255 - i);
  h.sts(0x1000, 0x04);
  h.xfer(0x55, 0x69, 0x00, 0x80);
  assert.deepEqual(h.xfer(0x55, 0xa0, 0x1f, 0x55, 0xc2, 0x88, 0x55, 0x65, ...page, 0x55, 0xc2, 0x80), []);
  h.sts(0x1000, 0x01);
  h.waitNvm();
  assert.deepEqual(Array.from(h.memories.flash.subarray(0, 64)), page);
});

test('EEPROM bytes with an ACK per byte (no RSD), then erase-write of the loaded bytes only', () => {
  const h = harness();
  h.enterProgmode();
  h.memories.eeprom[0x12] = 0x99;
  h.sts(0x1000, 0x04);
  h.xfer(0x55, 0x69, 0x10, 0x14);
  h.xfer(0x55, 0xa0, 0x01);
  assert.deepEqual(h.xfer(0x55, 0x64, 0xaa), [0x40]);
  assert.deepEqual(h.xfer(0xbb), [0x40]);
  h.sts(0x1000, 0x03); // ERWP
  h.waitNvm();
  assert.deepEqual(Array.from(h.memories.eeprom.subarray(0x10, 0x13)), [0xaa, 0xbb, 0x99]);
});

test('without programming mode, reads work but NVM writes are ignored', () => {
  const h = harness();
  h.xfer(0x00);
  assert.equal(h.lds(0x1100), 0x1e);
  h.sts(0x8000, 0x00);
  h.sts(0x1000, 0x01);
  h.waitNvm();
  assert.equal(h.memories.flash[0], 0xff);
  assert.equal(h.sim.target.stats.ignoredWrites, 2);
});

test('a locked part: LOCKSTATUS, bus reads 0, NVMProg refused; the NVMErase key unlocks it (EESAVE honoured)', () => {
  const memories = new NvmMemories();
  memories.lockbits[0] = 0x3a;
  memories.flash.fill(0x12);
  memories.eeprom.fill(0x34);
  memories.fuses[5] = 0xf7; // EESAVE
  const h = harness(memories);
  h.xfer(0x00);
  assert.deepEqual(h.ldcs(0x0b), [0x01], 'LOCKSTATUS');
  assert.equal(h.lds(0x1100), 0x00, 'the signature reads 0 on a locked part');
  assert.equal(h.lds(0x8000), 0x00);
  h.xfer(0x55, 0xe0, ...KEY_NVMPROG);
  h.stcs(0x08, 0x59);
  h.stcs(0x08, 0x00);
  assert.deepEqual(h.ldcs(0x0b), [0x01], 'still locked, no NVMPROG');
  h.xfer(0x55, 0xe0, ...KEY_ERASE);
  assert.equal(h.ldcs(0x07)[0] & 0x08, 0x08, 'KEY_STATUS.CHIPERASE');
  h.stcs(0x08, 0x59);
  h.stcs(0x08, 0x00);
  assert.equal(h.ldcs(0x0b)[0] & 0x01, 0, 'unlocked');
  assert.equal(h.ldcs(0x0b)[0] & 0x08, 0x08, 'and in programming mode (the NVMProg key is still set)');
  assert.equal(h.memories.lockbits[0], 0xc5);
  assert.ok(h.memories.flash.every((b) => b === 0xff));
  assert.ok(h.memories.eeprom.every((b) => b === 0x34), 'EEPROM kept: EESAVE');
  assert.ok(h.events.some((e) => e.type === 'chip-erase'));
});

test('user row on a locked part through the NVMUs&te key flow, as avrdude does it', () => {
  const memories = new NvmMemories();
  memories.lockbits[0] = 0x3a;
  const h = harness(memories);
  h.xfer(0x00);
  h.stcs(0x03, 0x08);
  h.stcs(0x02, 0x80);
  h.xfer(0x55, 0xe0, ...KEY_UROW);
  assert.equal(h.ldcs(0x07)[0] & 0x20, 0x20, 'KEY_STATUS.UROWWRITE');
  h.stcs(0x08, 0x59);
  h.stcs(0x08, 0x00);
  assert.equal(h.ldcs(0x0b)[0] & 0x04, 0x04, 'UROWPROG');
  const row = Array.from({ length: 32 }, (_, i) => i + 0x40);
  h.xfer(0x55, 0x69, 0x00, 0x13);
  h.xfer(0x55, 0xa0, 0x1f);
  const acks = h.xfer(0x55, 0x64, ...row);
  assert.equal(acks.length, 32, 'an ACK per byte');
  h.stcs(0x0a, 0x0a); // UROWWRITE_FINAL (| the reserved bit 3 both tools also set)
  h.waitNvm();
  assert.equal(h.ldcs(0x0b)[0] & 0x04, 0, 'UROWPROG cleared when done');
  h.stcs(0x07, 0x28);
  assert.equal(h.ldcs(0x07)[0] & 0x20, 0, 'key cleared by writing its bit');
  assert.deepEqual(Array.from(h.memories.userrow), row);
  assert.equal(h.memories.lockbits[0], 0x3a, 'still locked');
});

test('BREAK: 0x00 while SYNCH is expected, or after an idle gap mid-instruction; otherwise 0x00 is data', () => {
  const h = harness();
  h.enterProgmode();
  // STS address sent, then the data byte 0x00 comes at once, or after a 50 ms stall: it is data.
  h.sts(0x1006, 0x00);
  assert.deepEqual(h.xfer(0x55, 0x44, 0x06, 0x10), [0x40]);
  h.clock.advance(0.05);
  assert.deepEqual(h.xfer(0x00), [0x40], 'ACK: taken as the data byte');
  assert.equal(h.sim.target.stats.breaks, 0);
  // STS address sent, then the host gives up and sends a 0x00 much later: a BREAK.
  assert.deepEqual(h.xfer(0x55, 0x44, 0x06, 0x10), [0x40]);
  h.clock.advance(0.2);
  assert.deepEqual(h.xfer(0x00), [], 'no ACK: the instruction was aborted');
  assert.equal(h.sim.target.stats.breaks, 1);
  assert.deepEqual(h.xfer(0x00), [], 'double BREAK: the second one arrives while SYNCH is expected');
  assert.equal(h.sim.target.stats.breaks, 2);
  assert.deepEqual(h.ldcs(0x00), [0x30], 'ready for instructions');
  assert.deepEqual(h.ldcs(0x0b), [0x08], 'programming mode survives a BREAK');
});

test('a stray byte instead of SYNCH is ignored and reported as a frame error in STATUSB (cleared on read)', () => {
  const h = harness();
  h.xfer(0x00);
  assert.deepEqual(h.xfer(0x80), []);
  assert.equal(h.sim.target.stats.framingErrors, 1);
  assert.deepEqual(h.ldcs(0x01), [0x02]);
  assert.deepEqual(h.ldcs(0x01), [0x00]);
});

test('guard time before a reply and IBDLY between its bytes are reported to the wire in bit times', () => {
  const memories = new NvmMemories();
  const sent: Array<[number, number]> = [];
  const clock = new ManualClock();
  const nvmctrl = new Nvmctrl(memories, clock);
  const target = new UpdiTarget({
    dataSpace: NvmDataSpace.updiView(memories, nvmctrl),
    memories,
    nvmctrl,
    clock,
    transmit: (byte, idle) => sent.push([byte, idle]),
  });
  const send = (...bytes: number[]) => bytes.forEach((b) => target.receive(b));
  send(0x00, 0x55, 0x05, 0x00, 0x11); // LDS word, GTVAL 0 (128 bits), IBDLY off
  assert.deepEqual(sent, [[0x1e, 128], [0x93, 0]]);
  sent.length = 0;
  send(0x55, 0xc2, 0x86, 0x55, 0x05, 0x00, 0x11); // IBDLY + GTVAL 6 (2 bits)
  assert.deepEqual(sent, [[0x1e, 2], [0x93, 2]]);
});

test('a byte received with a parity error puts the UPDI in its error state until a BREAK', () => {
  const h = harness();
  h.xfer(0x00);
  h.sim.target.receive(0x55, true);
  assert.equal(h.sim.target.phaseName, 'error');
  assert.deepEqual(h.xfer(0x55, 0x80), [], 'ignored');
  h.xfer(0x00);
  assert.deepEqual(h.ldcs(0x01), [0x01], 'PESIG = parity error');
  assert.deepEqual(h.ldcs(0x00), [0x30]);
});

test('with CTRLA.PARD set the parity check is off: a damaged byte is taken as data', () => {
  const h = harness();
  h.xfer(0x00);
  h.stcs(0x02, 0x20); // PARD
  h.sim.target.receive(0x55, true);
  assert.equal(h.sim.target.phaseName, 'opcode', 'the SYNCH was accepted');
  assert.deepEqual(h.xfer(0x80), [0x30]);
});
