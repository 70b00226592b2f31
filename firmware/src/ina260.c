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

/* round(x / 1.25) = round(4x / 5) as one multiply: (x * 52429 + 26214) >> 16, the high half of the
 * product, a byte move. 52429 / 65536 is 0.8 + 3.05e-6 (at most 0.2 too much over 16 bits, and the
 * fractions of 4x / 5 are fifths), and 26214 is the only addend that is exact for all 65536 inputs:
 * the host test checks each of them against the plain formula. Twice a second (current, bus). */
static uint16_t div_1_25(uint16_t x)
{
    return (uint16_t)(((uint32_t)x * 52429u + 26214u) >> 16);
}

/* floor(n / 10000) - 6 * (n >> 16), without libgcc's 32-bit division (~575 cycles once a second).
 * n = h * 65536 + l (byte moves) = 60000 h + 10000 e + d + l, where e estimates h * 0.5536 from
 * three 8 x 8-bit products of h's bytes (hh * 141 + hh * 184 / 256 + hl * 141 / 256, each rounded
 * down: never above h * 0.5536 and less than 3.43 below it), so d = 5536 h - 10000 e lies in
 * 0..34300 and is exact in 16 bits with the products taken modulo 2^16 (no 32-bit multiply). The
 * rest, l + d < 99836, holds at most 9 units of 10000: the carry out of l + d is 6 of them, then 4,
 * 2 and 1 are taken off in turn (no loop). The result is below 36290: one 16-bit word. */
static uint16_t div10000_rest(uint32_t n)
{
    uint16_t h = (uint16_t)(n >> 16);
    uint16_t l = (uint16_t)n;
    uint8_t hh = (uint8_t)(h >> 8);
    uint8_t hl = (uint8_t)h;
    uint16_t q = (uint16_t)(hh * 141u + ((uint16_t)(hh * 184u) >> 8) + ((uint16_t)(hl * 141u) >> 8));
    uint16_t r = (uint16_t)(l + (uint16_t)((uint16_t)(5536u * h) - (uint16_t)(10000u * q)));
    if (r < l) {
        r += 5536u;   /* l + d = 65536 + r = 60000 + (5536 + r), and 5536 + r < 40000 */
        q += 6u;
    }
    if (r >= 40000u) {
        r -= 40000u;
        q += 4u;
    }
    if (r >= 20000u) {
        r -= 20000u;
        q += 2u;
    }
    return r >= 10000u ? (uint16_t)(q + 1u) : q;
}

uint32_t ina260_div10000(uint32_t n)
{
    return 6u * (uint32_t)(uint16_t)(n >> 16) + div10000_rest(n);
}

int16_t ina260_current_reg(int16_t current_ma)
{
    /* |current| <= 32768 -> |register| <= 26214: always representable */
    if (current_ma < 0) {
        return (int16_t)-(int16_t)div_1_25((uint16_t)(0u - (uint16_t)current_ma));
    }
    return (int16_t)div_1_25((uint16_t)current_ma);
}

uint16_t ina260_bus_reg(uint16_t v_batt_mv)
{
    return div_1_25(v_batt_mv);
}

uint16_t ina260_power_reg(int16_t current_ma, uint16_t v_batt_mv)
{
    uint16_t ma = current_ma < 0 ? (uint16_t)(0u - (uint16_t)current_ma) : (uint16_t)current_ma;
    /* P[mW] = I[mA] * V[mV] / 1000; register = P / 10 mW, rounded; |I| <= 32768 fits 16 bits */
    uint32_t n = (uint32_t)ma * v_batt_mv + 5000u;
    /* ina260_div10000(n) in 16 bits: the register keeps the low 16 bits of the quotient */
    return (uint16_t)((uint16_t)(6u * (uint16_t)(n >> 16)) + div10000_rest(n));
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
