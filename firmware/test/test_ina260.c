/* INA260 look-alike: register encodings (TI INA260 LSBs) and bus behaviour. */
#include "check.h"
#include "ina260.h"

/* One host transaction: write pointer (and optionally a 16-bit value), big-endian. */
static void host_write(ina260_t *ina, uint8_t reg, int has_value, uint16_t value)
{
    ina260_start(ina);
    ina260_receive(ina, reg);
    if (has_value) {
        ina260_receive(ina, (uint8_t)(value >> 8));
        ina260_receive(ina, (uint8_t)value);
    }
}

static uint16_t host_read(ina260_t *ina)
{
    ina260_start(ina);
    uint8_t msb = ina260_transmit(ina);
    uint8_t lsb = ina260_transmit(ina);
    return (uint16_t)(msb << 8 | lsb);
}

static uint16_t read_reg(ina260_t *ina, uint8_t reg)
{
    host_write(ina, reg, 0, 0);
    return host_read(ina);
}

TEST(identification_registers)
{
    ina260_t ina;
    ina260_init(&ina);
    CHECK_EQ(read_reg(&ina, 0xFE), 0x5449);
    CHECK_EQ(read_reg(&ina, 0xFF), 0x2270);
    CHECK_EQ(read_reg(&ina, 0x00), 0x6127);
}

TEST(wire_order_is_big_endian)
{
    ina260_t ina;
    ina260_init(&ina);
    host_write(&ina, 0xFE, 0, 0);
    ina260_start(&ina);
    CHECK_EQ(ina260_transmit(&ina), 0x54);   /* 'T' first */
    CHECK_EQ(ina260_transmit(&ina), 0x49);   /* 'I' */
}

TEST(current_register_is_signed_1_25_mA_per_lsb)
{
    CHECK_EQ(ina260_current_reg(1000), 800);
    CHECK_EQ(ina260_current_reg(-35), -28);
    CHECK_EQ(ina260_current_reg(1), 1);          /* 0.8 -> 1 */
    CHECK_EQ(ina260_current_reg(-2), -2);        /* -1.6 -> -2 */
    CHECK_EQ(ina260_current_reg(0), 0);
    CHECK_EQ(ina260_current_reg(-32768), -26214);
    ina260_t ina;
    ina260_init(&ina);
    ina260_update(&ina, -35, 2512);
    CHECK_EQ(read_reg(&ina, 0x01), 0xFFE4);      /* -28 in two's complement */
}

TEST(bus_voltage_1_25_mV_and_power_10_mW_per_lsb)
{
    ina260_t ina;
    ina260_init(&ina);
    ina260_update(&ina, 1000, 2500);
    CHECK_EQ(read_reg(&ina, 0x02), 2000);        /* 2500 / 1.25 */
    CHECK_EQ(read_reg(&ina, 0x03), 250);         /* 2500 mW / 10 */
    ina260_update(&ina, -1000, 2500);
    CHECK_EQ(read_reg(&ina, 0x03), 250);         /* power is unsigned */
    CHECK_EQ(ina260_bus_reg(2512), 2010);        /* 2009.6 */
    CHECK_EQ(ina260_power_reg(35, 2512), 9);     /* 87.9 mW -> 8.79 -> 9 */
    CHECK_EQ(ina260_power_reg(20470, 6143), 12575); /* 125747 mW */
}

TEST(divisions_by_multiply_are_exact)
{
    /* the bus register's x / 5 by reciprocal: every 16-bit input against the plain formula */
    for (uint32_t x = 0; x <= 0xFFFFu; x++) {
        uint16_t expect = (uint16_t)((4u * x + 2u) / 5u);   /* round(4x / 5), halves cannot occur */
        if (ina260_bus_reg((uint16_t)x) != expect) {
            CHECK_EQ(ina260_bus_reg((uint16_t)x), expect);
            return;
        }
    }
    /* n / 10000: every power-register input |I| * Vb + 5000 over the whole current range at
     * cell voltages across both chemistries, then the edges of the 32-bit range */
    for (uint32_t ma = 0; ma <= 32768u; ma++) {
        for (uint32_t mv = 0; mv <= 65535u; mv += 97u) {
            uint32_t n = ma * mv + 5000u;
            if (ina260_div10000(n) != n / 10000u) {
                CHECK_EQ(ina260_div10000(n), n / 10000u);
                return;
            }
        }
    }
    /* every high half with low halves at the edges of the remainder's steps: the estimate of
     * n / 10000 from the high half alone must hold for each (its error bound is what keeps the
     * remainder within the fixed steps) */
    static const uint32_t lows[] = {0u, 1u, 4463u, 4464u, 9999u, 10000u, 30000u, 55535u, 60000u, 65535u};
    for (uint32_t h = 0; h <= 0xFFFFu; h++) {
        for (unsigned i = 0; i < sizeof lows / sizeof lows[0]; i++) {
            uint32_t n = h << 16 | lows[i];
            if (ina260_div10000(n) != n / 10000u) {
                CHECK_EQ(ina260_div10000(n), n / 10000u);
                return;
            }
        }
    }
    static const uint32_t edges[] = {0u, 9999u, 10000u, 10001u, 6249999u, 6250000u, 0x7FFFFFFFu, 0xFFFFFFFFu};
    for (unsigned i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        CHECK_EQ(ina260_div10000(edges[i]), edges[i] / 10000u);
    }
    uint32_t seed = 12345u;
    for (uint32_t i = 0; i < 1000000u; i++) {
        seed = seed * 1664525u + 1013904223u;   /* LCG: spread over all 32 bits */
        CHECK_EQ(ina260_div10000(seed), seed / 10000u);
    }
}

