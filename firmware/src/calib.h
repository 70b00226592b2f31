/*
 * calib.h - the EEPROM calibration block (docs/calibration.md, compat: extend, never change):
 * 20 bytes at EEPROM offset 20, little-endian, magic 0xCA1B, CRC-16/MODBUS over bytes 20..37.
 * Valid = CRC over all 20 bytes is 0 and the magic matches (the version byte is not checked);
 * anything else means identity, so the board reads exactly as without calibration. The
 * firmware only reads the block, never writes it.
 */
#ifndef LTOBMS_CALIB_H
#define LTOBMS_CALIB_H

#include <stdint.h>

#define CALIB_OFFSET   20u
#define CALIB_SIZE     20u
#define CALIB_MAGIC    0xCA1Bu
#define CALIB_GAIN_ONE 32768u   /* Q15 1.0 */

typedef struct {
    uint16_t gain;             /* Q15, unsigned: 32768 = 1.0 */
    int16_t offset;            /* mV; for the current, counts of the differential ADC sum */
} calib_linear_t;

/* The block exactly as it lies in the EEPROM (both the AVR and the host tests are
 * little-endian), so it is read straight into this struct. */
typedef struct {
    uint16_t magic;
    calib_linear_t vbatt;
    calib_linear_t vload;
    calib_linear_t current;
    int16_t temp_offset_cal;   /* K, added after the configuration's temp_offset */
    uint8_t version;
    uint8_t reserved;
    uint16_t crc;
} calib_t;

/* Keeps a valid block as read; turns anything else into identity. Returns 1 if the block was
 * valid. */
uint8_t calib_load(calib_t *cal);

/* round_half_up(mv * gain / 32768) + offset, clamped to 0..65535. */
uint16_t calib_voltage(uint16_t mv, const calib_linear_t *lin);

/* The differential sum with the offset taken off, clamped to -32768..32767. */
int16_t calib_current_acc(int16_t acc, const calib_linear_t *lin);

/* round_half_up(ma * gain / 32768), clamped to -32768..32767. */
int16_t calib_current_ma(int16_t ma, const calib_linear_t *lin);

#endif
