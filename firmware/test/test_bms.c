/* Protection state machine: every transition, its outputs and pins, and the edges
 * (HARDWARE.md "Protection state machine"). Thresholds are the LTO table values. */
#include "check.h"
#include "bms.h"

static const config_t cfg = {
    .serial_number = 7, .temp_offset = 0,
    .ovlo_cutoff = 2800, .ovlo_release = 2700, .uvlo_release = 1800, .uvlo_cutoff = 1700,
    .max_current = 1000, .oclo_timeout = 10,
};

static uint8_t eval(bms_t *bms, int vb, int vl, int ma, uint32_t t)
{
    bms_input_t in = {(uint16_t)vb, (uint16_t)vl, (int16_t)ma};
    return bms_evaluate(bms, &cfg, &in, t);
}

static bms_t in_state(uint8_t state, uint8_t outputs)
{
    bms_t bms;
    bms_init(&bms);
    bms.state = state;
    bms.outputs = outputs;
    return bms;
}

TEST(power_up_outputs_off_until_first_evaluation)
{
    bms_t bms;
    bms_init(&bms);
    CHECK_EQ(bms.outputs, 0);
    CHECK_EQ(bms_pin_dir(bms.outputs), 0);      /* both pins released (inputs) */
    CHECK_EQ(eval(&bms, 2500, 2500, 0, 0), BMS_OUT_BOTH);
    CHECK_EQ(bms.state, BMS_STATE_IDLE);
}

TEST(normal_states_follow_the_current_sign)
{
    const uint8_t starts[] = {BMS_STATE_IDLE, BMS_STATE_CHARGING, BMS_STATE_DISCHARGING};
    for (unsigned i = 0; i < 3; i++) {
        bms_t bms = in_state(starts[i], BMS_OUT_BOTH);
        CHECK_EQ(eval(&bms, 2500, 2495, 35, 1), BMS_OUT_BOTH);
        CHECK_EQ(bms.state, BMS_STATE_DISCHARGING);
        CHECK_EQ(eval(&bms, 2500, 2510, -35, 2), BMS_OUT_BOTH);
        CHECK_EQ(bms.state, BMS_STATE_CHARGING);
        CHECK_EQ(eval(&bms, 2500, 2500, 0, 3), BMS_OUT_BOTH);
        CHECK_EQ(bms.state, BMS_STATE_IDLE);
    }
}

TEST(uvlo_entered_exactly_at_cutoff)
{
    bms_t bms = in_state(BMS_STATE_DISCHARGING, BMS_OUT_BOTH);
    eval(&bms, 1701, 1700, 20, 1);
    CHECK_EQ(bms.state, BMS_STATE_DISCHARGING);
    CHECK_EQ(eval(&bms, 1700, 1699, 20, 2), 0);
    CHECK_EQ(bms.state, BMS_STATE_UVLO);
}

TEST(uvlo_released_exactly_at_release)
{
    bms_t bms = in_state(BMS_STATE_UVLO, 0);
    CHECK_EQ(eval(&bms, 1799, 1799, 0, 1), 0);
    CHECK_EQ(bms.state, BMS_STATE_UVLO);
    CHECK_EQ(eval(&bms, 1800, 1800, 0, 2), BMS_OUT_BOTH);
    CHECK_EQ(bms.state, BMS_STATE_IDLE);
}

TEST(uvlo_outputs_on_only_with_a_charger_more_than_50_mV_above)
{
    bms_t bms = in_state(BMS_STATE_UVLO, 0);
    CHECK_EQ(eval(&bms, 1650, 1700, 0, 1), 0);              /* exactly 50 mV: off */
    CHECK_EQ(eval(&bms, 1650, 1701, 0, 2), BMS_OUT_BOTH);   /* 51 mV: charger, on */
    CHECK_EQ(bms.state, BMS_STATE_UVLO);
    CHECK_EQ(eval(&bms, 1660, 1700, -200, 3), 0);           /* charger sags to 40 mV: off */
    CHECK_EQ(eval(&bms, 1650, 1200, 0, 4), 0);              /* load below battery: off */
}

TEST(uvlo_on_entry_keeps_a_charger_connected)
{
    bms_t bms = in_state(BMS_STATE_CHARGING, BMS_OUT_BOTH);
    CHECK_EQ(eval(&bms, 1690, 1800, -50, 1), BMS_OUT_BOTH);
    CHECK_EQ(bms.state, BMS_STATE_UVLO);
}

