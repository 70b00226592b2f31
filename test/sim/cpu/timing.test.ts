// Instruction timing and core behaviour, instruction by instruction. The expected cycle counts are the AVRxt
// column of the AVR Instruction Set Manual (DS40002198); interrupt entry is the datasheet's CPUINT "Interrupt
// Response Time" (2 cycles to push the PC; +5 when waking from sleep).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from './asm.js';
import { bareCore } from './harness.js';

// [label, expected cycles]: every instruction after its label is stepped once.
const TIMED: [string, number][] = [
  ['t_nop', 1],
  ['t_ldi', 1],
  ['t_push', 1],
  ['t_pop', 2],
  ['t_sts', 2],
  ['t_lds', 3],
  ['t_st_x', 1],
  ['t_ld_x', 2],
  ['t_ld_xp', 2],
  ['t_ld_mx', 2],
  ['t_std', 1],
  ['t_ldd', 2],
  ['t_ld_flash', 3], // LD from the flash mapping: 2 + the NVM access cycle
  ['t_rcall', 2],
  ['t_ret', 4],
  ['t_call', 3],
  ['t_ret2', 4],
  ['t_rjmp', 2],
  ['t_jmp', 3],
  ['t_icall', 2],
  ['t_ret3', 4],
  ['t_ijmp', 2],
  ['t_lpm', 3],
  ['t_lpm_zp', 3],
  ['t_mul', 2],
  ['t_fmuls', 2],
  ['t_adiw', 2],
  ['t_sbiw', 2],
  ['t_sbi', 1],
  ['t_cbi', 1],
  ['t_sbic_skip1', 2],
  ['t_sbis_noskip', 1],
  ['t_cpse_skip2', 3],
  ['t_breq_taken', 2],
  ['t_brne_not', 1],
  ['t_in', 1],
  ['t_out', 1],
  ['t_movw', 1],
  ['t_sbrs_skip1', 2],
];

const SOURCE = `
t_nop:   nop
t_ldi:   ldi r16, 0x5a
t_push:  push r16
t_pop:   pop r17
t_sts:   sts 0x3c10, r16
t_lds:   lds r18, 0x3c10
         ldi r26, 0x20
         ldi r27, 0x3c
t_st_x:  st X, r16
t_ld_x:  ld r19, X
t_ld_xp: ld r19, X+
t_ld_mx: ld r19, -X
         ldi r28, 0x00
         ldi r29, 0x3c
t_std:   std Y+5, r16
t_ldd:   ldd r20, Y+5
         ldi r30, 0x00
         ldi r31, 0x80
t_ld_flash: ld r21, Z
t_rcall: rcall sub1
         rjmp after1
sub1:
t_ret:   ret
after1:
t_call:  call sub2
         rjmp after2
sub2:
t_ret2:  ret
after2:
t_rjmp:  rjmp after3
         nop
after3:
t_jmp:   jmp after4
after4:
         ldi r30, lo8(pm(sub3))
         ldi r31, hi8(pm(sub3))
t_icall: icall
         rjmp after5
sub3:
t_ret3:  ret
after5:
         ldi r30, lo8(pm(after6))
         ldi r31, hi8(pm(after6))
t_ijmp:  ijmp
after6:
         ldi r30, lo8(table)
         ldi r31, hi8(table)
t_lpm:   lpm r0, Z
t_lpm_zp: lpm r1, Z+
t_mul:   mul r16, r17
         ldi r23, 0x40
t_fmuls: fmuls r23, r23
t_adiw:  adiw r24, 1
t_sbiw:  sbiw r24, 1
t_sbi:   sbi 0x1c, 0
t_cbi:   cbi 0x1c, 0
t_sbic_skip1: sbic 0x1c, 0
         nop
t_sbis_noskip: sbis 0x1c, 0
         nop
t_cpse_skip2: cpse r16, r16
         lds r0, 0x3c00
         sez
t_breq_taken: breq after7
         nop
after7:
t_brne_not: brne after7
t_in:    in r22, 0x3f
t_out:   out 0x1d, r22
t_movw:  movw r2, r16
t_sbrs_skip1: sbrs r16, 1
         nop
         break
table:   .byte 0x11, 0x22
`;

