/* The calibration block and its arithmetic (docs/calibration.md): the shared vectors (also run
 * by the TypeScript mirror), identity for every input, the full current chain at every PGA gain,
 * and which blocks count as absent. */
#include "check.h"
#include "calib.h"
#include "convert.h"
#include "crc16.h"
#include "calib_vectors.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const calib_linear_t IDENTITY = { CALIB_GAIN_ONE, 0 };

TEST(voltage_vectors)
{
    for (unsigned i = 0; i < COUNT(CALIB_VOLTAGE_VECTORS); i++) {
        const calib_voltage_vector_t *v = &CALIB_VOLTAGE_VECTORS[i];
        calib_linear_t lin = { v->gain, v->offset };
        CHECK_EQ(calib_voltage(v->mv, &lin), v->expect);
    }
}

TEST(current_gain_vectors)
{
    for (unsigned i = 0; i < COUNT(CALIB_CURRENT_VECTORS); i++) {
        const calib_current_vector_t *v = &CALIB_CURRENT_VECTORS[i];
        calib_linear_t lin = { v->gain, 0 };
        CHECK_EQ(calib_current_ma(v->ma, &lin), v->expect);
    }
}

TEST(current_offset_vectors)
{
    for (unsigned i = 0; i < COUNT(CALIB_OFFSET_VECTORS); i++) {
        const calib_offset_vector_t *v = &CALIB_OFFSET_VECTORS[i];
        calib_linear_t lin = { CALIB_GAIN_ONE, v->offset };
        CHECK_EQ(calib_current_acc(v->acc, &lin), v->expect);
    }
}

/* One CHECK per sweep (a check per value would be 65536 lines of output on failure). */
TEST(identity_changes_no_voltage)
{
    long first_bad = -1;
    for (long mv = 0; mv <= 0xFFFF && first_bad < 0; mv++) {
        if (calib_voltage((uint16_t)mv, &IDENTITY) != mv) {
            first_bad = mv;
        }
    }
    CHECK_EQ(first_bad, -1);
}

TEST(identity_changes_no_current_at_any_gain)
{
    /* every accumulator value, through offset, conversion and gain, at every PGA gain and both
     * references, equals the uncalibrated conversion */
    static const uint16_t vrefs[] = { 1024, 2048 };
    long first_bad = -1;
    for (unsigned r = 0; r < 2; r++) {
        for (uint8_t shift = 0; shift <= CONV_GAIN_SHIFT_MAX; shift++) {
            for (long acc = -32768; acc <= 32767 && first_bad < 0; acc++) {
                int16_t raw = conv_current_ma((int16_t)acc, vrefs[r], shift);
                int16_t cal = calib_current_ma(conv_current_ma(calib_current_acc((int16_t)acc, &IDENTITY),
                                                               vrefs[r], shift), &IDENTITY);
                if (cal != raw || calib_current_ma((int16_t)acc, &IDENTITY) != acc) {
                    first_bad = acc;
                }
            }
        }
    }
    CHECK_EQ(first_bad, -1);
}

/* The arithmetic against the formulas of docs/calibration.md in 64 bits, for every input at gains
 * and offsets around the identity (which the firmware takes a shortcut for) and at the extremes. */
static long long ref_round_q15(long long x, unsigned gain)
{
    long long t = x * (long long)gain + 16384;
    return t >= 0 ? t / 32768 : -((-t + 32767) / 32768);   /* floor */
}

