/* hw_adc.c - ADC0 (2-series, 12-bit, PGA): four channels, each a burst of 16 conversions. */
#include "attiny824.h"
#include "hw.h"
#include "chemistry.h"
#include "convert.h"

#define MUX_AIN2_BATT   0x02u
#define MUX_AIN3_LOAD   0x03u
#define MUX_AIN6_BN     0x06u    /* shunt negative side */
#define MUX_AIN7_BP     0x07u    /* shunt positive side: V(PA7) - V(PA6) = I * 0.1 ohm */
/* TIMEBASE = ceil(f_CLK_PER * 1 us) = ceil(1.25) = 2 */
#define ADC_TIMEBASE    ((uint8_t)(2u << ADC_TIMEBASE_gp))
/* CLK_ADC = 1.25 MHz / 2 = 625 kHz; the temperature sensor needs SAMPDUR >= 32 us * 625 kHz = 20 */
#define ADC_SAMPDUR     20u

#if CHEM_VREF_MV == 1024
#define ADC_REFSEL ADC_REFSEL_1024MV_gc
#elif CHEM_VREF_MV == 2048
#define ADC_REFSEL ADC_REFSEL_2048MV_gc
#else
#error "unsupported reference"
#endif

void hw_adc_init(void)
{
    /* RUNSTDBY: a burst keeps converting while the core sleeps in STANDBY, RESRDY wakes it */
    ADC0_CTRLA = ADC_ENABLE_bm | ADC_RUNSTDBY_bm;
    ADC0_CTRLB = ADC_PRESC_DIV2_gc;
    ADC0_CTRLC = (uint8_t)(ADC_REFSEL | ADC_TIMEBASE);
    ADC0_CTRLE = ADC_SAMPDUR;
    ADC0_CTRLF = ADC_SAMPNUM_ACC16_gc;
}

/* RESRDY only wakes the core (burst() reads the flag and the result): interrupt off, so the
 * still-set flag does not request it again. */
FW_ISR_NAKED(ADC0_RESRDY_vect_num)
{
    __asm__ __volatile__(
        "push r24\n\t"
        "ldi r24, 0\n\t"   /* not CLR: that would change SREG */
        "sts %[intctrl], r24\n\t"
        "pop r24\n\t"
        "reti"
        : : [intctrl] "n" (0x0604));
}

/* One burst of 16 conversions (~1 ms) asleep; the sum (low 16 bits of RESULT). If the result is not
 * ready by the next PIT tick the ADC is stopped, HW_ADC_FAILED set and 0 returned: the sum comes
 * back in registers, so the caller keeps nothing in memory across the sleeps. */
__attribute__((noinline)) static uint16_t burst(uint8_t muxpos, uint8_t muxneg, uint8_t diff)
{
    ADC0_MUXPOS = muxpos;
    ADC0_MUXNEG = muxneg;
    ADC0_INTFLAGS = ADC_RESRDY_bm;
    ADC0_INTCTRL = ADC_RESRDY_bm;
    ADC0_COMMAND = (uint8_t)(diff | ADC_MODE_BURST_gc | ADC_START_IMMEDIATE_gc);
    for (;;) {
        fw_cli();
        if (ADC0_INTFLAGS & ADC_RESRDY_bm) {
            break;
        }
        if (HW_FLAGS & HW_TICK_bm) {   /* not done a second later: the ADC is broken */
            fw_sei();
            ADC0_COMMAND = 0;   /* STOP */
            HW_FLAG_SET(HW_ADC_FAILED_bit);
            return 0;
        }
        hw_sleep();
    }
    fw_sei();
    return ADC0_RESULT16;
}

static uint8_t failed(void)
{
    return (HW_FLAGS & HW_ADC_FAILED_bm) != 0;
}

/* Out of line: the reading is filled in memory (inlined into main, its fields stayed in registers
 * across the early returns, 54 B more). */
__attribute__((noinline)) uint8_t hw_measure(hw_reading_t *r, uint8_t gain_shift)
{
    uint16_t sum;

    /* current: differential through the PGA; lower the gain while the reading is near
     * full scale, so an overcurrent is seen in this very evaluation */
    for (;;) {
        ADC0_PGACTRL = (uint8_t)((gain_shift << ADC_GAIN_gp) | ADC_PGABIASSEL_1X_gc |
                                 ADC_ADCPGASAMPDUR_15CLK_gc | ADC_PGAEN_bm);
        sum = burst(ADC_VIA_PGA_gc | MUX_AIN7_BP, ADC_VIA_PGA_gc | MUX_AIN6_BN, ADC_DIFF_bm);
        if (failed()) {
            return 0;
        }
        if (!conv_gain_too_high((int16_t)sum, gain_shift)) {
            break;
        }
        gain_shift--;
    }
    ADC0_PGACTRL = 0;
    r->current_acc = (int16_t)sum;
    r->gain_shift = gain_shift;

    /* a reading that failed leaves its field as it was */
    sum = burst(MUX_AIN2_BATT, ADC_MUXNEG_GND_gc, 0);
    if (failed()) {
        return 0;
    }
    r->batt_acc = sum;
    sum = burst(MUX_AIN3_LOAD, ADC_MUXNEG_GND_gc, 0);
    if (failed()) {
        return 0;
    }
    r->load_acc = sum;

    /* temperature sensor: always with the 1.024 V reference */
#if CHEM_VREF_MV != 1024
    ADC0_CTRLC = (uint8_t)(ADC_REFSEL_1024MV_gc | ADC_TIMEBASE);
    burst(ADC_MUXPOS_TEMPSENSE_gc, ADC_MUXNEG_GND_gc, 0);   /* settle, discard */
    if (failed()) {
        return 0;
    }
#endif
    sum = burst(ADC_MUXPOS_TEMPSENSE_gc, ADC_MUXNEG_GND_gc, 0);
#if CHEM_VREF_MV != 1024
    ADC0_CTRLC = (uint8_t)(ADC_REFSEL | ADC_TIMEBASE);
#endif
    if (failed()) {
        return 0;
    }
    r->temp_acc = sum;
    return 1;
}
