/*
 * frame.h - the once-a-minute log line (HARDWARE.md, "Log frames", compat), InfluxDB line
 * protocol without timestamp, ended by "\r\n":
 *
 * lto-bms,id=0007 uptime=60i,v_batt=2512i,v_load=2509i,current=-35i,E_dis=0i,E_chg=1i,charge=-1i,temp=297i,gain=16i,state="BMS_STATE_CHARGING"
 *
 * Written character by character through a callback (no buffer, no printf), so it costs no
 * RAM on the board and the host tests collect it into a string. The number formatters are
 * shared with the debug lines.
 */
#ifndef LTOBMS_FRAME_H
#define LTOBMS_FRAME_H

#include <stdint.h>

#define FRAME_EOL "\r\n"

typedef void (*put_fn)(char c);

typedef struct {
    uint16_t serial_number;
    uint32_t uptime_s;
    uint16_t v_batt_mv;
    uint16_t v_load_mv;
    int16_t current_ma;
    uint32_t e_dis_mwh;
    uint32_t e_chg_mwh;
    int32_t charge_mah;
    int16_t temp_k;
    uint8_t gain;            /* PGA gain 1..16 */
    uint8_t state;           /* bms_state_t */
} frame_t;

/* `measurement` is "lto-bms" or "nai-bms" (CHEM_MEASUREMENT). */
void frame_write(const char *measurement, const frame_t *f, put_fn put);

void fmt_str(put_fn put, const char *s);
void fmt_u32(put_fn put, uint32_t v);
void fmt_i32(put_fn put, int32_t v);
void fmt_hex(put_fn put, uint16_t v, uint8_t digits);   /* upper case, zero-padded */

#endif