TEST(registers_equal_the_plain_formulas_over_every_input)
{
    /* current: every int16 reading against round(|I| / 1.25) with its sign (halves cannot occur) */
    for (int32_t ma = -32768; ma <= 32767; ma++) {
        int32_t mag = ma < 0 ? -ma : ma;
        int32_t expect = (4 * mag + 2) / 5;
        if (ina260_current_reg((int16_t)ma) != (ma < 0 ? -expect : expect)) {
            CHECK_EQ(ina260_current_reg((int16_t)ma), ma < 0 ? -expect : expect);
            return;
        }
    }
    /* power: every current against voltages 0..65535 in steps of 61 and the top one, as the low
     * 16 bits of round(|I| * Vb / 10000) the register has always held */
    for (int32_t ma = -32768; ma <= 32767; ma++) {
        uint32_t mag = (uint32_t)(ma < 0 ? -ma : ma);
        for (uint32_t mv = 0; mv <= 65535u + 61u; mv += 61u) {
            uint32_t v = mv > 65535u ? 65535u : mv;
            uint16_t expect = (uint16_t)((mag * v + 5000u) / 10000u);
            if (ina260_power_reg((int16_t)ma, (uint16_t)v) != expect) {
                CHECK_EQ(ina260_power_reg((int16_t)ma, (uint16_t)v), expect);
                return;
            }
        }
    }
    CHECK(1);
}

TEST(configuration_write_and_reset_bit)
{
    ina260_t ina;
    ina260_init(&ina);
    host_write(&ina, 0x00, 1, 0x4527);
    CHECK_EQ(read_reg(&ina, 0x00), 0x4527);
    host_write(&ina, 0x06, 1, 0x8001);
    host_write(&ina, 0x07, 1, 0x1234);
    CHECK_EQ(read_reg(&ina, 0x06), 0x8001);
    CHECK_EQ(read_reg(&ina, 0x07), 0x1234);
    host_write(&ina, 0x00, 1, 0x8000);           /* RST */
    CHECK_EQ(read_reg(&ina, 0x00), 0x6127);
    CHECK_EQ(read_reg(&ina, 0x06), 0);
    CHECK_EQ(read_reg(&ina, 0x07), 0);
    host_write(&ina, 0x00, 1, 0xFFFF);           /* RST wins over the other bits */
    CHECK_EQ(read_reg(&ina, 0x00), 0x6127);
}

TEST(read_only_and_unknown_registers)
{
    ina260_t ina;
    ina260_init(&ina);
    ina260_update(&ina, 100, 2000);
    host_write(&ina, 0x01, 1, 0x7777);
    host_write(&ina, 0xFE, 1, 0x7777);
    CHECK_EQ(read_reg(&ina, 0x01), 80);
    CHECK_EQ(read_reg(&ina, 0xFE), 0x5449);
    CHECK_EQ(read_reg(&ina, 0x05), 0);
    CHECK_EQ(read_reg(&ina, 0x42), 0);
}

TEST(pointer_does_not_auto_increment_and_persists)
{
    ina260_t ina;
    ina260_init(&ina);
    host_write(&ina, 0xFF, 0, 0);
    ina260_start(&ina);
    uint8_t b[6];
    for (int i = 0; i < 6; i++) b[i] = ina260_transmit(&ina);
    CHECK_EQ(b[0], 0x22); CHECK_EQ(b[1], 0x70);
    CHECK_EQ(b[2], 0x22); CHECK_EQ(b[3], 0x70);
    CHECK_EQ(b[4], 0x22); CHECK_EQ(b[5], 0x70);
    CHECK_EQ(host_read(&ina), 0x2270);           /* next transaction, same pointer */
    /* a pointer-only write (as before a repeated-start read) changes no register */
    host_write(&ina, 0x00, 0, 0);
    CHECK_EQ(host_read(&ina), 0x6127);
}

TEST(both_bytes_of_a_read_come_from_one_measurement)
{
    ina260_t ina;
    ina260_init(&ina);
    ina260_update(&ina, 320, 2000);               /* 256 = 0x0100 */
    host_write(&ina, 0x01, 0, 0);
    ina260_start(&ina);
    uint8_t msb = ina260_transmit(&ina);
    ina260_update(&ina, 319, 2000);               /* 255 = 0x00FF lands between the bytes */
    uint8_t lsb = ina260_transmit(&ina);
    CHECK_EQ(msb << 8 | lsb, 0x0100);
    CHECK_EQ(host_read(&ina), 0x00FF);
}

void suite_ina260(void)
{
    RUN(identification_registers);
    RUN(wire_order_is_big_endian);
    RUN(current_register_is_signed_1_25_mA_per_lsb);
    RUN(bus_voltage_1_25_mV_and_power_10_mW_per_lsb);
    RUN(divisions_by_multiply_are_exact);
    RUN(registers_equal_the_plain_formulas_over_every_input);
    RUN(configuration_write_and_reset_bit);
    RUN(read_only_and_unknown_registers);
    RUN(pointer_does_not_auto_increment_and_persists);
    RUN(both_bytes_of_a_read_come_from_one_measurement);
}
