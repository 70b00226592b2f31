/* ADC conversions, checked against hand calculations from the circuit (HARDWARE.md):
 * 1:3 divider, 0.1 ohm shunt, 12-bit conversions summed 16 times, PGA gain 1..16. */
#include "check.h"
#include "convert.h"

/* What the ADC would accumulate for a pin voltage (single-ended): 16 conversions of
 * floor(V / Vref * 4096), clipped at 4095. */
static unsigned single_acc(double pin_mv, double vref_mv)
{
    long code = (long)(pin_mv / vref_mv * 4096.0);
    if (code > 4095) code = 4095;
    return (unsigned)(16 * code);
}

/* Differential: 16 conversions of trunc(gain * Vdiff / Vref * 2048), clipped to -2048..2047. */
static int diff_acc(double diff_mv, double vref_mv, int gain)
{
    long code = (long)(gain * diff_mv / vref_mv * 2048.0);
    if (code > 2047) code = 2047;
    if (code < -2048) code = -2048;
    return (int)(16 * code);
}

TEST(voltage_exact_points)
{
    /* half scale: pin = Vref / 2 -> cell = 3 * Vref / 2 */
    CHECK_EQ(conv_voltage_mv(32768, 1024), 1536);
    CHECK_EQ(conv_voltage_mv(32768, 2048), 3072);
    CHECK_EQ(conv_voltage_mv(0, 1024), 0);
    /* top code 16 * 4095: 3 * 1024 * 65520 / 65536 = 3071.25 */
    CHECK_EQ(conv_voltage_mv(65520, 1024), 3071);
    CHECK_EQ(conv_voltage_mv(65520, 2048), 6143);  /* 6142.5 rounds up */
}

TEST(voltage_of_a_real_cell_within_one_lsb)
{
    /* LTO 2512 mV: pin 837.33 mV; one count of the 16-sum is 3 * 1024 / 65536 = 0.047 mV */
    CHECK_EQ(conv_voltage_mv((uint16_t)single_acc(2512.0 / 3, 1024), 1024), 2512);
    /* Na-ion 3700 mV with the 2.048 V reference (0.094 mV per count, floor loses < 1.5 mV) */
    int mv = conv_voltage_mv((uint16_t)single_acc(3700.0 / 3, 2048), 2048);
    CHECK(mv >= 3698 && mv <= 3700);
}

TEST(current_exact_points_each_gain)
{
    /* LTO, 1.024 V: 1000 mA = 100 mV on the shunt = 200 codes at gain 1 -> sum 3200 */
    CHECK_EQ(conv_current_ma(3200, 1024, 0), 1000);
    CHECK_EQ(conv_current_ma(-3200, 1024, 0), -1000);
    /* 35 mA = 3.5 mV, x16 = 56 mV = 112 codes -> sum 1792 */
    CHECK_EQ(conv_current_ma(1792, 1024, 4), 35);
    CHECK_EQ(conv_current_ma(-1792, 1024, 4), -35);
    /* Na-ion, 2.048 V: 1000 mA at gain 2 = 200 mV = 200 codes -> sum 3200 */
    CHECK_EQ(conv_current_ma(3200, 2048, 1), 1000);
    /* full scale at gain 1: 32768 * 1024 * 10 / 32768 = 10240 mA; Na-ion 20480 */
    CHECK_EQ(conv_current_ma(-32768, 1024, 0), -10240);
    CHECK_EQ(conv_current_ma(-32768, 2048, 0), -20480);
    CHECK_EQ(conv_current_ma(32752, 2048, 0), 20470);
}

TEST(current_from_simulated_adc_every_gain)
{
    for (int shift = 0; shift <= 4; shift++) {
        int gain = 1 << shift;
        /* 500 mA would clip at gain 16 with 1.024 V (800 mV at the ADC), skip those */
        const int currents[] = {-500, -123, -35, 35, 123, 500};
        for (unsigned i = 0; i < sizeof currents / sizeof currents[0]; i++) {
            double diff = currents[i] * 0.1;   /* mV across 0.1 ohm */
            if (gain * (diff < 0 ? -diff : diff) >= 1024) continue;
            int ma = conv_current_ma((int16_t)diff_acc(diff, 1024, gain), 1024, (uint8_t)shift);
            /* one count of the sum is 10240 / 32768 / gain mA = 0.31 / gain mA; truncation
             * toward zero of each conversion loses less than 16 counts */
            double lsb = 10240.0 / 32768 / gain;
            CHECK(ma - currents[i] <= 16 * lsb + 1 && currents[i] - ma <= 16 * lsb + 1);
        }
    }
}

TEST(current_rounds_halves_away_from_zero)
{
    /* LTO gain 1: I = acc * 5 / 16; acc 8 -> 2.5 -> 3 (outside the deadband) */
    CHECK_EQ(conv_current_ma(8, 1024, 0), 3);
    CHECK_EQ(conv_current_ma(-8, 1024, 0), -3);
    CHECK_EQ(conv_current_ma(11, 1024, 0), 3);     /* 3.4375 */
    CHECK_EQ(conv_current_ma(12, 1024, 0), 4);     /* 3.75 */
}

