/* frame.c - log-frame text without printf. */
#include "frame.h"
#include "bms.h"

void fmt_str(put_fn put, const char *s)
{
    while (*s) {
        put(*s++);
    }
}

/* Decimal by repeated subtraction of powers of ten: no 32-bit division routine needed. */
static const uint32_t pow10[9] = {
    1000000000UL, 100000000UL, 10000000UL, 1000000UL, 100000UL, 10000UL, 1000UL, 100UL, 10UL,
};

void fmt_u32(put_fn put, uint32_t v)
{
    /* below 10000 (most frame fields) the five leading zeros are not even tried */
    const uint32_t *p = v < 10000u ? &pow10[6] : pow10;
    uint8_t started = 0;
    for (; p != &pow10[9]; p++) {
        uint32_t step = *p;   /* loaded once per digit, not once per subtraction */
        char digit = '0';
        while (v >= step) {
            v -= step;
            digit++;
        }
        if (digit != '0' || started) {
            put(digit);
            started = 1;
        }
    }
    put((char)('0' + v));
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
