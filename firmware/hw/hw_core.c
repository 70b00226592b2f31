/* hw_core.c - clock, pins, RTC PIT tick, halt. */
#include "attiny824.h"
#include "usart_tx.h"
#include "hw.h"
#include "bms.h"

/* Clears PITINTFLAGS.PI and sets the tick flag (SBI on GPIOR0: no register, no SREG). */
FW_ISR_NAKED(RTC_PIT_vect_num)
{
    __asm__ __volatile__(
        "push r24\n\t"
        "ldi r24, %[pi]\n\t"
        "sts %[flags], r24\n\t"
        "pop r24\n\t"
        "sbi %[gpior], %[tick]\n\t"
        "reti"
        : : [pi] "M" (RTC_PI_bm), [flags] "n" (0x0153), [gpior] "I" (HW_FLAGS_ADDR), [tick] "I" (HW_TICK_bit));
}

void hw_init(void)
{
    /* 20 MHz / 16 = 1.25 MHz: MCLKCTRLB is configuration-change protected */
    FW_PROTECTED_WRITE(CLKCTRL_MCLKCTRLB_ADDR, CLKCTRL_PDIV_16X_gc | CLKCTRL_PEN_bm);

    /* Outputs stay released (reset state: inputs) until the first evaluation; their ON levels
     * (PA4 high, PA5 low) are latched in OUT now, while they are still inputs.
     * Digital input buffers off on the analog inputs and the unused pins PA1, PB3. */
    PORTA_OUT = (uint8_t)((PORTA_OUT & (uint8_t)~BMS_PINS) | bms_pin_out(BMS_OUT_BOTH));
    PORTA_PINCTRL(1) = PORT_ISC_INPUT_DISABLE_gc;
    PORTA_PINCTRL(2) = PORT_ISC_INPUT_DISABLE_gc;   /* battery, AIN2 */
    PORTA_PINCTRL(3) = PORT_ISC_INPUT_DISABLE_gc;   /* load, AIN3 */
    PORTA_PINCTRL(6) = PORT_ISC_INPUT_DISABLE_gc;   /* shunt BN, AIN6 */
    PORTA_PINCTRL(7) = PORT_ISC_INPUT_DISABLE_gc;   /* shunt BP, AIN7 */
    PORTB_PINCTRL(3) = PORT_ISC_INPUT_DISABLE_gc;

    fw_usart0_init(FW_USART_BAUD(F_CPU_HZ, HW_BAUD));
    hw_adc_init();
    hw_twi_init();

    /* RTC periodic interrupt: 1.024 kHz internal oscillator / 1024 = 1 Hz; works in STANDBY */
    RTC_CLKSEL = RTC_CLKSEL_INT1K_gc;
    while (RTC_PITSTATUS & RTC_PITCTRLBUSY_bm) {
    }
    RTC_PITINTCTRL = RTC_PI_bm;
    RTC_PITCTRLA = RTC_PERIOD_CYC1024_gc | RTC_PITEN_bm;
}

void hw_set_outputs(uint8_t outputs)
{
    /* The output levels never change (set once in hw_init): switching is a DIR change only,
     * so a pin goes straight between "driven to its ON level" and "released", no glitch. */
    PORTA_DIR = (uint8_t)((PORTA_DIR & (uint8_t)~BMS_PINS) | bms_pin_dir(outputs));
}

void hw_wait_tick(void)
{
    for (;;) {
        fw_cli();
        if (HW_FLAGS & HW_TICK_bm) {
            break;
        }
        hw_sleep();
    }
    HW_FLAGS &= (uint8_t)~HW_TICK_bm;
    fw_sei();
}

void hw_halt(void)
{
    hw_flush();   /* the frame that reports the state leaves first */
    fw_cli();
    hw_set_outputs(0);
    for (;;) {
    }
}