TEST(noise_deadband_is_plus_minus_2_mA)
{
    /* gain 16, LTO: one count = 10240 / 524288 mA */
    CHECK_EQ(conv_current_ma(102, 1024, 4), 0);    /* 1.99 mA -> 2 -> 0 */
    CHECK_EQ(conv_current_ma(-102, 1024, 4), 0);
    CHECK_EQ(conv_current_ma(123, 1024, 4), 0);    /* 2.40 mA -> 2 -> 0 */
    CHECK_EQ(conv_current_ma(128, 1024, 4), 3);    /* 2.50 mA rounds to 3: outside */
    CHECK_EQ(conv_current_ma(6, 1024, 0), 0);      /* 1.875 -> 2 -> 0 */
    CHECK_EQ(conv_current_ma(7, 1024, 0), 0);      /* 2.1875 -> 2 -> 0 */
    CHECK_EQ(conv_current_ma(-7, 1024, 0), 0);
    CHECK_EQ(conv_current_ma(154, 1024, 4), 3);    /* 3.007 mA */
    CHECK_EQ(conv_current_ma(-154, 1024, 4), -3);
    CHECK_EQ(conv_current_ma(0, 1024, 4), 0);
}

/* The datasheet's recipe for one 12-bit conversion (ATtiny1624 "Temperature Measurement"). */
static unsigned datasheet_kelvin(unsigned result12, unsigned char gain, signed char offset)
{
    unsigned adc_reading = result12 >> 2;
    unsigned long temp = (unsigned long)(adc_reading - offset);
    temp *= gain;
    temp += 0x80;
    temp >>= 8;
    return (unsigned)temp;
}

TEST(temperature_matches_the_datasheet_recipe)
{
    const unsigned char gains[] = {180, 200, 229, 255};
    const signed char offsets[] = {-40, -3, 0, 17, 60};
    for (unsigned g = 0; g < sizeof gains; g++) {
        for (unsigned o = 0; o < sizeof offsets; o++) {
            for (unsigned r = 1100; r <= 1800; r += 4) {   /* multiples of 4: no >> 2 loss */
                CHECK_EQ(conv_temperature_k((uint16_t)(16 * r), gains[g], offsets[o], 0),
                         datasheet_kelvin(r, gains[g], offsets[o]));
            }
        }
    }
}

TEST(temperature_hand_example_and_offset)
{
    /* 12-bit 1200 -> 10-bit 300; offset -10 -> 310; x 250 = 77500; +128 >> 8 = 303 K */
    CHECK_EQ(conv_temperature_k(16 * 1200, 250, -10, 0), 303);
    CHECK_EQ(conv_temperature_k(16 * 1200, 250, -10, 5), 308);
    CHECK_EQ(conv_temperature_k(16 * 1200, 250, -10, -20), 283);
}

TEST(auto_gain_steps_with_hysteresis)
{
    /* small readings step up one gain per reading, up to 16 (shift 4) */
    CHECK_EQ(conv_next_gain_shift(100, 0), 1);
    CHECK_EQ(conv_next_gain_shift(-100, 3), 4);
    CHECK_EQ(conv_next_gain_shift(0, 4), 4);
    /* large readings step down, not below 1 */
    CHECK_EQ(conv_next_gain_shift(30000, 2), 1);
    CHECK_EQ(conv_next_gain_shift(-30000, 2), 1);
    CHECK_EQ(conv_next_gain_shift(-32768, 0), 0);
    /* edges: exactly 3/4 and 3/8 of full scale keep the gain */
    CHECK_EQ(conv_next_gain_shift(24576, 2), 2);
    CHECK_EQ(conv_next_gain_shift(24577, 2), 1);
    CHECK_EQ(conv_next_gain_shift(-24577, 2), 1);
    CHECK_EQ(conv_next_gain_shift(12288, 2), 2);
    CHECK_EQ(conv_next_gain_shift(12287, 2), 3);
    /* after a step up the doubled reading is below the step-down threshold: no oscillation */
    CHECK(2 * 12287 <= 24576);
    CHECK(conv_gain_too_high(24577, 1));
    CHECK(!conv_gain_too_high(24577, 0));
    CHECK(!conv_gain_too_high(24576, 4));
}

/* Every accumulator value at both references against the formula in 32 bits. */
TEST(voltage_equals_the_formula_for_every_sum)
{
    static const uint16_t vrefs[] = { 1024, 2048 };
    long bad = 0;
    for (unsigned r = 0; r < 2; r++) {
        for (uint32_t acc = 0; acc <= 0xFFFFu; acc++) {
            if (conv_voltage_mv((uint16_t)acc, vrefs[r]) != (uint16_t)((acc * vrefs[r] * 3u + 0x8000u) >> 16)) {
                bad++;
            }
        }
    }
    CHECK_EQ(bad, 0);
}

void suite_convert(void)
{
    RUN(voltage_exact_points);
    RUN(voltage_of_a_real_cell_within_one_lsb);
    RUN(voltage_equals_the_formula_for_every_sum);
    RUN(current_exact_points_each_gain);
    RUN(current_from_simulated_adc_every_gain);
    RUN(current_rounds_halves_away_from_zero);
    RUN(noise_deadband_is_plus_minus_2_mA);
    RUN(temperature_matches_the_datasheet_recipe);
    RUN(temperature_hand_example_and_offset);
    RUN(auto_gain_steps_with_hysteresis);
}
