/*
 * attiny824.h - register definitions for the ATtiny824 (tinyAVR 2-series, AVRxt core).
 *
 * Debian's avr-libc 2.0 has no header for this part, so the firmware carries its own.
 * Only what the ltobms firmware (and small test programs) use is defined; every address
 * and bit value comes from the datasheet facts in ATTINY824_FACTS.md (sections 1 and 2).
 *
 * Style: each register is an lvalue `NAME` = *(volatile uintN_t *)ADDRESS, with its
 * absolute data-space address as `NAME_ADDR` (needed by FW_PROTECTED_WRITE, which takes
 * an address constant). 16-bit registers are accessed low byte first, which is what
 * avr-gcc emits for the xmega-style cores (avrxmega3) and what the TEMP-register
 * mechanism of the ADC, USART and RTC expects.
 *
 * Interrupts: FW_ISR(n) defines the handler of vector n (table in section "Vectors"),
 * e.g. FW_ISR(RTC_PIT_vect_num) { RTC_PITINTFLAGS = RTC_PI_bm; }. See README.md here.
 *
 * This header is also compiled on the host (by the unit tests) only through the logic
 * modules, which never include it.
 */
#ifndef LTOBMS_ATTINY824_H
#define LTOBMS_ATTINY824_H

#include <stdint.h>

#define FW_REG8(addr)  (*(volatile uint8_t *)(addr))
#define FW_REG16(addr) (*(volatile uint16_t *)(addr))

/* ---------------------------------------------------------------- memory map */
#define FLASH_SIZE          8192u
#define FLASH_PAGE_SIZE     64u
#define MAPPED_PROGMEM_START 0x8000u   /* flash seen in data space (LD/ST) */
#define RAMSTART            0x3C00u
#define RAMEND              0x3FFFu
#define RAM_SIZE            1024u
#define EEPROM_START        0x1400u    /* EEPROM mapped into data space */
#define EEPROM_SIZE         128u
#define EEPROM_PAGE_SIZE    32u
#define SIGROW_START        0x1100u
#define USERROW_START       0x1300u

/* ---------------------------------------------------------------- vectors (2 bytes each, RJMP) */
#define FW_VECTOR_COUNT          30
#define RESET_vect_num           0
#define CRCSCAN_NMI_vect_num     1
#define BOD_VLM_vect_num         2
#define RTC_CNT_vect_num         3
#define RTC_PIT_vect_num         4
#define CCL_CCL_vect_num         5
#define PORTA_PORT_vect_num      6
#define PORTB_PORT_vect_num      7
#define TCA0_OVF_vect_num        8
#define TCA0_HUNF_vect_num       9
#define TCA0_CMP0_vect_num       10
#define TCA0_CMP1_vect_num       11
#define TCA0_CMP2_vect_num       12
#define TCB0_INT_vect_num        13
#define TWI0_TWIS_vect_num       14
#define TWI0_TWIM_vect_num       15
#define SPI0_INT_vect_num        16
#define USART0_RXC_vect_num      17
#define USART0_DRE_vect_num      18
#define USART0_TXC_vect_num      19
#define AC0_AC_vect_num          20
#define ADC0_ERROR_vect_num      21
#define ADC0_RESRDY_vect_num     22
#define ADC0_SAMPRDY_vect_num    23
#define PORTC_PORT_vect_num      24
#define TCB1_INT_vect_num        25
#define USART1_RXC_vect_num      26
#define USART1_DRE_vect_num      27
#define USART1_TXC_vect_num      28
#define NVMCTRL_EE_vect_num      29

/*
 * FW_ISR(n): define the interrupt handler for vector number n (a literal or one of the
 * *_vect_num macros). The start-up file's table entry n jumps to the weak symbol
 * __vector_n; defining it here overrides the default handler (which jumps to reset).
 */
#define FW_ISR_NAME_(n) __vector_##n
#define FW_ISR_(n) \
    void FW_ISR_NAME_(n)(void) __attribute__((signal, used, externally_visible)); \
    void FW_ISR_NAME_(n)(void)
