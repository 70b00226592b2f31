/*
 * chemistry.h - compile-time cell chemistry: exactly one of CELL_LTO or CELL_NAION.
 *
 * Defaults of the EEPROM configuration (HARDWARE.md, "EEPROM configuration"), the ADC
 * reference used for voltages and current, and the InfluxDB measurement name of log frames.
 */
#ifndef LTOBMS_CHEMISTRY_H
#define LTOBMS_CHEMISTRY_H

#if defined(CELL_LTO) && defined(CELL_NAION)
#error "define only one of CELL_LTO and CELL_NAION"
#elif defined(CELL_LTO)
#define CHEM_NAME              "LTO"
#define CHEM_MEASUREMENT       "lto-bms"
#define CHEM_VREF_MV           1024u   /* a 2.8 V cell through the 1:3 divider = 0.93 V */
#define CHEM_OVLO_CUTOFF_MV    2800u
#define CHEM_OVLO_RELEASE_MV   2700u
#define CHEM_UVLO_RELEASE_MV   1800u
#define CHEM_UVLO_CUTOFF_MV    1700u
#define CHEM_DEFAULTS_CRC      0x59E4u /* CRC-16/MODBUS of the default block (checked by a host test) */
#elif defined(CELL_NAION)
#define CHEM_NAME              "NAION"
#define CHEM_MEASUREMENT       "nai-bms"
#define CHEM_VREF_MV           2048u   /* a 3.9 V cell would saturate 1.024 V through the divider */
#define CHEM_OVLO_CUTOFF_MV    3900u
#define CHEM_OVLO_RELEASE_MV   3800u
#define CHEM_UVLO_RELEASE_MV   2200u
#define CHEM_UVLO_CUTOFF_MV    2000u
#define CHEM_DEFAULTS_CRC      0x8857u
#else
#error "define CELL_LTO or CELL_NAION"
#endif

#define CHEM_MAX_CURRENT_MA    1000u
#define CHEM_OCLO_TIMEOUT_S    10u

#endif /* LTOBMS_CHEMISTRY_H */
