/* hw_uart.c - USART0 transmit by interrupt from a small ring buffer: the core sleeps (IDLE)
 * between bytes instead of polling DREIF, about 1 ms per byte at 9600 baud. The ring's
 * indices live in GPIOR1/GPIOR2 and the busy flag in GPIOR0 (single-word IN/OUT/SBI/CBI). */
#include "attiny824.h"
#include "hw.h"

#define TX_RING 16u   /* a power of two; a frame is ~150 bytes, the ring refills as it drains */
#define TX_HEAD GPIOR1   /* next free slot (written by hw_put) */
#define TX_TAIL GPIOR2   /* next byte to send (written by the DRE handler) */
#define TX_HEAD_ADDR 0x1D
#define TX_TAIL_ADDR 0x1E

/* 16-byte aligned: the handler indexes it with an 8-bit add that never carries */
static uint8_t ring[TX_RING] __attribute__((aligned(TX_RING)));

/* Room in TXDATA: move the next byte there, or, with the ring empty, wait for the last frame
 * to leave the shift register (TXC). In assembly: it runs once per byte (~150 times a frame),
 * and the compiler's version saves seven registers for it. As C:
 *   if (TX_TAIL == TX_HEAD) { USART0_CTRLA = USART_TXCIE_bm; return; }
 *   USART0_STATUS = USART_TXCIF_bm;   // TXCIF then means "everything written so far has left"
 *   USART0_TXDATAL = ring[TX_TAIL];
 *   TX_TAIL = (TX_TAIL + 1) & (TX_RING - 1);                                                  */
FW_ISR_NAKED(USART0_DRE_vect_num)
{
    __asm__ __volatile__(
        "push r30\n\t"
        "in r30, %[sreg]\n\t"
        "push r30\n\t"
        "push r31\n\t"
        "in r30, %[tail]\n\t"
        "in r31, %[head]\n\t"
        "cp r30, r31\n\t"
        "breq 1f\n\t"
        "ldi r31, %[txcif]\n\t"
        "sts %[status], r31\n\t"
        "subi r30, lo8(-(%[ring]))\n\t"
        "ldi r31, hi8(%[ring])\n\t"
        "ld r31, Z\n\t"
        "sts %[txdata], r31\n\t"
        "in r30, %[tail]\n\t"
        "inc r30\n\t"
        "andi r30, %[mask]\n\t"
        "out %[tail], r30\n\t"
        "rjmp 2f\n"
        "1:\n\t"
        "ldi r31, %[txcie]\n\t"
        "sts %[ctrla], r31\n"
        "2:\n\t"
        "pop r31\n\t"
        "pop r30\n\t"
        "out %[sreg], r30\n\t"
        "pop r30\n\t"
        "reti"
        : : [sreg] "I" (0x3F), [tail] "I" (TX_TAIL_ADDR), [head] "I" (TX_HEAD_ADDR),
            [txcif] "M" (USART_TXCIF_bm), [status] "n" (0x0804), [ring] "i" (ring),
            [txdata] "n" (0x0802), [mask] "M" (TX_RING - 1u), [txcie] "M" (USART_TXCIE_bm),
            [ctrla] "n" (0x0805));
}

/* The last byte has left: interrupts off, not busy (the core may sleep in STANDBY again). */
FW_ISR_NAKED(USART0_TXC_vect_num)
{
    __asm__ __volatile__(
        "push r24\n\t"
        "ldi r24, %[txcif]\n\t"
        "sts %[status], r24\n\t"
        "ldi r24, 0\n\t"
        "sts %[ctrla], r24\n\t"
        "pop r24\n\t"
        "cbi %[gpior], %[busy]\n\t"
        "reti"
        : : [txcif] "M" (USART_TXCIF_bm), [status] "n" (0x0804), [ctrla] "n" (0x0805),
            [gpior] "I" (HW_FLAGS_ADDR), [busy] "I" (HW_UART_BUSY_bit));
}

void hw_put(char c)
{
    /* The slot at the head is never in use, even in a full ring (one slot is kept free), so the byte
     * goes in first and nothing is held across the sleep (no registers to save, ~150 times a frame) */
    ring[TX_HEAD] = (uint8_t)c;
    for (;;) {
        fw_cli();
        uint8_t next = (uint8_t)((TX_HEAD + 1u) & (TX_RING - 1u));
        if (next != TX_TAIL) {
            TX_HEAD = next;
            break;
        }
        /* ring full: the DRE handler frees a slot about 1 ms from now. hw_sleep inline, its mode
         * known: bytes are queued, so the USART is busy and the mode is IDLE (~150 times a frame) */
        SLPCTRL_CTRLA = SLPCTRL_SMODE_IDLE_gc | SLPCTRL_SEN_bm;
        __asm__ __volatile__("sei\n\tsleep" ::: "memory");
    }
    HW_FLAGS |= HW_UART_BUSY_bm;
    USART0_CTRLA = USART_DREIE_bm;
    fw_sei();
}

void hw_flush(void)
{
    for (;;) {
        fw_cli();
        if (!(HW_FLAGS & HW_UART_BUSY_bm)) {
            break;
        }
        hw_sleep();
    }
    fw_sei();
}
