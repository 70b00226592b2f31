/* config.c - load, validate and encode the EEPROM configuration block. */
#include "config.h"
#include "chemistry.h"
#include "crc16.h"

/* The fields after the magic are config_t's members in order, all 16-bit, no padding. */
#define CONFIG_FIELDS 8u
_Static_assert(sizeof(config_t) == 2 * CONFIG_FIELDS, "config_t must be eight packed 16-bit fields");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the image is decoded by a byte copy");

#define LE16(v) (uint8_t)((v) & 0xFFu), (uint8_t)((v) >> 8)

#define DEFAULT_IMAGE { \
    LE16(CONFIG_MAGIC), LE16(0), LE16(0), \
    LE16(CHEM_OVLO_CUTOFF_MV), LE16(CHEM_OVLO_RELEASE_MV), LE16(CHEM_UVLO_RELEASE_MV), \
    LE16(CHEM_UVLO_CUTOFF_MV), LE16(CHEM_MAX_CURRENT_MA), LE16(CHEM_OCLO_TIMEOUT_S), \
    LE16(CHEM_DEFAULTS_CRC), \
}

#ifdef __AVR__
__attribute__((section(".eeprom"), used))
#endif
const uint8_t config_default_image[CONFIG_SIZE] = DEFAULT_IMAGE;

/* The same bytes where the firmware can read them: the .eeprom copy exists only in the build's
 * eeprom file. Copying 20 bytes is far less flash than encoding the defaults at run time. */
#ifdef __AVR__
static const uint8_t default_image_rom[CONFIG_SIZE] = DEFAULT_IMAGE;
#else
#define default_image_rom config_default_image
#endif

void config_defaults(config_t *cfg)
{
    cfg->serial_number = 0;
    cfg->temp_offset = 0;
    cfg->ovlo_cutoff = CHEM_OVLO_CUTOFF_MV;
    cfg->ovlo_release = CHEM_OVLO_RELEASE_MV;
    cfg->uvlo_release = CHEM_UVLO_RELEASE_MV;
    cfg->uvlo_cutoff = CHEM_UVLO_CUTOFF_MV;
    cfg->max_current = CHEM_MAX_CURRENT_MA;
    cfg->oclo_timeout = CHEM_OCLO_TIMEOUT_S;
}

static uint16_t get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | ((uint16_t)p[1] << 8));
}

static void put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

void config_encode(const config_t *cfg, uint8_t image[CONFIG_SIZE])
{
    const uint16_t *field = (const uint16_t *)cfg;
    put_u16(image, CONFIG_MAGIC);
    for (uint8_t i = 0; i < CONFIG_FIELDS; i++) {
        put_u16(image + 2 + 2 * i, field[i]);
    }
    put_u16(image + 18, crc16(image, 18));
}

config_status_t config_load(uint8_t image[CONFIG_SIZE], config_t *cfg)
{
    config_status_t status = CONFIG_OK;
    if (crc16(image, CONFIG_SIZE) != 0) {
        status = CONFIG_BAD_CRC;
    } else if (get_u16(image) != CONFIG_MAGIC) {
        status = CONFIG_BAD_MAGIC;
    }
    if (status != CONFIG_OK) {
        for (uint8_t i = 0; i < CONFIG_SIZE; i++) {
            image[i] = default_image_rom[i];   /* then decoded like any valid block */
        }
    }
    /* the fields lie in the image as in config_t: little-endian like the AVR (and the x86 the
     * host tests run on), so a byte copy decodes them */
    uint8_t *field = (uint8_t *)cfg;
    for (uint8_t i = 0; i < 2 * CONFIG_FIELDS; i++) {
        field[i] = image[2 + i];
    }
    return status;
}
