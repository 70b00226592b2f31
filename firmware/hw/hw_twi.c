/* hw_twi.c - TWI0 client at 0x41 serving the INA260 register image (../src/ina260.c). */
#include "attiny824.h"
#include "hw.h"
#include "ina260.h"

static ina260_t ina;
static uint8_t sent;      /* bytes sent in the current host-read transaction */

void hw_twi_init(void)
{
    /* ina260_init less its zeroing: static storage starts zeroed (the start-up code clears
     * .bss after every reset), so only the configuration register's reset value is set */
    ina.reg[INA260_REG_CONFIG] = INA260_CONFIG_RESET;
    TWI0_SADDR = (uint8_t)(INA260_ADDRESS << 1);
    TWI0_SCTRLA = TWI_DIEN_bm | TWI_APIEN_bm | TWI_PIEN_bm | TWI_ENABLE_bm;
}

void hw_i2c_publish(int16_t current_ma, uint16_t v_batt_mv)
{
    uint8_t sreg = CPU_SREG;
    fw_cli();
    ina260_update(&ina, current_ma, v_batt_mv);
    CPU_SREG = sreg;
}

FW_ISR(TWI0_TWIS_vect_num)
{
    uint8_t status = TWI0_SSTATUS;

    if (status & (TWI_COLL_bm | TWI_BUSERR_bm)) {
        TWI0_SSTATUS = TWI_COLL_bm | TWI_BUSERR_bm;
        TWI0_SCTRLB = TWI_SCMD_NOACT_gc;
        return;
    }
    if (status & TWI_APIF_bm) {
        if (status & TWI_AP_bm) {           /* our address: acknowledge */
            ina260_start(&ina);
            sent = 0;
            TWI0_SCTRLB = TWI_ACKACT_ACK_gc | TWI_SCMD_RESPONSE_gc;
        } else {                            /* stop condition */
            TWI0_SCTRLB = TWI_SCMD_COMPTRANS_gc;
        }
        return;
    }
    if (status & TWI_DIF_bm) {
        if (status & TWI_DIR_bm) {          /* host reads */
            if (sent && (status & TWI_RXACK_bm)) {
                TWI0_SCTRLB = TWI_SCMD_COMPTRANS_gc;   /* host NACKed the last byte: done */
            } else {
                TWI0_SDATA = ina260_transmit(&ina);
                sent = 1;
                TWI0_SCTRLB = TWI_SCMD_RESPONSE_gc;
            }
        } else {                            /* host writes */
            ina260_receive(&ina, TWI0_SDATA);
            TWI0_SCTRLB = TWI_ACKACT_ACK_gc | TWI_SCMD_RESPONSE_gc;
        }
    }
}