test('AVRxt cycle counts per instruction (Instruction Set Manual, AVRxt column)', async () => {
  const { words, labels } = await assemble(SOURCE);
  const { cpu } = bareCore(words);
  cpu.pc = 0;
  const seen: string[] = [];
  while (!cpu.stopped) {
    const label = [...labels].find(([name, addr]) => addr === cpu.pc && name.startsWith('t_'))?.[0];
    const cycles = cpu.step();
    if (label) {
      const want = TIMED.find(([l]) => l === label)?.[1];
      assert.ok(want !== undefined, `no expectation for ${label}`);
      assert.equal(cycles, want, label);
      seen.push(label);
    }
    assert.ok(cpu.instructions < 500, 'runaway program');
  }
  assert.deepEqual(seen.sort(), TIMED.map(([l]) => l).sort(), 'every timed instruction executed once');
});

test('interrupt entry: 2 cycles, I stays set (AVRxt), SEI and RETI each let one instruction run first', async () => {
  const { words, labels } = await assemble(`
         rjmp main
         rjmp isr          ; vector 1 (NMI slot, unused here)
         rjmp isr          ; vector 2
         rjmp isr          ; vector 3
isr4:    inc r20           ; vector 4 handler entry
         reti
main:    cli
m_sei:   sei
m_after_sei: inc r16
         inc r16
         inc r16
         break
isr:     reti
`);
  const { cpu, interrupts } = bareCore(words);
  interrupts.setRequest(4, true);
  assert.equal(cpu.step(), 2, 'rjmp main');
  cpu.step(); // cli
  assert.equal(cpu.pc, labels.get('m_sei'));
  cpu.step(); // sei
  assert.equal(cpu.pc, labels.get('m_after_sei'));
  // The instruction after SEI runs before the pending interrupt.
  cpu.step();
  assert.equal(cpu.regs[16], 1);
  // Interrupt entry: 2 cycles, PC to vector 4 (word 4), I still set, CPUINT.STATUS.LVL0EX set.
  const sp = cpu.sp;
  assert.equal(cpu.step(), 2);
  assert.equal(cpu.pc, 4);
  assert.equal(cpu.sreg & 0x80, 0x80, 'AVRxt does not clear I on interrupt entry');
  assert.equal(interrupts.status & 0x01, 0x01);
  assert.equal(cpu.sp, sp - 2, 'return address pushed (2 bytes)');
  cpu.step(); // inc r20
  assert.equal(cpu.step(), 4, 'RETI takes 4 cycles');
  assert.equal(interrupts.status & 0x01, 0, 'RETI clears LVL0EX');
  // The request is still active (flag not cleared): exactly one main instruction runs before re-entry.
  cpu.step();
  assert.equal(cpu.regs[16], 2);
  cpu.step();
  assert.equal(cpu.pc, 4, 'interrupt taken again after one instruction');
  assert.equal(cpu.regs[20], 1);
});

test('waking from sleep adds 5 cycles to the interrupt response', async () => {
  const { words } = await assemble(`
         rjmp main
         .skip 6
         reti              ; vector 4
main:    sei
         sleep
         break
`);
  const core = bareCore(words);
  core.cpu.step(); // rjmp
  core.cpu.step(); // sei
  core.cpu.step(); // sleep (the harness sleep hook accepts)
  assert.equal(core.cpu.sleeping, true);
  core.interrupts.setRequest(4, true);
  assert.equal(core.cpu.step(), 2 + 5);
  assert.equal(core.cpu.sleeping, false);
});

test('registers are not in the data space; SP and SREG are at I/O 0x3D/0x3E/0x3F; SP resets to 0x3FFF', async () => {
  const { words } = await assemble(`
         ldi r16, 0xa5
         lds r17, 0x0010   ; data address 0x10 is in the I/O space, not register r16
         in r18, 0x3d
         in r19, 0x3e
         sec
         in r20, 0x3f
         break
`);
  const { cpu, bus } = bareCore(words);
  bus[0x10] = 0x3c;
  while (!cpu.stopped) cpu.step();
  assert.equal(cpu.regs[17], 0x3c);
  assert.equal(cpu.regs[18], 0xff);
  assert.equal(cpu.regs[19], 0x3f);
  assert.equal(cpu.regs[20] & 0x01, 0x01);
});

test('opcodes the AVRxt core lacks (SPM, ELPM, DES, XCH) are counted and skipped, BREAK stops', async () => {
  const { words } = await assemble(`
         .word 0x95e8      ; spm
         .word 0x95d8      ; elpm
         .word 0x940b      ; des 0
         .word 0x9204      ; xch Z, r0
         ldi r16, 1
         break
         ldi r16, 2
`);
  const { cpu, illegal } = bareCore(words);
  while (!cpu.stopped) cpu.step();
  assert.deepEqual(illegal, [0x95e8, 0x95d8, 0x940b, 0x9204]);
  assert.equal(cpu.illegalOpcodes, 4);
  assert.equal(cpu.regs[16], 1, 'BREAK stopped before the next instruction');
});
