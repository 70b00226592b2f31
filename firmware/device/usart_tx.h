/*
 * usart_tx.h - transmit-only USART0 on PB2 (the board's log line), polled, for the firmware
 * and for small test programs.
 *
 *   fw_usart0_init(FW_USART_BAUD(F_CPU_HZ, 9600));   // 8N1, TX only, PB2 as output
 *   fw_usart0_puts("hello\n");
 *
 * BAUD register (normal speed, S = 16): BAUD = 64 * f_CLK_PER / (16 * f_baud) = 4 * f / f_baud,
 * rounded to the nearest integer (ATTINY824_FACTS.md 2.9). Valid results are 64..65535:
 * e.g. 1.25 MHz / 9600 -> 521 (9596.9 baud, -0.03 %); 3.333333 MHz / 9600 -> 1389.
 */
#ifndef LTOBMS_USART_TX_H
#define LTOBMS_USART_TX_H

#include "attiny824.h"

#define FW_USART_BAUD(f_cpu_hz, baud) \
    ((uint16_t)((4UL * (unsigned long)(f_cpu_hz) + (unsigned long)(baud) / 2UL) / (unsigned long)(baud)))

/* PB2 = TxD (default pin position), 8 data bits, no parity, 1 stop bit, transmitter only. */
static inline void fw_usart0_init(uint16_t baud_reg)
{
    PORTB_OUTSET = PIN2_bm;          /* idle level high before the pin becomes an output */
    PORTB_DIRSET = PIN2_bm;
    USART0_BAUD = baud_reg;
    USART0_CTRLC = USART_CHSIZE_8BIT_gc;
    USART0_CTRLB = USART_TXEN_bm;
}

/* Waits for room in the transmit buffer, then queues one byte. */
static inline void fw_usart0_tx(uint8_t byte)
{
    while (!(USART0_STATUS & USART_DREIF_bm)) {
    }
    USART0_STATUS = USART_TXCIF_bm;  /* so fw_usart0_flush waits for this byte */
    USART0_TXDATAL = byte;
}

static inline void fw_usart0_puts(const char *s)
{
    while (*s) {
        fw_usart0_tx((uint8_t)*s++);
    }
}

/* Waits until the last byte queued with fw_usart0_tx has left the shift register (call it
 * before sleeping or resetting). TXCIF is set when a frame completes with nothing queued
 * behind it; fw_usart0_tx clears it before each byte. Needs at least one byte sent. */
static inline void fw_usart0_flush(void)
{
    while (!(USART0_STATUS & USART_TXCIF_bm)) {
    }
    USART0_STATUS = USART_TXCIF_bm;
}

#endif /* LTOBMS_USART_TX_H */
