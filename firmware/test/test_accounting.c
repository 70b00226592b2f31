/* Charge and energy counters: hand-calculated values, rounding, and a year of uptime
 * compared with exact 64-bit arithmetic. */
#include "check.h"
#include "accounting.h"

static void run(accounting_t *acc, int ma, int mv, unsigned long seconds)
{
    for (unsigned long s = 0; s < seconds; s++) {
        accounting_add_second(acc, (int16_t)ma, (uint16_t)mv);
    }
}

TEST(one_hour_at_one_amp)
{
    accounting_t acc;
    accounting_init(&acc);
    run(&acc, 1000, 2500, 3600);                 /* 1 A for 1 h at 2.5 V: 1000 mAh, 2500 mWh */
    CHECK_EQ(accounting_charge_mah(&acc), 1000);
    CHECK_EQ(accounting_e_dis_mwh(&acc), 2500);
    CHECK_EQ(accounting_e_chg_mwh(&acc), 0);
    run(&acc, -500, 2600, 7200);                 /* 0.5 A back for 2 h at 2.6 V: 2600 mWh */
    CHECK_EQ(accounting_charge_mah(&acc), 0);
    CHECK_EQ(accounting_e_dis_mwh(&acc), 2500);
    CHECK_EQ(accounting_e_chg_mwh(&acc), 2600);
}

TEST(the_documented_frame_example)
{
    /* -35 mA for 60 s at 2512 mV: -2100 mA*s = -0.583 mAh -> -1; 35 * 2512 * 60 uW*s
     * = 5.275 W*s = 1.465 mWh -> 1 */
    accounting_t acc;
    accounting_init(&acc);
    run(&acc, -35, 2512, 60);
    CHECK_EQ(accounting_charge_mah(&acc), -1);
    CHECK_EQ(accounting_e_chg_mwh(&acc), 1);
    CHECK_EQ(accounting_e_dis_mwh(&acc), 0);
}

TEST(rounding_halves_away_from_zero)
{
    accounting_t acc;
    accounting_init(&acc);
    run(&acc, 1799, 1000, 1);
    CHECK_EQ(accounting_charge_mah(&acc), 0);
    run(&acc, 1, 1000, 1);                       /* 1800 mA*s = 0.5 mAh */
    CHECK_EQ(accounting_charge_mah(&acc), 1);
    accounting_init(&acc);
    run(&acc, -1800, 1000, 1);
    CHECK_EQ(accounting_charge_mah(&acc), -1);
    /* mixed signs: +1 mAh then -1800 mA*s leaves +0.5 mAh -> 1 */
    accounting_init(&acc);
    run(&acc, 3600, 1000, 1);
    run(&acc, -1800, 1000, 1);
    CHECK_EQ(accounting_charge_mah(&acc), 1);
    run(&acc, -1, 1000, 1);                      /* 0.4997 -> 0 */
    CHECK_EQ(accounting_charge_mah(&acc), 0);
    run(&acc, -3600, 1000, 1);                   /* -0.5003 -> -1 */
    CHECK_EQ(accounting_charge_mah(&acc), -1);
    /* energy: 1.8e6 uW*s = 0.5 mWh -> 1; one less -> 0 */
    accounting_init(&acc);
    run(&acc, 1000, 1799, 1);                    /* 1.799e6 uW*s */
    CHECK_EQ(accounting_e_dis_mwh(&acc), 0);
    run(&acc, 1, 1000, 1);                       /* + 1e3 = 1.8e6 uW*s */
    CHECK_EQ(accounting_e_dis_mwh(&acc), 1);
}

TEST(zero_current_counts_nothing)
{
    accounting_t acc;
    accounting_init(&acc);
    run(&acc, 0, 2500, 100000);
    CHECK_EQ(accounting_charge_mah(&acc), 0);
    CHECK_EQ(accounting_e_dis_mwh(&acc), 0);
    CHECK_EQ(accounting_e_chg_mwh(&acc), 0);
}

static long long round_div(long long num, long long den)
{
    return num >= 0 ? (num + den / 2) / den : -((-num + den / 2) / den);
}

TEST(a_year_and_a_day_at_full_scale_matches_64_bit_math)
{
    /* Na-ion ADC full scale: 20.47 A at up to 6.1 V, alternating direction in uneven slices,
     * 366 days of seconds. Reference: exact sums in 64 bits. */
    const unsigned long seconds = 366UL * 86400UL;
    accounting_t acc;
    long long charge = 0, e_dis = 0, e_chg = 0;
    accounting_init(&acc);
    for (unsigned long s = 0; s < seconds; s++) {
        int ma = (s % 1000) < 700 ? 20470 : -20480;
        int mv = 3000 + (int)(s % 3143);
        accounting_add_second(&acc, (int16_t)ma, (uint16_t)mv);
        charge += ma;
        if (ma > 0) e_dis += (long long)ma * mv; else e_chg += (long long)-ma * mv;
    }
    CHECK_EQ(accounting_charge_mah(&acc), round_div(charge, 3600));
    CHECK_EQ(accounting_e_dis_mwh(&acc), round_div(e_dis, 3600000));
    CHECK_EQ(accounting_e_chg_mwh(&acc), round_div(e_chg, 3600000));
    CHECK(round_div(e_dis, 3600000) > 100000000LL);   /* the counters really got big */
    CHECK(round_div(charge, 3600) > 10000000LL);
}

TEST(a_year_of_steady_discharge_does_not_overflow)
{
    const unsigned long seconds = 365UL * 86400UL;
    accounting_t acc;
    accounting_init(&acc);
    run(&acc, 20470, 6143, seconds);
    /* 20470 mA * 6143 mV * 31536000 s / 3.6e6 = 1.1015e9 mWh */
    CHECK_EQ(accounting_e_dis_mwh(&acc), round_div(20470LL * 6143 * 31536000LL, 3600000));
    CHECK_EQ(accounting_charge_mah(&acc), round_div(20470LL * 31536000LL, 3600));
    accounting_init(&acc);
    run(&acc, -32768, 65535, 86400);             /* the type extremes for a day */
    CHECK_EQ(accounting_e_chg_mwh(&acc), round_div(32768LL * 65535 * 86400, 3600000));
    CHECK_EQ(accounting_charge_mah(&acc), -round_div(32768LL * 86400, 3600));
}

void suite_accounting(void)
{
    RUN(one_hour_at_one_amp);
    RUN(the_documented_frame_example);
    RUN(rounding_halves_away_from_zero);
    RUN(zero_current_counts_nothing);
    RUN(a_year_and_a_day_at_full_scale_matches_64_bit_math);
    RUN(a_year_of_steady_discharge_does_not_overflow);
}