TEST(arithmetic_equals_the_formulas_near_and_away_from_identity)
{
    static const uint16_t gains[] = { 0, 1, 16384, 32767, 32768, 32769, 33423, 49151, 65535 };
    static const int16_t offsets[] = { -32768, -12, -1, 0, 1, 9, 32767 };
    long bad = 0;
    for (unsigned g = 0; g < COUNT(gains); g++) {
        for (unsigned o = 0; o < COUNT(offsets); o++) {
            calib_linear_t lin = { gains[g], offsets[o] };
            for (long x = 0; x <= 0xFFFF; x++) {
                long long v = ref_round_q15(x, gains[g]) + offsets[o];
                v = v < 0 ? 0 : v > 0xFFFF ? 0xFFFF : v;
                long long i = ref_round_q15(x - 32768, gains[g]);
                i = i < -32768 ? -32768 : i > 32767 ? 32767 : i;
                long long a = (long long)(x - 32768) - offsets[o];
                a = a < -32768 ? -32768 : a > 32767 ? 32767 : a;
                if (calib_voltage((uint16_t)x, &lin) != v || calib_current_ma((int16_t)(x - 32768), &lin) != i ||
                    calib_current_acc((int16_t)(x - 32768), &lin) != a) {
                    bad++;
                }
            }
        }
    }
    CHECK_EQ(bad, 0);
}

TEST(current_offset_is_right_at_every_gain)
{
    /* LTO: -500 mA reads -1600 * 2^shift counts; an ADC offset of +37 counts adds the same 37 at
     * every gain. Taking it off gives -500 mA exactly; left in, the error shrinks with the gain
     * (37 counts = 11.6 mA at gain 1, 0.7 mA at gain 16). */
    calib_linear_t lin = { CALIB_GAIN_ONE, 37 };
    for (uint8_t shift = 0; shift <= CONV_GAIN_SHIFT_MAX; shift++) {
        int16_t acc = (int16_t)(-1600 * (1 << shift) + 37);
        CHECK_EQ(calib_current_ma(conv_current_ma(calib_current_acc(acc, &lin), 1024, shift), &lin), -500);
        CHECK(conv_current_ma(acc, 1024, shift) != -500 || shift == CONV_GAIN_SHIFT_MAX);
    }
    CHECK_EQ(conv_current_ma(-1600 + 37, 1024, 0), -488);   /* uncorrected: 11.6 mA off */
}

TEST(negative_current_with_gain_and_offset)
{
    /* Na-ion, gain 2 (shift 1): -1000 mA = -3200 counts; offset -12 counts, gain 1.02 */
    calib_linear_t lin = { 33423, -12 };
    int16_t acc = -3200 - 12;
    int16_t ma = conv_current_ma(calib_current_acc(acc, &lin), 2048, 1);
    CHECK_EQ(ma, -1000);
    CHECK_EQ(calib_current_ma(ma, &lin), -1020);   /* -1019.99 */
}

TEST(current_full_scale_clamps)
{
    calib_linear_t lin = { 65535, -100 };
    /* 32752 + 100 saturates at 32767 counts = 10239.7 mA -> 10240 at gain 1 (LTO) */
    int16_t ma = conv_current_ma(calib_current_acc(32752, &lin), 1024, 0);
    CHECK_EQ(ma, 10240);
    CHECK_EQ(calib_current_ma(ma, &lin), 20480);      /* 20479.69 */
    /* Na-ion full scale: 20480 mA x 2.0 saturates */
    CHECK_EQ(calib_current_ma(conv_current_ma(-32768, 2048, 0), &lin), -32768);
    CHECK_EQ(calib_current_ma(conv_current_ma(32752, 2048, 0), &lin), 32767);
    /* the dead band comes first: 2 mA reads 0, whatever the gain */
    CHECK_EQ(calib_current_ma(conv_current_ma(6, 1024, 0), &lin), 0);
}

TEST(voltage_full_scale_both_references)
{
    calib_linear_t up = { 33423, 0 };     /* +2 % */
    calib_linear_t down = { 32112, -7 };  /* -2 %, -7 mV */
    CHECK_EQ(calib_voltage(conv_voltage_mv(65520, 1024), &up), 3132);     /* 3071 -> 3132.4 */
    CHECK_EQ(calib_voltage(conv_voltage_mv(65520, 2048), &up), 6266);     /* 6143 -> 6265.8 */
    CHECK_EQ(calib_voltage(conv_voltage_mv(0, 2048), &down), 0);          /* -7 clamps */
    CHECK_EQ(calib_voltage(conv_voltage_mv(65520, 2048), &down), 6013);   /* 6020.0 - 7 */
}

