/* Configuration block: layout, CRC accept/reject, defaults per chemistry (HARDWARE.md table). */
#include "check.h"
#include "config.h"
#include "crc16.h"

/* The default block written out by hand from the HARDWARE.md table (little-endian). */
#if defined(CELL_LTO)
static const uint8_t expected_defaults[18] = {
    0x37, 0x73, 0x00, 0x00, 0x00, 0x00, 0xF0, 0x0A, 0x8C, 0x0A,  /* 2800, 2700 */
    0x08, 0x07, 0xA4, 0x06, 0xE8, 0x03, 0x0A, 0x00,              /* 1800, 1700, 1000, 10 */
};
#else
static const uint8_t expected_defaults[18] = {
    0x37, 0x73, 0x00, 0x00, 0x00, 0x00, 0x3C, 0x0F, 0xD8, 0x0E,  /* 3900, 3800 */
    0x98, 0x08, 0xD0, 0x07, 0xE8, 0x03, 0x0A, 0x00,              /* 2200, 2000, 1000, 10 */
};
#endif

static void with_crc(uint8_t image[CONFIG_SIZE])
{
    uint16_t crc = crc16(image, 18);
    image[18] = (uint8_t)crc;
    image[19] = (uint8_t)(crc >> 8);
}

TEST(defaults_encode_to_the_documented_bytes_with_a_valid_crc)
{
    config_t cfg;
    uint8_t image[CONFIG_SIZE];
    config_defaults(&cfg);
    config_encode(&cfg, image);
    CHECK(memcmp(image, expected_defaults, 18) == 0);
    CHECK_EQ(crc16(image, CONFIG_SIZE), 0);
}

TEST(the_eeprom_section_image_is_the_encoded_defaults)
{
    config_t cfg;
    uint8_t image[CONFIG_SIZE];
    config_defaults(&cfg);
    config_encode(&cfg, image);
    CHECK(memcmp(config_default_image, image, CONFIG_SIZE) == 0);
    CHECK_EQ(crc16(config_default_image, CONFIG_SIZE), 0);
}

TEST(valid_block_loads_every_field)
{
    /* serial 7, temp_offset -3, 2500/2400/1900/1750, 750 mA, 5 s */
    uint8_t image[CONFIG_SIZE] = {
        0x37, 0x73, 0x07, 0x00, 0xFD, 0xFF, 0xC4, 0x09, 0x60, 0x09,
        0x6C, 0x07, 0xD6, 0x06, 0xEE, 0x02, 0x05, 0x00, 0, 0,
    };
    config_t cfg;
    with_crc(image);
    CHECK_EQ(config_load(image, &cfg), CONFIG_OK);
    CHECK_EQ(cfg.serial_number, 7);
    CHECK_EQ(cfg.temp_offset, -3);
    CHECK_EQ(cfg.ovlo_cutoff, 2500);
    CHECK_EQ(cfg.ovlo_release, 2400);
    CHECK_EQ(cfg.uvlo_release, 1900);
    CHECK_EQ(cfg.uvlo_cutoff, 1750);
    CHECK_EQ(cfg.max_current, 750);
    CHECK_EQ(cfg.oclo_timeout, 5);
}

static void check_is_defaults(const config_t *cfg, const uint8_t image[CONFIG_SIZE])
{
    config_t d;
    config_defaults(&d);
    CHECK(memcmp(cfg, &d, sizeof d) == 0);
    CHECK_EQ(cfg->serial_number, 0);
    CHECK(memcmp(image, expected_defaults, 18) == 0);
    CHECK_EQ(crc16(image, CONFIG_SIZE), 0);
}

TEST(any_flipped_bit_is_rejected_and_replaced_by_the_defaults)
{
    uint8_t good[CONFIG_SIZE] = {0x37, 0x73, 0x07, 0x00};
    memcpy(good + 4, expected_defaults + 4, 14);
    with_crc(good);
    for (unsigned bit = 0; bit < CONFIG_SIZE * 8; bit++) {
        uint8_t image[CONFIG_SIZE];
        config_t cfg;
        memcpy(image, good, CONFIG_SIZE);
        image[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        CHECK_EQ(config_load(image, &cfg), CONFIG_BAD_CRC);
        check_is_defaults(&cfg, image);
    }
}

TEST(erased_eeprom_is_rejected)
{
    uint8_t image[CONFIG_SIZE];
    config_t cfg;
    memset(image, 0xFF, sizeof image);
    CHECK_EQ(config_load(image, &cfg), CONFIG_BAD_CRC);
    check_is_defaults(&cfg, image);
    memset(image, 0x00, sizeof image);
    CHECK_EQ(config_load(image, &cfg), CONFIG_BAD_CRC);
}

TEST(wrong_magic_with_a_valid_crc_is_rejected)
{
    uint8_t image[CONFIG_SIZE];
    config_t cfg;
    memcpy(image, expected_defaults, 18);
    image[0] = 0x73;
    image[1] = 0x37;   /* byte-swapped magic */
    with_crc(image);
    CHECK_EQ(config_load(image, &cfg), CONFIG_BAD_MAGIC);
    check_is_defaults(&cfg, image);
}

TEST(encode_then_load_round_trips_extremes)
{
    config_t in = {0xFFFF, -32768, 65535, 0, 1, 65534, 0xABCD, 0};
    config_t out;
    uint8_t image[CONFIG_SIZE];
    config_encode(&in, image);
    CHECK_EQ(image[2], 0xFF);
    CHECK_EQ(image[4], 0x00);
    CHECK_EQ(image[5], 0x80);          /* -32768 little-endian */
    CHECK_EQ(config_load(image, &out), CONFIG_OK);
    CHECK(memcmp(&in, &out, sizeof in) == 0);
}

void suite_config(void)
{
    RUN(defaults_encode_to_the_documented_bytes_with_a_valid_crc);
    RUN(the_eeprom_section_image_is_the_encoded_defaults);
    RUN(valid_block_loads_every_field);
    RUN(any_flipped_bit_is_rejected_and_replaced_by_the_defaults);
    RUN(erased_eeprom_is_rejected);
    RUN(wrong_magic_with_a_valid_crc_is_rejected);
    RUN(encode_then_load_round_trips_extremes);
}
