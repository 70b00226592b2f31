/* CRC-16/MODBUS against its published check value (HARDWARE.md). */
#include "check.h"
#include "crc16.h"

TEST(check_value_of_123456789_is_0x4B37)
{
    CHECK_EQ(crc16((const uint8_t *)"123456789", 9), 0x4B37);
}

TEST(empty_block_is_the_initial_value)
{
    CHECK_EQ(crc16((const uint8_t *)"", 0), 0xFFFF);
}

TEST(block_followed_by_its_crc_little_endian_gives_zero)
{
    uint8_t block[11] = "123456789";
    block[9] = 0x37;
    block[10] = 0x4B;
    CHECK_EQ(crc16(block, 11), 0);
    block[3] ^= 0x01;
    CHECK(crc16(block, 11) != 0);
}

TEST(update_is_bytewise_crc)
{
    uint16_t crc = CRC16_INIT;
    const char *s = "123456789";
    while (*s) {
        crc = crc16_update(crc, (uint8_t)*s++);
    }
    CHECK_EQ(crc, 0x4B37);
}

void suite_crc(void)
{
    RUN(check_value_of_123456789_is_0x4B37);
    RUN(empty_block_is_the_initial_value);
    RUN(block_followed_by_its_crc_little_endian_gives_zero);
    RUN(update_is_bytewise_crc);
}
