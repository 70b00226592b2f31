/* accounting.c - charge (mA*s) and energy (uW*s) counters with whole-unit carry.
 * Carries are repeated subtraction, not division: at most 596 (energy, type extremes) and
 * 10 (charge) steps a second, and no 32-bit division in the accounting. */
#include "accounting.h"

void accounting_init(accounting_t *acc)
{
    uint8_t *p = (uint8_t *)acc;
    for (uint8_t i = 0; i < sizeof *acc; i++) {
        p[i] = 0;
    }
}

void accounting_add_second(accounting_t *acc, int16_t current_ma, uint16_t v_batt_mv)
{
    uint8_t dir = current_ma < 0 ? ACC_CHG : ACC_DIS;
    uint16_t magnitude = current_ma < 0 ? (uint16_t)(-(int32_t)current_ma) : (uint16_t)current_ma;

    /* |I| * Vb < 2^31 and the remainder < 3.6e6: the sum fits a uint32 */
    uint32_t uws = acc->e_uws[dir] + (uint32_t)magnitude * v_batt_mv;
    while (uws >= ACC_UWS_PER_MWH) {
        uws -= ACC_UWS_PER_MWH;
        acc->e_mwh[dir]++;
    }
    acc->e_uws[dir] = uws;

    /* charge, floored: the remainder stays in 0..3599 */
    int32_t mas = (int32_t)acc->charge_mas + current_ma;
    while (mas >= ACC_MAS_PER_MAH) {
        mas -= ACC_MAS_PER_MAH;
        acc->charge_mah++;
    }
    while (mas < 0) {
        mas += ACC_MAS_PER_MAH;
        acc->charge_mah--;
    }
    acc->charge_mas = (uint16_t)mas;
}

/* Out of line (one copy for both directions), and given the two words rather than an index:
 * it is only called for frames, so it is kept small */
__attribute__((noinline)) static uint32_t energy(const uint32_t *mwh, const uint32_t *uws)
{
    uint32_t e = *mwh;
    if (*uws >= ACC_UWS_PER_MWH / 2) {
        e++;
    }
    return e;
}

uint32_t accounting_e_dis_mwh(const accounting_t *acc)
{
    return energy(&acc->e_mwh[ACC_DIS], &acc->e_uws[ACC_DIS]);
}

uint32_t accounting_e_chg_mwh(const accounting_t *acc)
{
    return energy(&acc->e_mwh[ACC_CHG], &acc->e_uws[ACC_CHG]);
}

int32_t accounting_charge_mah(const accounting_t *acc)
{
    /* mah + mas / 3600 rounded half away from zero: up from +x.5, down from -x.5 */
    uint16_t half = ACC_MAS_PER_MAH / 2;
    if (acc->charge_mah >= 0 ? acc->charge_mas >= half : acc->charge_mas > half) {
        return acc->charge_mah + 1;
    }
    return acc->charge_mah;
}
