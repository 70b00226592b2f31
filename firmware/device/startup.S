/*
 * startup.S - reset vector table and C start-up for the ATtiny824 (avrxmega3, 8 KB flash).
 *
 * Linked with -nostartfiles instead of avr-libc's crt (Debian's avr-libc 2.0 has none for
 * this part). Layout, in the order the avrxmega3 linker script places the sections:
 *   .vectors  30 entries of one RJMP each (2 bytes; the part has 8 KB of flash, so RJMP
 *             reaches everything): entry 0 -> __init, entry n -> __vector_n.
 *             __vector_n is weak: a C file overrides it with FW_ISR(n) (attiny824.h).
 *             Unused vectors go to __bad_interrupt -> __vector_default (weak, default:
 *             jump to address 0, i.e. restart the program, as avr-libc does).
 *   .init0    __init: entry point.
 *   .init2    clear r1 (the compiler's zero register) and SREG, SP = RAMEND (0x3FFF).
 *   .init4    libgcc's __do_copy_data / __do_clear_bss, pulled in by the compiler when
 *             a translation unit has initialised data / zeroed data.
 *   .init9    call main; if it returns, jump to libgcc's exit (.fini0: cli + endless loop).
 */
#define SREG_IO  0x3F
#define SPL_IO   0x3D
#define SPH_IO   0x3E
#define RAMEND   0x3FFF

    .macro vector n
    .weak __vector_\n
    .set __vector_\n, __bad_interrupt
    rjmp __vector_\n
    .endm

    .section .vectors, "ax", @progbits
    .global __vectors
    .type __vectors, @function
__vectors:
    rjmp __init
    .irp n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29
    vector \n
    .endr
    .size __vectors, . - __vectors

    .text
    .global __bad_interrupt
    .type __bad_interrupt, @function
__bad_interrupt:
    rjmp __vector_default
    .size __bad_interrupt, . - __bad_interrupt

    .weak __vector_default
    .set __vector_default, __vectors

    .section .init0, "ax", @progbits
    .weak __init
__init:

    .section .init2, "ax", @progbits
    clr r1
    out SREG_IO, r1
    ldi r28, lo8(RAMEND)
    ldi r29, hi8(RAMEND)
    out SPL_IO, r28
    out SPH_IO, r29

    .section .init9, "ax", @progbits
    rcall main
    rjmp exit
