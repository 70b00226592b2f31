/*
 * ina260.h - the board's I2C face: a TI INA260 look-alike at 0x41 (HARDWARE.md, compat).
 *
 * 16-bit registers, big-endian on the wire. A host write transaction is
 *   [addr+W] [pointer] ([MSB] [LSB])      - the register is written when its LSB arrives;
 * a read is
 *   [addr+R] -> [MSB] [LSB]               - of the register the pointer selects.
 * As in the real INA260, the pointer does NOT auto-increment: reading more than two bytes
 * repeats the same register (MSB, LSB, MSB, ...), and the pointer stays until written again.
 *
 * | reg  | content                                                      |
 * | 0x00 | configuration, 0x6127 at reset; writable; writing bit 15 (RST) resets every register |
 * | 0x01 | current, signed, 1.25 mA/LSB (positive = discharging)        |
 * | 0x02 | bus voltage = battery voltage, 1.25 mV/LSB                   |
 * | 0x03 | power = |current| x bus voltage, 10 mW/LSB (unsigned)       |
 * | 0x06 | mask/enable, stored, no action (0 at reset)                  |
 * | 0x07 | alert limit, stored, no action (0 at reset)                  |
 * | 0xFE | manufacturer ID 0x5449 ("TI")                                |
 * | 0xFF | die ID 0x2270                                                |
 * Other pointers read 0x0000; writes to read-only or unknown registers are ignored.
 */
#ifndef LTOBMS_INA260_H
#define LTOBMS_INA260_H

#include <stdint.h>

#define INA260_ADDRESS        0x41u
#define INA260_REG_CONFIG     0x00u
#define INA260_REG_CURRENT    0x01u
#define INA260_REG_BUS        0x02u
#define INA260_REG_POWER      0x03u
#define INA260_REG_MASK       0x06u
#define INA260_REG_ALERT      0x07u
#define INA260_REG_MANUF_ID   0xFEu
#define INA260_REG_DIE_ID     0xFFu
#define INA260_CONFIG_RESET   0x6127u
#define INA260_CONFIG_RST_bm  0x8000u
#define INA260_MANUF_ID       0x5449u
#define INA260_DIE_ID         0x2270u

typedef struct {
    uint16_t reg[8];         /* registers 0x00..0x07, already encoded (0x04, 0x05 stay 0) */
    uint8_t pointer;
    uint8_t index;           /* bytes transferred in the current transaction */
    uint8_t msb;             /* write: MSB waiting for its LSB */
    uint16_t latch;          /* read: the value whose MSB was sent */
} ina260_t;

/* Power-on state: all registers at their reset values, pointer 0. */
void ina260_init(ina260_t *ina);

/* New measurement (from the main loop, with the TWI interrupt masked). */
void ina260_update(ina260_t *ina, int16_t current_ma, uint16_t v_batt_mv);

/* Register value as the host would read it. */
uint16_t ina260_register(const ina260_t *ina, uint8_t reg);

/* Bus events, called from the TWI client interrupt. */
void ina260_start(ina260_t *ina);                      /* address matched (either direction) */
void ina260_receive(ina260_t *ina, uint8_t byte);      /* host wrote a byte */
uint8_t ina260_transmit(ina260_t *ina);                /* host reads a byte */

/* Encoders, exposed for the tests. */
int16_t ina260_current_reg(int16_t current_ma);
uint16_t ina260_bus_reg(uint16_t v_batt_mv);
uint16_t ina260_power_reg(int16_t current_ma, uint16_t v_batt_mv);
/* floor(n / 10000) for any n < 2^32, with multiplies only (the power register's division). */
uint32_t ina260_div10000(uint32_t n);

#endif
