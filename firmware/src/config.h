/*
 * config.h - the EEPROM configuration block (HARDWARE.md, compat): 20 bytes at EEPROM
 * offset 0, little-endian, magic 0x7337, CRC-16/MODBUS over bytes 0..17 stored at 18..19.
 */
#ifndef LTOBMS_CONFIG_H
#define LTOBMS_CONFIG_H

#include <stdint.h>

#define CONFIG_MAGIC 0x7337u
#define CONFIG_SIZE  20u

typedef struct {
    uint16_t serial_number;
    int16_t temp_offset;     /* K, added to the sensor reading */
    uint16_t ovlo_cutoff;    /* mV */
    uint16_t ovlo_release;   /* mV */
    uint16_t uvlo_release;   /* mV */
    uint16_t uvlo_cutoff;    /* mV */
    uint16_t max_current;    /* mA */
    uint16_t oclo_timeout;   /* s */
} config_t;

typedef enum {
    CONFIG_OK = 0,
    CONFIG_BAD_CRC = 1,      /* CRC over the 20 bytes is not 0 (includes an erased EEPROM) */
    CONFIG_BAD_MAGIC = 2,    /* CRC fine, magic is not 0x7337 */
} config_status_t;

/* The default block, byte for byte (serial 0, CRC included). On the AVR it is placed in the
 * .eeprom section, which `ltobms build` extracts as eeprom-<CHEM>-<VER>.{bin,hex}; the firmware
 * reads an identical copy kept in flash (config.c). */
extern const uint8_t config_default_image[CONFIG_SIZE];

/* The compiled-in defaults of this build's chemistry, serial number 0. */
void config_defaults(config_t *cfg);

/* Validates `image` and decodes it into cfg. On failure `image` is first replaced by the
 * default image, so cfg gets the defaults (the caller writes `image` back to the EEPROM). */
config_status_t config_load(uint8_t image[CONFIG_SIZE], config_t *cfg);

/* Encodes cfg with magic and CRC (the host tests check the default image against it; the
 * firmware itself has no use for it, and the linker drops it). */
void config_encode(const config_t *cfg, uint8_t image[CONFIG_SIZE]);

#endif
