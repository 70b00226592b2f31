/*
 * hw.h - the thin hardware layer of the BMS firmware (ATtiny824, see firmware/README.md).
 * Everything that touches a register is here; the logic in ../src never does.
 */
#ifndef LTOBMS_HW_H
#define LTOBMS_HW_H

#include <stdint.h>
#include "attiny824.h"

#define F_CPU_HZ 1250000UL   /* 20 MHz / 16 */
#define HW_BAUD  9600UL

/* Flags shared with interrupt handlers, in GPIOR0 (SBI/CBI/SBIS reach it in one word). */
#define HW_FLAGS          GPIOR0
#define HW_FLAGS_ADDR     0x1C
#define HW_TICK_bit       0   /* an RTC PIT tick is pending */
#define HW_TICK_bm        (1u << HW_TICK_bit)
#define HW_UART_BUSY_bit  1   /* from the first queued byte until the last has left the pin */
#define HW_UART_BUSY_bm   (1u << HW_UART_BUSY_bit)
/* Sets a flag with one SBI: handlers change other bits of GPIOR0, so a read-modify-write with
 * interrupts on could undo theirs. */
#define HW_FLAG_SET(bit) __asm__ __volatile__("sbi %[io], %[b]" : : [io] "I" (HW_FLAGS_ADDR), [b] "I" (bit) : "memory")
/* Not shared with a handler, kept here for the one-word test: set once at start-up when the
 * EEPROM holds a valid calibration block (main.c applies the corrections only then). */
#define HW_CALIBRATED_bit 2
#define HW_CALIBRATED_bm  (1u << HW_CALIBRATED_bit)
/* Not shared with a handler either: an ADC burst did not finish before the next tick (set once, the
 * firmware then stops; hw_measure tests it after each burst with one SBIC). */
#define HW_ADC_FAILED_bit 3
#define HW_ADC_FAILED_bm  (1u << HW_ADC_FAILED_bit)

typedef struct {
    uint16_t batt_acc;       /* single-ended sums of 16 (0..65520) */
    uint16_t load_acc;
    int16_t current_acc;     /* differential sum of 16, at gain 1 << gain_shift */
    uint8_t gain_shift;
    uint16_t temp_acc;
} hw_reading_t;

/* Clock /16, outputs released, analog input buffers off, USART0 TX, ADC0, TWI0 client
 * (INA260 look-alike, register image from ../src/ina260.c), RTC PIT 1 s. */
void hw_init(void);

/* Parts of hw_init, one per peripheral file. */
void hw_adc_init(void);
void hw_twi_init(void);

/* PA4 / PA5 per BMS_OUT_* bits (bms_pin_dir / bms_pin_out). */
void hw_set_outputs(uint8_t outputs);

/* One byte into the USART0 transmit ring (sent by interrupt; sleeps while the ring is full),
 * and wait until everything queued has left the pin. Call with interrupts enabled. */
void hw_put(char c);
void hw_flush(void);

/* Sleeps until the next RTC PIT tick (other interrupts, e.g. I2C, are served and the CPU
 * goes back to sleep). */
void hw_wait_tick(void);

/* Call with interrupts disabled, right after finding the awaited condition false: sleeps until
 * the next interrupt and returns with interrupts enabled. The deepest mode that keeps what is
 * awaited running: IDLE while the USART sends (CLK_PER stops in STANDBY), else STANDBY (the
 * PIT, the TWI address match and the ADC with RUNSTDBY run there). The one way the core sleeps;
 * inline in each wait (5-7 times a second: a call and return cost a sixth of it). */
static inline __attribute__((always_inline)) void hw_sleep(void)
{
    /* STANDBY stops CLK_PER, and with it the USART: IDLE while a frame is still going out */
    SLPCTRL_CTRLA = (HW_FLAGS & HW_UART_BUSY_bm) ? SLPCTRL_SMODE_IDLE_gc | SLPCTRL_SEN_bm
                                                : SLPCTRL_SMODE_STDBY_gc | SLPCTRL_SEN_bm;
    /* SEI lets the next instruction run before any interrupt: no lost wake-up */
    __asm__ __volatile__("sei\n\tsleep" ::: "memory");
}


/* All four ADC channels, the core asleep while each burst converts; 0 if a conversion did not
 * complete before the next PIT tick. `gain_shift` is the gain to try
 * first; the reading reports the gain actually used (lowered while near full scale). */
uint8_t hw_measure(hw_reading_t *r, uint8_t gain_shift);

/* The INA260 register image served over I2C: new measurement. */
void hw_i2c_publish(int16_t current_ma, uint16_t v_batt_mv);

/* EEPROM through the NVM controller (page buffer + erase/write page); within one 32-byte page. */
void hw_eeprom_read(uint8_t offset, uint8_t *dst, uint8_t len);
void hw_eeprom_write(uint8_t offset, const uint8_t *src, uint8_t len);

/* Outputs off, interrupts off, wait for the watchdog to reset the chip. */
void hw_halt(void) __attribute__((noreturn));

#endif