#define FW_ISR(n) FW_ISR_(n)
/* FW_ISR_NAKED(n): a handler without the compiler's prologue/epilogue (gcc 5 saves r0, r1 and
 * SREG even when unused): its body is inline assembly that saves what it uses and ends in RETI. */
#define FW_ISR_NAKED_(n) \
    void FW_ISR_NAME_(n)(void) __attribute__((signal, naked, used, externally_visible)); \
    void FW_ISR_NAME_(n)(void)
#define FW_ISR_NAKED(n) FW_ISR_NAKED_(n)

/* ---------------------------------------------------------------- CPU (0x0034..0x003F) */
#define CPU_CCP_ADDR   0x0034u
#define CPU_CCP        FW_REG8(0x0034)
#define CPU_SPL        FW_REG8(0x003D)
#define CPU_SPH        FW_REG8(0x003E)
#define CPU_SREG       FW_REG8(0x003F)
#define CCP_IOREG_gc   0xD8u   /* unlock protected I/O registers for 4 instructions */
#define CCP_SPM_gc     0x9Du   /* unlock NVMCTRL.CTRLA (self-programming) */
#define SREG_I_bm      0x80u

/*
 * FW_PROTECTED_WRITE(addr, value): configuration-change-protected write of `value` to
 * the I/O register at data address `addr` (e.g. CLKCTRL_MCLKCTRLB_ADDR). The CCP key and
 * the store are two consecutive instructions (OUT then STS), well inside the
 * 4-instruction window, whatever the optimisation level.
 */
#define FW_CCP_WRITE_(key, addr, value) \
    __asm__ __volatile__("out %[ccp], %[k]\n\tsts %[reg], %[v]" \
        : : [ccp] "I" (CPU_CCP_ADDR), [k] "d" ((uint8_t)(key)), \
            [reg] "n" ((uint16_t)(addr)), [v] "r" ((uint8_t)(value)) : "memory")
#define FW_PROTECTED_WRITE(addr, value) FW_CCP_WRITE_(CCP_IOREG_gc, addr, value)
/* Same, with the SPM key: the only way the CPU can issue an NVMCTRL command. */
#define FW_NVM_COMMAND(cmd) FW_CCP_WRITE_(CCP_SPM_gc, NVMCTRL_CTRLA_ADDR, cmd)

#define fw_sei()   __asm__ __volatile__("sei" ::: "memory")
#define fw_cli()   __asm__ __volatile__("cli" ::: "memory")
#define fw_sleep() __asm__ __volatile__("sleep" ::: "memory")
#define fw_wdr()   __asm__ __volatile__("wdr" ::: "memory")
#define fw_nop()   __asm__ __volatile__("nop")

/* ---------------------------------------------------------------- VPORTs (single-cycle I/O) */
#define VPORTA_DIR      FW_REG8(0x0000)
#define VPORTA_OUT      FW_REG8(0x0001)
#define VPORTA_IN       FW_REG8(0x0002)
#define VPORTA_INTFLAGS FW_REG8(0x0003)
#define VPORTB_DIR      FW_REG8(0x0004)
#define VPORTB_OUT      FW_REG8(0x0005)
#define VPORTB_IN       FW_REG8(0x0006)
#define VPORTB_INTFLAGS FW_REG8(0x0007)
#define GPIOR0          FW_REG8(0x001C)
#define GPIOR1          FW_REG8(0x001D)
#define GPIOR2          FW_REG8(0x001E)
#define GPIOR3          FW_REG8(0x001F)

/* ---------------------------------------------------------------- RSTCTRL (0x0040) */
#define RSTCTRL_RSTFR   FW_REG8(0x0040)
#define RSTCTRL_SWRR    FW_REG8(0x0041)
#define RSTCTRL_SWRR_ADDR 0x0041u
#define RSTCTRL_PORF_bm  0x01u
#define RSTCTRL_BORF_bm  0x02u
#define RSTCTRL_EXTRF_bm 0x04u
#define RSTCTRL_WDRF_bm  0x08u
#define RSTCTRL_SWRF_bm  0x10u
#define RSTCTRL_UPDIRF_bm 0x20u
#define RSTCTRL_SWRST_bm 0x01u

