/* bms.c - protection state machine, evaluated once a second. */
#include "bms.h"

/* Without the common "BMS_STATE_" (BMS_STATE_PREFIX), one after the other in state order:
 * 80 bytes of prefixes and a 16-byte pointer table less flash than eight whole names. */
static const char state_suffixes[] =
    "INVALID\0UVLO\0OVLO\0OCLO\0CHARGING\0DISCHARGING\0IDLE\0ERR";

void bms_init(bms_t *bms)
{
    bms->state = BMS_STATE_IDLE;
    bms->outputs = 0;
    bms->oclo_since = 0;
}

uint8_t bms_pin_dir(uint8_t outputs)
{
    return (uint8_t)(((outputs & BMS_OUT_MAIN) ? BMS_PIN_MAIN : 0) |
                     ((outputs & BMS_OUT_QWIIC) ? BMS_PIN_QWIIC : 0));
}

uint8_t bms_pin_out(uint8_t outputs)
{
    return (outputs & BMS_OUT_MAIN) ? BMS_PIN_MAIN : 0;
}

uint8_t bms_halted(const bms_t *bms)
{
    return bms->state == BMS_STATE_INVALID || bms->state >= BMS_STATE_ERR;
}

const char *bms_state_suffix(uint8_t state)
{
    const char *s = state_suffixes;
    for (uint8_t n = state < BMS_STATE_COUNT ? state : BMS_STATE_ERR; n; n--) {
        while (*s++) {
        }
    }
    return s;
}

/* Transitions: at most one per evaluation. */
static void next_state(bms_t *bms, const config_t *cfg, const bms_input_t *in, uint32_t uptime_s)
{
    switch (bms->state) {
    case BMS_STATE_IDLE:
    case BMS_STATE_CHARGING:
    case BMS_STATE_DISCHARGING:
        if (in->v_batt_mv <= cfg->uvlo_cutoff) {
            bms->state = BMS_STATE_UVLO;
        } else if (in->v_batt_mv >= cfg->ovlo_cutoff) {
            bms->state = BMS_STATE_OVLO;
        } else if (in->current_ma > 0 && (uint16_t)in->current_ma > cfg->max_current) {
            bms->state = BMS_STATE_OCLO;
            bms->oclo_since = uptime_s;
        } else {
            bms->state = in->current_ma > 0 ? BMS_STATE_DISCHARGING
                       : in->current_ma < 0 ? BMS_STATE_CHARGING
                                            : BMS_STATE_IDLE;
        }
        break;
    case BMS_STATE_UVLO:
        if (in->v_batt_mv >= cfg->uvlo_release) {
            bms->state = BMS_STATE_IDLE;
        }
        break;
    case BMS_STATE_OVLO:
        if (in->v_batt_mv <= cfg->ovlo_release) {
            bms->state = BMS_STATE_IDLE;
        }
        break;
    case BMS_STATE_OCLO:
        if (uptime_s - bms->oclo_since > cfg->oclo_timeout) {
            bms->state = BMS_STATE_IDLE;
        }
        break;
    case BMS_STATE_INVALID:
        break;
    default:
        bms->state = BMS_STATE_ERR;   /* ERR, or a corrupted value */
        break;
    }
}

/* a - b > limit, for unsigned millivolts, without overflow */
static uint8_t above_by(uint16_t a, uint16_t b, uint16_t limit)
{
    return a > b && (uint16_t)(a - b) > limit;
}

uint8_t bms_evaluate(bms_t *bms, const config_t *cfg, const bms_input_t *in, uint32_t uptime_s)
{
    next_state(bms, cfg, in, uptime_s);
    switch (bms->state) {
    case BMS_STATE_IDLE:
    case BMS_STATE_CHARGING:
    case BMS_STATE_DISCHARGING:
        bms->outputs = BMS_OUT_BOTH;
        break;
    case BMS_STATE_UVLO:
        /* only a charger (load terminal clearly above the cell) may reconnect */
        bms->outputs = above_by(in->v_load_mv, in->v_batt_mv, BMS_CHARGER_MV) ? BMS_OUT_BOTH : 0;
        break;
    case BMS_STATE_OVLO:
        if (above_by(in->v_batt_mv, in->v_load_mv, BMS_LOAD_MV)) {
            bms->outputs = BMS_OUT_BOTH;           /* a load pulls: discharging is fine */
        } else if (above_by(in->v_load_mv, in->v_batt_mv, BMS_PUSH_MV)) {
            bms->outputs = BMS_OUT_QWIIC;          /* a charger pushes: main output off */
        }
        /* in between, the outputs stay as they are */
        break;
    default:
        /* OCLO, INVALID, ERR */
        bms->outputs = 0;
        break;
    }
    return bms->outputs;
}