TEST(ovlo_entered_exactly_at_cutoff)
{
    bms_t bms = in_state(BMS_STATE_CHARGING, BMS_OUT_BOTH);
    eval(&bms, 2799, 2810, -100, 1);
    CHECK_EQ(bms.state, BMS_STATE_CHARGING);
    CHECK_EQ(eval(&bms, 2800, 2810, -100, 2), BMS_OUT_QWIIC); /* charger pushes 10 mV */
    CHECK_EQ(bms.state, BMS_STATE_OVLO);
}

TEST(ovlo_released_exactly_at_release)
{
    bms_t bms = in_state(BMS_STATE_OVLO, BMS_OUT_QWIIC);
    CHECK_EQ(eval(&bms, 2701, 2701, 0, 1), BMS_OUT_QWIIC);
    CHECK_EQ(bms.state, BMS_STATE_OVLO);
    CHECK_EQ(eval(&bms, 2700, 2700, 0, 2), BMS_OUT_BOTH);
    CHECK_EQ(bms.state, BMS_STATE_IDLE);
}

TEST(ovlo_50_mV_load_rule_and_5_mV_charger_rule)
{
    bms_t bms = in_state(BMS_STATE_OVLO, BMS_OUT_QWIIC);
    CHECK_EQ(eval(&bms, 2850, 2800, 0, 1), BMS_OUT_QWIIC);  /* battery 50 mV above: unchanged */
    CHECK_EQ(eval(&bms, 2850, 2799, 0, 2), BMS_OUT_BOTH);   /* 51 mV: a load pulls, on */
    CHECK_EQ(eval(&bms, 2850, 2855, 0, 3), BMS_OUT_BOTH);   /* charger 5 mV above: unchanged */
    CHECK_EQ(eval(&bms, 2850, 2856, 0, 4), BMS_OUT_QWIIC);  /* 6 mV: main off, 3.3 V stays */
    CHECK_EQ(bms.state, BMS_STATE_OVLO);
    CHECK_EQ(bms_pin_dir(bms.outputs), BMS_PIN_QWIIC);
    CHECK_EQ(bms_pin_out(bms.outputs), 0);                  /* PA5 driven low = on */
}

TEST(oclo_entered_above_max_current_only)
{
    bms_t bms = in_state(BMS_STATE_DISCHARGING, BMS_OUT_BOTH);
    CHECK_EQ(eval(&bms, 2500, 2400, 1000, 5), BMS_OUT_BOTH); /* exactly max: fine */
    CHECK_EQ(bms.state, BMS_STATE_DISCHARGING);
    CHECK_EQ(eval(&bms, 2500, 2400, 1001, 6), 0);
    CHECK_EQ(bms.state, BMS_STATE_OCLO);
    /* charging current is not limited by max_current (the contract compares signed I) */
    bms = in_state(BMS_STATE_CHARGING, BMS_OUT_BOTH);
    CHECK_EQ(eval(&bms, 2500, 2600, -5000, 7), BMS_OUT_BOTH);
    CHECK_EQ(bms.state, BMS_STATE_CHARGING);
}

TEST(oclo_timeout_edge)
{
    bms_t bms = in_state(BMS_STATE_IDLE, BMS_OUT_BOTH);
    eval(&bms, 2500, 2400, 3000, 100);
    CHECK_EQ(bms.state, BMS_STATE_OCLO);
    for (uint32_t t = 101; t <= 110; t++) {                  /* 10 s have passed at t = 110 */
        CHECK_EQ(eval(&bms, 2500, 0, 0, t), 0);
        CHECK_EQ(bms.state, BMS_STATE_OCLO);
    }
    CHECK_EQ(eval(&bms, 2500, 0, 0, 111), BMS_OUT_BOTH);     /* more than 10 s */
    CHECK_EQ(bms.state, BMS_STATE_IDLE);
}

TEST(oclo_timeout_across_uptime_wrap)
{
    bms_t bms = in_state(BMS_STATE_IDLE, BMS_OUT_BOTH);
    eval(&bms, 2500, 2400, 3000, 0xFFFFFFFBu);
    CHECK_EQ(eval(&bms, 2500, 0, 0, 5), 0);                  /* 10 s later */
    CHECK_EQ(eval(&bms, 2500, 0, 0, 6), BMS_OUT_BOTH);       /* 11 s later */
}

TEST(limits_in_priority_order)
{
    bms_t bms = in_state(BMS_STATE_DISCHARGING, BMS_OUT_BOTH);
    eval(&bms, 1700, 1600, 5000, 1);                         /* undervoltage and overcurrent */
    CHECK_EQ(bms.state, BMS_STATE_UVLO);
    bms = in_state(BMS_STATE_DISCHARGING, BMS_OUT_BOTH);
    eval(&bms, 2800, 2700, 5000, 1);                         /* overvoltage and overcurrent */
    CHECK_EQ(bms.state, BMS_STATE_OVLO);
}