/* ---------------------------------------------------------------- SLPCTRL (0x0050) */
#define SLPCTRL_CTRLA   FW_REG8(0x0050)
#define SLPCTRL_SEN_bm          0x01u
#define SLPCTRL_SMODE_IDLE_gc   0x00u
#define SLPCTRL_SMODE_STDBY_gc  0x02u
#define SLPCTRL_SMODE_PDOWN_gc  0x04u

/* ---------------------------------------------------------------- CLKCTRL (0x0060) */
#define CLKCTRL_MCLKCTRLA      FW_REG8(0x0060)
#define CLKCTRL_MCLKCTRLB      FW_REG8(0x0061)
#define CLKCTRL_MCLKCTRLB_ADDR 0x0061u
#define CLKCTRL_MCLKLOCK       FW_REG8(0x0062)
#define CLKCTRL_MCLKSTATUS     FW_REG8(0x0063)
#define CLKCTRL_PEN_bm         0x01u
#define CLKCTRL_PDIV_2X_gc     0x00u
#define CLKCTRL_PDIV_4X_gc     0x02u
#define CLKCTRL_PDIV_8X_gc     0x04u
#define CLKCTRL_PDIV_16X_gc    0x06u
#define CLKCTRL_PDIV_32X_gc    0x08u
#define CLKCTRL_PDIV_64X_gc    0x0Au
#define CLKCTRL_PDIV_6X_gc     0x10u

/* ---------------------------------------------------------------- VREF (0x00A0) */
#define VREF_CTRLA      FW_REG8(0x00A0)

/* ---------------------------------------------------------------- WDT (0x0100) */
#define WDT_CTRLA       FW_REG8(0x0100)
#define WDT_CTRLA_ADDR  0x0100u
#define WDT_STATUS      FW_REG8(0x0101)
#define WDT_SYNCBUSY_bm 0x01u
#define WDT_LOCK_bm     0x80u

/* ---------------------------------------------------------------- RTC (0x0140) */
#define RTC_CTRLA       FW_REG8(0x0140)
#define RTC_STATUS      FW_REG8(0x0141)
#define RTC_INTCTRL     FW_REG8(0x0142)
#define RTC_INTFLAGS    FW_REG8(0x0143)
#define RTC_CLKSEL      FW_REG8(0x0147)
#define RTC_CNT         FW_REG16(0x0148)
#define RTC_PER         FW_REG16(0x014A)
#define RTC_CMP         FW_REG16(0x014C)
#define RTC_PITCTRLA    FW_REG8(0x0150)
#define RTC_PITSTATUS   FW_REG8(0x0151)
#define RTC_PITINTCTRL  FW_REG8(0x0152)
#define RTC_PITINTFLAGS FW_REG8(0x0153)
#define RTC_RTCEN_bm           0x01u
#define RTC_RUNSTDBY_bm        0x80u
#define RTC_OVF_bm             0x01u
#define RTC_CMP_bm             0x02u
#define RTC_CLKSEL_INT32K_gc   0x00u
#define RTC_CLKSEL_INT1K_gc    0x01u
#define RTC_PITEN_bm           0x01u
#define RTC_PERIOD_CYC1024_gc  0x48u
#define RTC_PERIOD_CYC512_gc   0x40u
#define RTC_PERIOD_CYC32_gc    0x20u
#define RTC_PITCTRLBUSY_bm     0x01u
#define RTC_PI_bm              0x01u

/* ---------------------------------------------------------------- PORTA / PORTB (0x0400 / 0x0420) */
#define PORTA_DIR       FW_REG8(0x0400)
#define PORTA_DIRSET    FW_REG8(0x0401)
#define PORTA_DIRCLR    FW_REG8(0x0402)
#define PORTA_OUT       FW_REG8(0x0404)
#define PORTA_OUTSET    FW_REG8(0x0405)
#define PORTA_OUTCLR    FW_REG8(0x0406)
#define PORTA_IN        FW_REG8(0x0408)
#define PORTA_PINCTRL(n) FW_REG8(0x0410 + (n))
#define PORTB_DIR       FW_REG8(0x0420)
#define PORTB_DIRSET    FW_REG8(0x0421)
#define PORTB_DIRCLR    FW_REG8(0x0422)
#define PORTB_OUT       FW_REG8(0x0424)
#define PORTB_OUTSET    FW_REG8(0x0425)
#define PORTB_OUTCLR    FW_REG8(0x0426)
#define PORTB_IN        FW_REG8(0x0428)
#define PORTB_PINCTRL(n) FW_REG8(0x0430 + (n))
#define PORT_ISC_INPUT_DISABLE_gc 0x04u
#define PORT_PULLUPEN_bm          0x08u
#define PIN0_bm 0x01u
#define PIN1_bm 0x02u
#define PIN2_bm 0x04u
#define PIN3_bm 0x08u
#define PIN4_bm 0x10u
#define PIN5_bm 0x20u
#define PIN6_bm 0x40u
#define PIN7_bm 0x80u

