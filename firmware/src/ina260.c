/* ina260.c - INA260 register image and pointer semantics, no hardware access. */
#include "ina260.h"

void ina260_init(ina260_t *ina)
{
    uint8_t *p = (uint8_t *)ina;
    for (uint8_t i = 0; i < sizeof *ina; i++) {
        p[i] = 0;
    }
    ina->reg[INA260_REG_CONFIG] = INA260_CONFIG_RESET;
}

/* round(x / 1.25) = round(4x / 5) in 16-bit arithmetic: 4 * (x / 5) plus the rounded
 * 4r / 5 of the remainder r (0, 0.8, 1.6, 2.4, 3.2 -> 0, 1, 2, 2, 3). x / 5 is the
 * reciprocal multiply (x * 0xCCCD) >> 18, exact for every 16-bit x (checked on the host for
 * all of them): one hardware multiply instead of a ~190-cycle division, once a second. */
static uint16_t div_1_25(uint16_t x)
{
    static const uint8_t rest[5] = {0, 1, 2, 2, 3};
    uint16_t q = (uint16_t)((uint16_t)(((uint32_t)x * 0xCCCDu) >> 16) >> 2);
    return (uint16_t)(4u * q + rest[x - 5u * q]);
}

uint32_t ina260_div10000(uint32_t n)
{
    /* n / 10000 without libgcc's 32-bit division (~575 cycles once a second). With h = n / 65536
     * (a byte move): estimate q = h * 6.5536 with the factor rounded down to 6 + 36280 / 65536,
     * so q * 10000 <= n never overshoots; the remainder then starts below 65536 + 2 * 10000 and
     * the loop adds the missing units, at most eight. Only byte-aligned shifts: AVR has no
     * barrel shifter. */
    uint16_t h = (uint16_t)(n >> 16);
    uint32_t q = 6u * (uint32_t)h + (uint16_t)(((uint32_t)h * 36280u) >> 16);
    uint32_t r = n - q * 10000u;
    while (r >= 10000u) {
        r -= 10000u;
        q++;
    }
    return q;
}

int16_t ina260_current_reg(int16_t current_ma)
{
    /* |current| <= 32768 -> |register| <= 26214: always representable */
    if (current_ma < 0) {
        return (int16_t)-(int16_t)div_1_25((uint16_t)(-(int32_t)current_ma));
    }
    return (int16_t)div_1_25((uint16_t)current_ma);
}

uint16_t ina260_bus_reg(uint16_t v_batt_mv)
{
    return div_1_25(v_batt_mv);
}

uint16_t ina260_power_reg(int16_t current_ma, uint16_t v_batt_mv)
{
    uint32_t ma = current_ma < 0 ? (uint32_t)(-(int32_t)current_ma) : (uint32_t)current_ma;
    /* P[mW] = I[mA] * V[mV] / 1000; register = P / 10 mW, rounded */
    return (uint16_t)ina260_div10000(ma * v_batt_mv + 5000u);
}

void ina260_update(ina260_t *ina, int16_t current_ma, uint16_t v_batt_mv)
{
    ina->reg[INA260_REG_CURRENT] = (uint16_t)ina260_current_reg(current_ma);
    ina->reg[INA260_REG_BUS] = ina260_bus_reg(v_batt_mv);
    ina->reg[INA260_REG_POWER] = ina260_power_reg(current_ma, v_batt_mv);
}

uint16_t ina260_register(const ina260_t *ina, uint8_t reg)
{
    if (reg < 8) {
        return ina->reg[reg];
    }
    if (reg == INA260_REG_MANUF_ID) {
        return INA260_MANUF_ID;
    }
    return reg == INA260_REG_DIE_ID ? INA260_DIE_ID : 0;
}

static void write_register(ina260_t *ina, uint16_t value)
{
    uint8_t reg = ina->pointer;
    if (reg == INA260_REG_CONFIG && (value & INA260_CONFIG_RST_bm)) {
        /* software reset: every register back to its power-on value (pointer kept) */
        ina->reg[INA260_REG_MASK] = 0;
        ina->reg[INA260_REG_ALERT] = 0;
        value = INA260_CONFIG_RESET;
    }
    if (reg == INA260_REG_CONFIG || reg == INA260_REG_MASK || reg == INA260_REG_ALERT) {
        ina->reg[reg] = value;
    }
}

void ina260_start(ina260_t *ina)
{
    ina->index = 0;
}

void ina260_receive(ina260_t *ina, uint8_t byte)
{
    if (ina->index == 0) {
        ina->pointer = byte;
    } else if (ina->index & 1u) {
        ina->msb = byte;
    } else {
        write_register(ina, (uint16_t)((uint16_t)ina->msb << 8 | byte));
    }
    if (ina->index < 255) {
        ina->index++;
    }
}

uint8_t ina260_transmit(ina260_t *ina)
{
    uint8_t byte;
    if (ina->index & 1u) {
        byte = (uint8_t)ina->latch;
    } else {
        /* both bytes of one read come from the same value, even if a new measurement
         * lands between them */
        ina->latch = ina260_register(ina, ina->pointer);
        byte = (uint8_t)(ina->latch >> 8);
    }
    ina->index ^= 1u;
    return byte;
}
