/* crc16.c - bitwise CRC-16/MODBUS (no table: 20 bytes once per boot do not need one). */
#include "crc16.h"

uint16_t crc16_update(uint16_t crc, uint8_t byte)
{
    crc ^= byte;
    for (uint8_t bit = 0; bit < 8; bit++) {
        crc = (crc & 1u) ? (uint16_t)((crc >> 1) ^ 0xA001u) : (uint16_t)(crc >> 1);
    }
    return crc;
}

uint16_t crc16(const uint8_t *data, uint8_t len)
{
    uint16_t crc = CRC16_INIT;
    while (len--) {
        crc = crc16_update(crc, *data++);
    }
    return crc;
}
