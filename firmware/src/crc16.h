/*
 * crc16.h - CRC-16/MODBUS: reflected polynomial 0xA001, initial value 0xFFFF, no final XOR.
 * Check value for "123456789" is 0x4B37; over a block followed by its CRC (little-endian)
 * the result is 0.
 */
#ifndef LTOBMS_CRC16_H
#define LTOBMS_CRC16_H

#include <stdint.h>

#define CRC16_INIT 0xFFFFu

uint16_t crc16_update(uint16_t crc, uint8_t byte);
uint16_t crc16(const uint8_t *data, uint8_t len);

#endif
