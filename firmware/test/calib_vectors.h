/*
 * calib_vectors.h - the calibration arithmetic's test vectors, shared by the firmware's host
 * tests (test_calib.c) and the TypeScript mirror's (test/eeprom/calibration.test.ts, which parses
 * this file): both sides must give these results bit for bit. Expected values worked out from
 * the formulas in docs/calibration.md, not from either implementation:
 *   voltage  round_half_up(mv * gain / 32768) + offset, clamped to 0..65535
 *   current  round_half_up(ma * gain / 32768) (toward +infinity at .5), clamped to -32768..32767
 *   offset   acc - current_offset, clamped to -32768..32767
 * Keep one vector per line in the { ... } form: the TypeScript test reads them with a regex.
 */
#ifndef LTOBMS_CALIB_VECTORS_H
#define LTOBMS_CALIB_VECTORS_H

#include <stdint.h>

typedef struct { uint16_t mv; uint16_t gain; int16_t offset; uint16_t expect; } calib_voltage_vector_t;
typedef struct { int16_t ma; uint16_t gain; int16_t expect; } calib_current_vector_t;
typedef struct { int16_t acc; int16_t offset; int16_t expect; } calib_offset_vector_t;

static const calib_voltage_vector_t CALIB_VOLTAGE_VECTORS[] = {
    /* VOLTAGE mv, gain, offset, expect */
    { 0, 32768, 0, 0 },            /* identity at zero */
    { 65535, 32768, 0, 65535 },    /* identity at full scale */
    { 65535, 65535, 0, 65535 },    /* 131068 before the clamp: the product needs all 32 bits */
    { 65535, 32767, 0, 65533 },    /* 65533.0000153 */
    { 65534, 32769, 0, 65535 },    /* exactly 65536: clamped */
    { 65535, 32768, 1, 65535 },    /* offset past the top: clamped */
    { 2512, 33096, 0, 2537 },      /* +1.0 %: 2537.14 */
    { 2512, 32440, -12, 2475 },    /* -1.0 % and -12 mV: 2486.86 -> 2487 - 12 */
    { 3071, 33423, -7, 3125 },     /* LTO full scale, +2 %: 3132.35 -> 3132 - 7 */
    { 6143, 32112, 25, 6045 },     /* Na-ion full scale, -2 %: 6020.0 + 25 */
    { 10, 32768, -20, 0 },         /* below zero: clamped */
    { 1700, 0, 5, 5 },             /* gain 0: only the offset is left */
    { 1, 16384, 0, 1 },            /* 0.5 rounds up */
    { 1, 16383, 0, 0 },            /* 0.49998 rounds down */
    { 65535, 0, 32767, 32767 },    /* largest offset */
    { 0, 65535, -32768, 0 },       /* smallest offset */
};

static const calib_current_vector_t CALIB_CURRENT_VECTORS[] = {
    /* CURRENT ma, gain, expect */
    { 0, 65535, 0 },
    { -1000, 32768, -1000 },       /* identity, charging */
    { -32768, 65535, -32768 },     /* -65534.5: clamped */
    { 32767, 65535, 32767 },       /* 65533: clamped */
    { -3, 16384, -1 },             /* -1.5 rounds toward +infinity */
    { 3, 16384, 2 },               /* 1.5 rounds up */
    { -1, 16384, 0 },              /* -0.5 rounds to 0 */
    { 20480, 33096, 20685 },       /* Na-ion full scale at gain 1, +1 %: exactly 20685 */
    { -35, 31130, -33 },           /* -33.25 */
    { -20480, 32768, -20480 },     /* identity at Na-ion negative full scale */
    { 10240, 65535, 20480 },       /* 20479.69 */
    { -10240, 65535, -20480 },     /* -20479.69 */
    { 1, 32767, 1 },               /* 0.99997 */
    { -1, 32767, -1 },             /* -0.99997 */
};

static const calib_offset_vector_t CALIB_OFFSET_VECTORS[] = {
    /* OFFSET acc, offset, expect */
    { 0, 0, 0 },
    { 100, 40, 60 },
    { -100, 40, -140 },
    { 40, 100, -60 },              /* crosses zero: a small charge current appears */
    { -32768, 1, -32768 },         /* clamped at the bottom */
    { 32752, -100, 32767 },        /* clamped at the top */
    { -32768, -1, -32767 },
    { 32767, 32767, 0 },
    { -32768, -32768, 0 },
    { 32767, -32768, 32767 },      /* 65535: clamped */
    { -32768, 32767, -32768 },     /* -65535: clamped */
};

#endif