TEST(one_transition_per_evaluation)
{
    bms_t bms = in_state(BMS_STATE_UVLO, 0);
    eval(&bms, 2900, 2900, 5000, 1);                         /* released, though over the top */
    CHECK_EQ(bms.state, BMS_STATE_IDLE);
    eval(&bms, 2900, 2900, 5000, 2);
    CHECK_EQ(bms.state, BMS_STATE_OVLO);
}

TEST(invalid_and_err_force_outputs_off_and_halt)
{
    bms_t bms = in_state(BMS_STATE_INVALID, BMS_OUT_BOTH);
    CHECK_EQ(eval(&bms, 2500, 2500, 0, 1), 0);
    CHECK_EQ(bms.state, BMS_STATE_INVALID);
    CHECK(bms_halted(&bms));
    bms = in_state(BMS_STATE_ERR, BMS_OUT_BOTH);
    CHECK_EQ(eval(&bms, 2500, 2500, 0, 1), 0);
    CHECK_EQ(bms.state, BMS_STATE_ERR);
    CHECK(bms_halted(&bms));
    bms = in_state(42, BMS_OUT_BOTH);                        /* corrupted RAM */
    CHECK_EQ(eval(&bms, 2500, 2500, 0, 1), 0);
    CHECK_EQ(bms.state, BMS_STATE_ERR);
    for (uint8_t s = BMS_STATE_UVLO; s <= BMS_STATE_IDLE; s++) {
        bms = in_state(s, 0);
        CHECK(!bms_halted(&bms));
    }
}

TEST(pins_match_the_board)
{
    /* PA4 (0x10): on = output high; PA5 (0x20): on = output low; off = input */
    CHECK_EQ(bms_pin_dir(BMS_OUT_BOTH), 0x30);
    CHECK_EQ(bms_pin_out(BMS_OUT_BOTH), 0x10);
    CHECK_EQ(bms_pin_dir(BMS_OUT_MAIN), 0x10);
    CHECK_EQ(bms_pin_out(BMS_OUT_MAIN), 0x10);
    CHECK_EQ(bms_pin_dir(BMS_OUT_QWIIC), 0x20);
    CHECK_EQ(bms_pin_out(BMS_OUT_QWIIC), 0x00);
    CHECK_EQ(bms_pin_dir(0), 0x00);
}

/* The full name a frame carries: prefix + suffix. */
static const char *state_name(uint8_t state)
{
    static char name[32];
    snprintf(name, sizeof name, "%s%s", BMS_STATE_PREFIX, bms_state_suffix(state));
    return name;
}
#define CHECK_STATE_NAME(state, expected) CHECK_STR(state_name(state), expected)

TEST(state_names_as_in_frames)
{
    CHECK_STATE_NAME(0, "BMS_STATE_INVALID");
    CHECK_STATE_NAME(1, "BMS_STATE_UVLO");
    CHECK_STATE_NAME(2, "BMS_STATE_OVLO");
    CHECK_STATE_NAME(3, "BMS_STATE_OCLO");
    CHECK_STATE_NAME(4, "BMS_STATE_CHARGING");
    CHECK_STATE_NAME(5, "BMS_STATE_DISCHARGING");
    CHECK_STATE_NAME(6, "BMS_STATE_IDLE");
    CHECK_STATE_NAME(7, "BMS_STATE_ERR");
    CHECK_STATE_NAME(200, "BMS_STATE_ERR");
}

void suite_bms(void)
{
    RUN(power_up_outputs_off_until_first_evaluation);
    RUN(normal_states_follow_the_current_sign);
    RUN(uvlo_entered_exactly_at_cutoff);
    RUN(uvlo_released_exactly_at_release);
    RUN(uvlo_outputs_on_only_with_a_charger_more_than_50_mV_above);
    RUN(uvlo_on_entry_keeps_a_charger_connected);
    RUN(ovlo_entered_exactly_at_cutoff);
    RUN(ovlo_released_exactly_at_release);
    RUN(ovlo_50_mV_load_rule_and_5_mV_charger_rule);
    RUN(oclo_entered_above_max_current_only);
    RUN(oclo_timeout_edge);
    RUN(oclo_timeout_across_uptime_wrap);
    RUN(limits_in_priority_order);
    RUN(one_transition_per_evaluation);
    RUN(invalid_and_err_force_outputs_off_and_halt);
    RUN(pins_match_the_board);
    RUN(state_names_as_in_frames);
}