/* ---------------------------------------------------------------- ADC0 (0x0600), 2-series with PGA */
#define ADC0_CTRLA      FW_REG8(0x0600)
#define ADC0_CTRLB      FW_REG8(0x0601)
#define ADC0_CTRLC      FW_REG8(0x0602)
#define ADC0_CTRLD      FW_REG8(0x0603)
#define ADC0_INTCTRL    FW_REG8(0x0604)
#define ADC0_INTFLAGS   FW_REG8(0x0605)
#define ADC0_STATUS     FW_REG8(0x0606)
#define ADC0_CTRLE      FW_REG8(0x0608)
#define ADC0_CTRLF      FW_REG8(0x0609)
#define ADC0_COMMAND    FW_REG8(0x060A)
#define ADC0_PGACTRL    FW_REG8(0x060B)
#define ADC0_MUXPOS     FW_REG8(0x060C)
#define ADC0_MUXNEG     FW_REG8(0x060D)
#define ADC0_RESULT0    FW_REG8(0x0610)
#define ADC0_RESULT1    FW_REG8(0x0611)
#define ADC0_RESULT2    FW_REG8(0x0612)
#define ADC0_RESULT3    FW_REG8(0x0613)
#define ADC0_RESULT16   FW_REG16(0x0610)   /* low 16 bits of RESULT (low byte read first) */
#define ADC0_SAMPLE     FW_REG16(0x0614)
#define ADC_ENABLE_bm          0x01u
#define ADC_LOWLAT_bm          0x20u
#define ADC_RUNSTDBY_bm        0x80u
#define ADC_PRESC_DIV2_gc      0x00u
#define ADC_PRESC_DIV4_gc      0x01u
#define ADC_REFSEL_VDD_gc      0x00u
#define ADC_REFSEL_1024MV_gc   0x04u
#define ADC_REFSEL_2048MV_gc   0x05u
#define ADC_TIMEBASE_gp        3
#define ADC_RESRDY_bm          0x01u
#define ADC_SAMPRDY_bm         0x02u
#define ADC_ADCBUSY_bm         0x01u
#define ADC_SAMPNUM_NONE_gc    0x00u
#define ADC_SAMPNUM_ACC16_gc   0x04u
#define ADC_START_IMMEDIATE_gc 0x01u
#define ADC_SAMPDUR_gm         0xFFu
#define ADC_MODE_SINGLE_12BIT_gc 0x10u
#define ADC_MODE_BURST_gc      0x40u
#define ADC_DIFF_bm            0x80u
#define ADC_PGAEN_bm           0x01u
#define ADC_ADCPGASAMPDUR_15CLK_gc 0x02u
#define ADC_PGABIASSEL_1X_gc   0x00u
#define ADC_GAIN_gp            5         /* GAIN[7:5]: 1X 0, 2X 1, 4X 2, 8X 3, 16X 4 */
#define ADC_VIA_ADC_gc         0x00u
#define ADC_VIA_PGA_gc         0x40u
#define ADC_MUXPOS_TEMPSENSE_gc 0x32u
#define ADC_MUXNEG_GND_gc      0x30u

