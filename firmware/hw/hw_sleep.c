/* hw_sleep.c - the one way the core sleeps; every wait (tick, ADC, UART) ends here. Its own unit,
 * the lowest of firmware/hw: the ADC and UART drivers sleep, and hw_core starts them. */
#include "attiny824.h"
#include "hw.h"

void hw_sleep(void)
{
    /* STANDBY stops CLK_PER, and with it the USART: IDLE while a frame is still going out */
    SLPCTRL_CTRLA = (HW_FLAGS & HW_UART_BUSY_bm) ? SLPCTRL_SMODE_IDLE_gc | SLPCTRL_SEN_bm
                                                : SLPCTRL_SMODE_STDBY_gc | SLPCTRL_SEN_bm;
    /* SEI lets the next instruction run before any interrupt: no lost wake-up */
    __asm__ __volatile__("sei\n\tsleep" ::: "memory");
}
