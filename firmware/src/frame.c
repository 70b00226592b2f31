/* frame.c - log-frame text without printf. */
#include "frame.h"
#include "bms.h"

void fmt_str(put_fn put, const char *s)
{
    while (*s) {
        put(*s++);
    }
}

/* Up to four digits (v < 10000) by repeated subtraction of 1000, 100 and 10 in 16 bits; `all`
 * prints the leading zeros too (the low four digits of a larger number). */
static void fmt_4(put_fn put, uint16_t v, uint8_t all)
{
    static const uint16_t pow10[3] = {1000u, 100u, 10u};
    for (uint8_t i = 0; i < 3; i++) {
        char digit = '0';
        while (v >= pow10[i]) {
            v -= pow10[i];
            digit++;
        }
        if (digit != '0' || all) {
            put(digit);
            all = 1;
        }
    }
    put((char)('0' + v));
}

/* Decimal without a division routine: from 10000 up, the leading digits by repeated subtraction of
 * 32-bit powers of ten, then the low four by fmt_4 in 16 bits (most frame fields have four digits or
 * fewer and never see the 32-bit part). */
void fmt_u32(put_fn put, uint32_t v)
{
    static const uint32_t pow10[6] = {1000000000UL, 100000000UL, 10000000UL, 1000000UL, 100000UL, 10000UL};
    uint8_t all = 0;
    if (v >= 10000u) {
        for (uint8_t i = 0; i < 6; i++) {
            char digit = '0';
            while (v >= pow10[i]) {
                v -= pow10[i];
                digit++;
            }
            if (digit != '0' || all) {
                put(digit);
                all = 1;
            }
        }
    }
    fmt_4(put, (uint16_t)v, all);
}

void fmt_i32(put_fn put, int32_t v)
{
    if (v < 0) {
        put('-');
        fmt_u32(put, (uint32_t)0 - (uint32_t)v);
    } else {
        fmt_u32(put, (uint32_t)v);
    }
}

void fmt_hex(put_fn put, uint16_t v, uint8_t digits)
{
    while (digits--) {
        uint8_t nibble = (uint8_t)((v >> (4 * digits)) & 0xFu);
        put((char)(nibble < 10 ? '0' + nibble : 'A' + nibble - 10));
    }
}

static void field(put_fn put, const char *name, int32_t value)
{
    fmt_str(put, name);
    fmt_i32(put, value);
    put('i');
}

static void ufield(put_fn put, const char *name, uint32_t value)
{
    fmt_str(put, name);
    fmt_u32(put, value);
    put('i');
}

void frame_write(const char *measurement, const frame_t *f, put_fn put)
{
    fmt_str(put, measurement);
    fmt_str(put, ",id=");
    fmt_hex(put, f->serial_number, 4);
    ufield(put, " uptime=", f->uptime_s);
    ufield(put, ",v_batt=", f->v_batt_mv);
    ufield(put, ",v_load=", f->v_load_mv);
    field(put, ",current=", f->current_ma);
    ufield(put, ",E_dis=", f->e_dis_mwh);
    ufield(put, ",E_chg=", f->e_chg_mwh);
    field(put, ",charge=", f->charge_mah);
    field(put, ",temp=", f->temp_k);
    ufield(put, ",gain=", f->gain);
    fmt_str(put, ",state=\"" BMS_STATE_PREFIX);
    fmt_str(put, bms_state_suffix(f->state));
    fmt_str(put, "\"" FRAME_EOL);
}
