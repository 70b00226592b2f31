/* Log frames byte-identical to HARDWARE.md ("Log frames"), line ending "\r\n". */
#include "check.h"
#include "frame.h"
#include "bms.h"

static char out[512];
static unsigned used;

static void collect(char c)
{
    if (used < sizeof out - 1) {
        out[used++] = c;
        out[used] = 0;
    }
}

static const char *render(const char *measurement, const frame_t *f)
{
    used = 0;
    out[0] = 0;
    frame_write(measurement, f, collect);
    return out;
}

TEST(the_documented_example_byte_for_byte)
{
    frame_t f = {7, 60, 2512, 2509, -35, 0, 1, -1, 297, 16, BMS_STATE_CHARGING};
    CHECK_STR(render("lto-bms", &f),
              "lto-bms,id=0007 uptime=60i,v_batt=2512i,v_load=2509i,current=-35i,E_dis=0i,"
              "E_chg=1i,charge=-1i,temp=297i,gain=16i,state=\"BMS_STATE_CHARGING\"\r\n");
}

TEST(naion_measurement_and_hex_id)
{
    frame_t f = {0xAB, 0, 3700, 3650, 1234, 5, 0, 2, 300, 1, BMS_STATE_DISCHARGING};
    CHECK_STR(render("nai-bms", &f),
              "nai-bms,id=00AB uptime=0i,v_batt=3700i,v_load=3650i,current=1234i,E_dis=5i,"
              "E_chg=0i,charge=2i,temp=300i,gain=1i,state=\"BMS_STATE_DISCHARGING\"\r\n");
    f.serial_number = 0xFFFF;
    CHECK(strncmp(render("nai-bms", &f), "nai-bms,id=FFFF ", 16) == 0);
    f.serial_number = 0x1C3e;
    CHECK(strncmp(render("nai-bms", &f), "nai-bms,id=1C3E ", 16) == 0);
}

TEST(number_extremes)
{
    frame_t f = {0, 4294967295u, 65535, 0, -32768, 4294967295u, 4294967295u, -2147483647 - 1,
                 -5, 16, BMS_STATE_OCLO};
    CHECK_STR(render("lto-bms", &f),
              "lto-bms,id=0000 uptime=4294967295i,v_batt=65535i,v_load=0i,current=-32768i,"
              "E_dis=4294967295i,E_chg=4294967295i,charge=-2147483648i,temp=-5i,gain=16i,"
              "state=\"BMS_STATE_OCLO\"\r\n");
}

TEST(every_state_name)
{
    static const char *const names[] = {
        "BMS_STATE_INVALID", "BMS_STATE_UVLO", "BMS_STATE_OVLO", "BMS_STATE_OCLO",
        "BMS_STATE_CHARGING", "BMS_STATE_DISCHARGING", "BMS_STATE_IDLE", "BMS_STATE_ERR",
    };
    for (uint8_t s = 0; s < 8; s++) {
        frame_t f = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, s};
        char expected[200];
        snprintf(expected, sizeof expected,
                 "lto-bms,id=0001 uptime=1i,v_batt=1i,v_load=1i,current=1i,E_dis=1i,E_chg=1i,"
                 "charge=1i,temp=1i,gain=1i,state=\"%s\"\r\n", names[s]);
        CHECK_STR(render("lto-bms", &f), expected);
    }
}

TEST(number_formatters)
{
    used = 0;
    fmt_u32(collect, 0);
    fmt_str(collect, " ");
    fmt_i32(collect, -1);
    fmt_str(collect, " ");
    fmt_i32(collect, 2147483647);
    fmt_str(collect, " ");
    fmt_hex(collect, 0x0A5, 2);
    CHECK_STR(out, "0 -1 2147483647 A5");
}

/* fmt_u32 / fmt_i32 against printf: every value up to 2,000,000, each power of ten and its
 * neighbours, the type limits, and a million values spread over all 32 bits */
static int decimal_matches(uint32_t v)
{
    char expected[16];
    used = 0;
    out[0] = 0;
    fmt_u32(collect, v);
    snprintf(expected, sizeof expected, "%lu", (unsigned long)v);
    if (strcmp(out, expected) != 0) {
        CHECK_STR(out, expected);
        return 0;
    }
    int32_t s = (int32_t)v;
    used = 0;
    out[0] = 0;
    fmt_i32(collect, s);
    snprintf(expected, sizeof expected, "%ld", (long)s);
    if (strcmp(out, expected) != 0) {
        CHECK_STR(out, expected);
        return 0;
    }
    return 1;
}

TEST(decimal_formatters_equal_printf)
{
    for (uint32_t v = 0; v <= 2000000u; v++) {
        if (!decimal_matches(v)) {
            return;
        }
    }
    for (uint32_t p = 1; p <= 1000000000u; p *= 10u) {
        CHECK(decimal_matches(p - 1u) && decimal_matches(p) && decimal_matches(p + 1u));
        CHECK(decimal_matches(0u - p) && decimal_matches(0u - p - 1u));
    }
    CHECK(decimal_matches(0x7FFFFFFFu) && decimal_matches(0x80000000u) && decimal_matches(0xFFFFFFFFu));
    uint32_t seed = 777u;
    for (uint32_t i = 0; i < 1000000u; i++) {
        seed = seed * 1664525u + 1013904223u;   /* LCG: spread over all 32 bits */
        if (!decimal_matches(seed)) {
            return;
        }
    }
}

void suite_frame(void)
{
    RUN(the_documented_example_byte_for_byte);
    RUN(naion_measurement_and_hex_id);
    RUN(number_extremes);
    RUN(every_state_name);
    RUN(number_formatters);
    RUN(decimal_formatters_equal_printf);
}
