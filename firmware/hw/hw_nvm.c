/* hw_nvm.c - EEPROM through NVMCTRL: the EEPROM is mapped at 0x1400; writing it loads the
 * page buffer, and the ERASE/WRITE PAGE command (CCP SPM key) programs only the loaded bytes. */
#include "attiny824.h"
#include "hw.h"

static void nvm_wait(void)
{
    while (NVMCTRL_STATUS & (NVMCTRL_FBUSY_bm | NVMCTRL_EEBUSY_bm)) {
    }
}

void hw_eeprom_read(uint8_t offset, uint8_t *dst, uint8_t len)
{
    nvm_wait();
    const volatile uint8_t *src = (const volatile uint8_t *)(EEPROM_START + offset);
    while (len--) {
        *dst++ = *src++;
    }
}

void hw_eeprom_write(uint8_t offset, const uint8_t *src, uint8_t len)
{
    volatile uint8_t *dst = (volatile uint8_t *)(EEPROM_START + offset);
    nvm_wait();
    FW_NVM_COMMAND(NVMCTRL_CMD_PAGEBUFCLR_gc);
    nvm_wait();
    while (len--) {
        *dst++ = *src++;
    }
    FW_NVM_COMMAND(NVMCTRL_CMD_PAGEERASEWRITE_gc);
    nvm_wait();
}