/* A block as the host writes it (src/eeprom/calibration.ts), built byte by byte. */
static void make_block(uint8_t b[CALIB_SIZE], uint16_t magic, uint8_t version)
{
    static const uint8_t fields[14] = {
        0x48, 0x81, 0xF4, 0xFF,    /* vbatt 33096, -12 */
        0xB8, 0x7E, 0x07, 0x00,    /* vload 32440, 7 */
        0x9A, 0x79, 0xE7, 0xFF,    /* current 31130, -25 */
        0xFD, 0xFF,                /* temp -3 */
    };
    b[0] = (uint8_t)magic;
    b[1] = (uint8_t)(magic >> 8);
    memcpy(b + 2, fields, sizeof fields);
    b[16] = version;
    b[17] = 0;
    uint16_t crc = crc16(b, 18);
    b[18] = (uint8_t)crc;
    b[19] = (uint8_t)(crc >> 8);
}

static int is_identity(const calib_t *c)
{
    return c->vbatt.gain == 32768 && c->vbatt.offset == 0 && c->vload.gain == 32768 &&
           c->vload.offset == 0 && c->current.gain == 32768 && c->current.offset == 0 &&
           c->temp_offset_cal == 0;
}

TEST(valid_block_is_kept_as_read)
{
    calib_t c;
    make_block((uint8_t *)&c, CALIB_MAGIC, 1);
    CHECK_EQ(calib_load(&c), 1);
    CHECK_EQ(c.vbatt.gain, 33096);
    CHECK_EQ(c.vbatt.offset, -12);
    CHECK_EQ(c.vload.gain, 32440);
    CHECK_EQ(c.vload.offset, 7);
    CHECK_EQ(c.current.gain, 31130);
    CHECK_EQ(c.current.offset, -25);
    CHECK_EQ(c.temp_offset_cal, -3);
    /* a later version keeps the meaning of these fields: applied as well */
    make_block((uint8_t *)&c, CALIB_MAGIC, 2);
    CHECK_EQ(calib_load(&c), 1);
    CHECK_EQ(c.current.offset, -25);
}

TEST(absent_or_damaged_block_is_identity)
{
    calib_t c;
    memset(&c, 0xFF, sizeof c);                   /* erased EEPROM */
    CHECK_EQ(calib_load(&c), 0);
    CHECK(is_identity(&c));

    for (unsigned byte = 0; byte < CALIB_SIZE; byte++) {   /* any one bit flipped: bad CRC */
        make_block((uint8_t *)&c, CALIB_MAGIC, 1);
        ((uint8_t *)&c)[byte] ^= 0x10;
        CHECK_EQ(calib_load(&c), 0);
        CHECK(is_identity(&c));
    }

    make_block((uint8_t *)&c, 0x7337, 1);         /* CRC fine, the configuration's magic */
    CHECK_EQ(calib_load(&c), 0);
    CHECK(is_identity(&c));

    memset(&c, 0, sizeof c);                      /* zeros: CRC of zeros is not 0 */
    CHECK_EQ(calib_load(&c), 0);
    CHECK(is_identity(&c));
}

void suite_calib(void)
{
    RUN(voltage_vectors);
    RUN(current_gain_vectors);
    RUN(current_offset_vectors);
    RUN(identity_changes_no_voltage);
    RUN(identity_changes_no_current_at_any_gain);
    RUN(arithmetic_equals_the_formulas_near_and_away_from_identity);
    RUN(current_offset_is_right_at_every_gain);
    RUN(negative_current_with_gain_and_offset);
    RUN(current_full_scale_clamps);
    RUN(voltage_full_scale_both_references);
    RUN(valid_block_is_kept_as_read);
    RUN(absent_or_damaged_block_is_identity);
}
