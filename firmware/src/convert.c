/* convert.c - ADC readings to mV, mA and K with integer arithmetic only. */
#include "convert.h"

uint16_t conv_voltage_mv(uint16_t acc, uint16_t vref_mv)
{
    /* acc * Vref * 3 / 65536, rounded = (acc * f + 128) >> 8 with f = 3 * Vref / 256 (12 for 1.024 V,
     * 24 for 2.048 V; exact for any Vref that is a multiple of 256 mV up to 21.76 V): acc * f from
     * two 8 x 8-bit multiplies, one per byte of acc, hi * 256 + lo, so the quotient is hi plus the
     * carry out of lo + 128. Twice a second, instead of a 16 x 16-bit multiply and 32-bit add. */
    uint8_t f = (uint8_t)(vref_mv * 3u / 256u);
    uint16_t lo = (uint16_t)((uint8_t)acc * f);
    uint16_t hi = (uint16_t)((uint8_t)(acc >> 8) * f);
    return (uint16_t)(hi + ((lo + 128u) >> 8));
}

int16_t conv_current_ma(int16_t acc, uint16_t vref_mv, uint8_t gain_shift)
{
    /* |I|[mA] = |acc| * Vref[mV] / (32768 * gain) * (1000 / shunt[mOhm]), rounded;
     * |acc| * Vref * 10 <= 32768 * 2048 * 10 = 671e6 < 2^32 */
    uint16_t magnitude = acc < 0 ? (uint16_t)(-(int32_t)acc) : (uint16_t)acc;
    uint32_t num = (uint32_t)magnitude * vref_mv * (1000 / CONV_SHUNT_MILLIOHM);
    /* round(num / 2^(15 + gain_shift)) = ((num >> (14 + gain_shift)) + 1) >> 1, exact. AVR shifts
     * one bit per instruction (a 32-bit shift by 18 is a ~110-cycle loop), so: num < 2^30, and
     * num >> 14 = (num >> 16) << 2 | bits 15..14, built from byte moves, fits 16 bits; the
     * variable part is a short 16-bit shift */
    uint16_t top = (uint16_t)((uint16_t)(num >> 16) << 2 | (uint8_t)((uint8_t)(num >> 8) >> 6));
    uint16_t ma = (uint16_t)(((top >> gain_shift) + 1u) >> 1);
    if (ma <= CONV_DEADBAND_MA) {
        return 0;
    }
    return acc < 0 ? (int16_t)-(int16_t)ma : (int16_t)ma;
}

int16_t conv_temperature_k(uint16_t acc, uint8_t sig_gain, int8_t sig_offset, int16_t temp_offset)
{
    int32_t t = ((int32_t)acc - 64 * (int32_t)sig_offset) * sig_gain + 8192;
    return (int16_t)((t >> 14) + temp_offset);
}

static uint16_t magnitude(int16_t acc)
{
    return acc < 0 ? (uint16_t)(-(int32_t)acc) : (uint16_t)acc;
}

uint8_t conv_gain_too_high(int16_t acc, uint8_t gain_shift)
{
    return gain_shift > 0 && magnitude(acc) > CONV_GAIN_DOWN_ABOVE;
}

uint8_t conv_next_gain_shift(int16_t acc, uint8_t gain_shift)
{
    if (conv_gain_too_high(acc, gain_shift)) {
        return (uint8_t)(gain_shift - 1);
    }
    if (gain_shift < CONV_GAIN_SHIFT_MAX && magnitude(acc) < CONV_GAIN_UP_BELOW) {
        return (uint8_t)(gain_shift + 1);
    }
    return gain_shift;
}
