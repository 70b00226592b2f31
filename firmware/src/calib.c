/* calib.c - validate the calibration block and apply it (integer only; the host mirror is
 * src/eeprom/calibration.ts, both tested against test/calib_vectors.h). Each form here was the
 * smallest of those measured with avr-gcc 5.4 -Os -flto (the release has 4 KB of flash). */
#include "calib.h"
#include "crc16.h"

_Static_assert(sizeof(calib_t) == CALIB_SIZE, "calib_t must be the 20-byte block, unpadded");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the block is read straight into calib_t");

/* t >> 15 (floor, also for negative t), from byte moves: twice the high half plus bit 15. The
 * AVR shifts one bit per instruction, so a plain 32-bit ">> 15" is a loop of ~100 cycles, and
 * these run three times a second on a budget of active cycles (test/sim/board-e2e/sleep). */
#define Q15_FROM(t) ((int32_t)(t >> 16) * 2 + ((uint8_t)((uint16_t)(t) >> 8) >> 7))

uint8_t calib_load(calib_t *cal)
{
    if (crc16((const uint8_t *)cal, CALIB_SIZE) == 0 && cal->magic == CALIB_MAGIC) {
        return 1;
    }
    /* identity: the three gains 0x8000 (high bytes at 3, 7, 11), every offset 0; a byte loop
     * is a third the flash of field stores */
    uint8_t *p = (uint8_t *)cal;
    for (uint8_t i = 2; i < 16; i++) {
        p[i] = (i & 3u) == 3u && i < 15u ? 0x80u : 0u;
    }
    return 0;
}

/* Called twice a second (battery, load): kept out of line, it is half the flash. */
__attribute__((noinline)) uint16_t calib_voltage(uint16_t mv, const calib_linear_t *lin)
{
    /* unsigned: 65535 * 65535 + 16384 < 2^32; the quotient is at most 131068, so it and the
     * offset are added in 32 bits before the clamp */
    uint32_t t = (uint32_t)mv * lin->gain + 16384u;
    int32_t v = (int32_t)Q15_FROM(t) + lin->offset;
    if (v < 0) {
        return 0;
    }
    return v > 0xFFFF ? 0xFFFFu : (uint16_t)v;
}

int16_t calib_current_acc(int16_t acc, const calib_linear_t *lin)
{
    int16_t r;
    if (__builtin_sub_overflow(acc, lin->offset, &r)) {
        r = acc < 0 ? INT16_MIN : INT16_MAX;   /* saturate: the true difference lies beyond */
    }
    return r;
}

int16_t calib_current_ma(int16_t ma, const calib_linear_t *lin)
{
    /* |ma * gain| <= 32768 * 65535 < 2^31 */
    int32_t t = (int32_t)ma * lin->gain + 16384;
    int32_t q = Q15_FROM(t);
    if (q < INT16_MIN) {
        return INT16_MIN;
    }
    return q > INT16_MAX ? INT16_MAX : (int16_t)q;
}
