/*
 * convert.h - fixed-point conversion of accumulated ADC readings (HARDWARE.md, "ADC front end").
 *
 * Every reading is the sum of 16 conversions of 12 bits (ADC0 burst mode, SAMPNUM = ACC16):
 *   single-ended 0 .. 16*4095 = 65520, full scale 65536 = Vref;
 *   differential -32768 .. 32752 (signed), full scale 32768 = Vref.
 * No floating point; every division rounds to the nearest integer (halves away from zero).
 */
#ifndef LTOBMS_CONVERT_H
#define LTOBMS_CONVERT_H

#include <stdint.h>

#define CONV_DIVIDER          3      /* 0.5/1.5 divider: pin voltage = cell voltage / 3 */
#define CONV_SHUNT_MILLIOHM   100    /* 0.1 ohm */
#define CONV_DEADBAND_MA      2      /* |I| <= 2 mA reads as 0 (ADC noise) */
#define CONV_GAIN_SHIFT_MAX   4      /* PGA gains 1, 2, 4, 8, 16 = 1 << shift */
/* Auto-gain thresholds on the magnitude of a differential reading (full scale 32768). */
#define CONV_GAIN_DOWN_ABOVE  24576  /* > 3/4 of full scale: halve the gain */
#define CONV_GAIN_UP_BELOW    12288  /* < 3/8 of full scale: double the gain (stays < 3/4 after) */

/* mV at the cell (battery or load terminal): acc * Vref * 3 / 65536. */
uint16_t conv_voltage_mv(uint16_t acc, uint16_t vref_mv);

/* mA through the shunt, positive = discharging: V = acc * Vref / (32768 * gain),
 * I = V / 0.1 ohm. Readings within the deadband return 0. */
int16_t conv_current_ma(int16_t acc, uint16_t vref_mv, uint8_t gain_shift);

/* Kelvin from the temperature sensor (1.024 V reference) with the SIGROW calibration:
 * datasheet T = ((RESULT >> 2) - offset) * gain / 256 on a 12-bit result, here on the sum of
 * 16: T = ((acc - 64 * offset) * gain + 8192) >> 14, plus the configured temp_offset. */
int16_t conv_temperature_k(uint16_t acc, uint8_t sig_gain, int8_t sig_offset, int16_t temp_offset);

/* The PGA gain shift to use for the next current reading, from the last one. */
uint8_t conv_next_gain_shift(int16_t acc, uint8_t gain_shift);

/* True when a reading at this gain is too close to full scale to trust (measure again lower). */
uint8_t conv_gain_too_high(int16_t acc, uint8_t gain_shift);

#endif
