/*
 * accounting.h - charge and energy counters since reset (HARDWARE.md: charge in mA*s,
 * energies I * Vb / 1000 each second by the sign of I, reported in mAh / mWh).
 *
 * Kept as whole units plus a sub-unit remainder (mA * mV = uW, so one second adds I * Vb
 * uW*s; 1 mWh = 3.6e6 uW*s, 1 mAh = 3600 mA*s): nothing is lost to rounding, and nothing
 * overflows for years even at the ADC's full scale. Worst case 20.48 A (Na-ion full scale)
 * at 4 V: 8.2e7 uW*s = 22.8 mWh per second = 7.2e8 mWh per year, against 4.29e9 for a
 * uint32 (5.9 years); charge 1.8e8 mAh per year against 2.1e9 for an int32 (11 years).
 */
#ifndef LTOBMS_ACCOUNTING_H
#define LTOBMS_ACCOUNTING_H

#include <stdint.h>

#define ACC_UWS_PER_MWH ((uint32_t)3600000)  /* 1 mWh = 3.6 W*s = 3.6e6 uW*s */
#define ACC_MAS_PER_MAH ((int32_t)3600)      /* 1 mAh = 3600 mA*s */

#define ACC_DIS 0
#define ACC_CHG 1

typedef struct {
    uint32_t e_mwh[2];      /* energy by direction: [ACC_DIS], [ACC_CHG] */
    uint32_t e_uws[2];      /* remainders, < 3.6e6 */
    int32_t charge_mah;     /* floor of the charge in mAh (may be negative) */
    uint16_t charge_mas;    /* remainder, 0 <= . < 3600: charge = mah * 3600 + mas mA*s */
} accounting_t;

void accounting_init(accounting_t *acc);

/* Adds one second at current I (mA, > 0 discharging) and battery voltage Vb (mV). */
void accounting_add_second(accounting_t *acc, int16_t current_ma, uint16_t v_batt_mv);

/* Reported values, rounded to the nearest unit (halves away from zero). */
uint32_t accounting_e_dis_mwh(const accounting_t *acc);
uint32_t accounting_e_chg_mwh(const accounting_t *acc);
int32_t accounting_charge_mah(const accounting_t *acc);

#endif
