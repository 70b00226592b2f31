/*
 * bms.h - the protection state machine (HARDWARE.md, "Protection state machine").
 * Plain C: it decides the state and the two outputs from one measurement; the caller
 * drives the pins (main: PA4, 3.3 V QWIIC: PA5).
 */
#ifndef LTOBMS_BMS_H
#define LTOBMS_BMS_H

#include <stdint.h>
#include "config.h"

typedef enum {                 /* compat: numbered 0-7, names appear in log frames */
    BMS_STATE_INVALID = 0,
    BMS_STATE_UVLO = 1,
    BMS_STATE_OVLO = 2,
    BMS_STATE_OCLO = 3,
    BMS_STATE_CHARGING = 4,
    BMS_STATE_DISCHARGING = 5,
    BMS_STATE_IDLE = 6,
    BMS_STATE_ERR = 7,
} bms_state_t;

#define BMS_STATE_COUNT 8
#define BMS_OUT_MAIN   0x01u   /* main output switch (PA4) on */
#define BMS_OUT_QWIIC  0x02u   /* 3.3 V QWIIC output (PA5) on */
#define BMS_OUT_BOTH   (BMS_OUT_MAIN | BMS_OUT_QWIIC)
#define BMS_CHARGER_MV 50      /* UVLO: load above battery by more than this = charger present */
#define BMS_LOAD_MV    50      /* OVLO: battery above load by more than this = load pulling */
#define BMS_PUSH_MV    5       /* OVLO: load above battery by more than this = charger pushing */

typedef struct {
    uint8_t state;             /* bms_state_t */
    uint8_t outputs;           /* BMS_OUT_* bits */
    uint32_t oclo_since;       /* uptime (s) when OCLO was entered */
} bms_t;

typedef struct {
    uint16_t v_batt_mv;
    uint16_t v_load_mv;
    int16_t current_ma;        /* > 0 discharging, < 0 charging, 0 inside the noise deadband */
} bms_input_t;

/* Pins (HARDWARE.md): PA4 main switch, ON = output driven high, OFF = input (released);
 * PA5 3.3 V QWIIC switch, ON = output driven low, OFF = input. */
#define BMS_PIN_MAIN   0x10u   /* PA4 */
#define BMS_PIN_QWIIC  0x20u   /* PA5 */
#define BMS_PINS       (BMS_PIN_MAIN | BMS_PIN_QWIIC)

/* PORTA.DIR and PORTA.OUT bits (within BMS_PINS) that realise `outputs`. The OUT bits of
 * OFF pins do not matter (the pin is an input), so the firmware latches the ON levels once
 * and switches with DIR alone. */
uint8_t bms_pin_dir(uint8_t outputs);
uint8_t bms_pin_out(uint8_t outputs);

/* Power-up: state IDLE (the first evaluation decides), outputs OFF. */
void bms_init(bms_t *bms);

/* One evaluation (once a second): at most one state transition, then the outputs of the
 * (new) state. Returns the outputs (also in bms->outputs). INVALID and ERR (and any unknown
 * state value, which becomes ERR) force the outputs OFF; the caller then stops and lets the
 * watchdog reset. */
uint8_t bms_evaluate(bms_t *bms, const config_t *cfg, const bms_input_t *in, uint32_t uptime_s);

/* True for the states after which the firmware stops (INVALID, ERR). */
uint8_t bms_halted(const bms_t *bms);

/* The name printed in log frames is BMS_STATE_PREFIX followed by the suffix, e.g. "IDLE"
 * ("ERR" for unknown values). */
#define BMS_STATE_PREFIX "BMS_STATE_"
const char *bms_state_suffix(uint8_t state);

#endif