/* ---------------------------------------------------------------- USART0 (0x0800) */
#define USART0_RXDATAL  FW_REG8(0x0800)
#define USART0_RXDATAH  FW_REG8(0x0801)
#define USART0_TXDATAL  FW_REG8(0x0802)
#define USART0_TXDATAH  FW_REG8(0x0803)
#define USART0_STATUS   FW_REG8(0x0804)
#define USART0_CTRLA    FW_REG8(0x0805)
#define USART0_CTRLB    FW_REG8(0x0806)
#define USART0_CTRLC    FW_REG8(0x0807)
#define USART0_BAUD     FW_REG16(0x0808)
#define USART_DREIF_bm  0x20u
#define USART_TXCIF_bm  0x40u
#define USART_RXCIF_bm  0x80u
#define USART_DREIE_bm  0x20u   /* CTRLA: data register empty interrupt */
#define USART_TXCIE_bm  0x40u   /* CTRLA: transmit complete interrupt */
#define USART_TXEN_bm   0x40u
#define USART_RXEN_bm   0x80u
#define USART_CHSIZE_8BIT_gc 0x03u   /* with CMODE async, PMODE none, 1 stop = 8N1 */

/* ---------------------------------------------------------------- TWI0 (0x08A0), client side */
#define TWI0_CTRLA      FW_REG8(0x08A0)
#define TWI0_SCTRLA     FW_REG8(0x08A9)
#define TWI0_SCTRLB     FW_REG8(0x08AA)
#define TWI0_SSTATUS    FW_REG8(0x08AB)
#define TWI0_SADDR      FW_REG8(0x08AC)
#define TWI0_SDATA      FW_REG8(0x08AD)
#define TWI0_SADDRMASK  FW_REG8(0x08AE)
#define TWI_ENABLE_bm   0x01u
#define TWI_SMEN_bm     0x02u
#define TWI_PMEN_bm     0x04u
#define TWI_PIEN_bm     0x20u
#define TWI_APIEN_bm    0x40u
#define TWI_DIEN_bm     0x80u
#define TWI_SCMD_NOACT_gc     0x00u
#define TWI_SCMD_COMPTRANS_gc 0x02u
#define TWI_SCMD_RESPONSE_gc  0x03u
#define TWI_ACKACT_ACK_gc     0x00u
#define TWI_ACKACT_NACK_gc    0x04u
#define TWI_AP_bm       0x01u   /* with APIF: 1 = address match, 0 = stop */
#define TWI_DIR_bm      0x02u   /* 1 = host reads */
#define TWI_BUSERR_bm   0x04u
#define TWI_COLL_bm     0x08u
#define TWI_RXACK_bm    0x10u   /* 1 = host sent NACK */
#define TWI_CLKHOLD_bm  0x20u
#define TWI_APIF_bm     0x40u
#define TWI_DIF_bm      0x80u

/* ---------------------------------------------------------------- NVMCTRL (0x1000) */
#define NVMCTRL_CTRLA_ADDR 0x1000u
#define NVMCTRL_CTRLA   FW_REG8(0x1000)
#define NVMCTRL_CTRLB   FW_REG8(0x1001)
#define NVMCTRL_STATUS  FW_REG8(0x1002)
#define NVMCTRL_FBUSY_bm   0x01u
#define NVMCTRL_EEBUSY_bm  0x02u
#define NVMCTRL_WRERROR_bm 0x04u
#define NVMCTRL_CMD_NONE_gc          0x00u
#define NVMCTRL_CMD_PAGEWRITE_gc     0x01u
#define NVMCTRL_CMD_PAGEERASE_gc     0x02u
#define NVMCTRL_CMD_PAGEERASEWRITE_gc 0x03u
#define NVMCTRL_CMD_PAGEBUFCLR_gc    0x04u

/* ---------------------------------------------------------------- SIGROW (0x1100) */
#define SIGROW_DEVICEID0  FW_REG8(0x1100)
#define SIGROW_DEVICEID1  FW_REG8(0x1101)
#define SIGROW_DEVICEID2  FW_REG8(0x1102)
#define SIGROW_SERNUM(n)  FW_REG8(0x1103 + (n))
#define SIGROW_TEMPSENSE0 FW_REG8(0x1120)   /* gain/slope, unsigned */
#define SIGROW_TEMPSENSE1 FW_REG8(0x1121)   /* offset, signed */

#endif /* LTOBMS_ATTINY824_H */
