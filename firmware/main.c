/*
 * main.c - the BMS firmware: load the configuration, then once a second measure, evaluate
 * the protection state machine, drive the outputs, count charge and energy, refresh the
 * INA260 image, and once a minute (first right after start-up) print a log frame.
 *
 * Build-time switches (set by `ltobms build`):
 *   CELL_LTO / CELL_NAION   chemistry (exactly one)
 *   FW_VERSION              version string literal, e.g. "\"v1.2.0\"" (default "dev")
 *   FW_DEBUG                debug variant: start-up line, EEPROM dump, load result
 *   FW_TEST_HANG_AFTER=N    test only: stop clearing the watchdog after N ticks
 */
#include "attiny824.h"
#include "hw.h"
#include "accounting.h"
#include "bms.h"
#include "calib.h"
#include "chemistry.h"
#include "config.h"
#include "convert.h"
#include "frame.h"

#ifndef FW_VERSION
#define FW_VERSION "dev"
#endif
#define FRAME_PERIOD_S 60u

/* Baked into every image (kept by the linker with --undefined=fw_version). */
const char fw_version[] = "ltobms-fw " FW_VERSION " " CHEM_NAME;

static config_t cfg;
/* EEPROM bytes 0..39 as read at start-up: the configuration image (rewritten with the defaults
 * when invalid) and the calibration block, identity unless the EEPROM holds a valid one */
static struct {
    uint8_t config[CONFIG_SIZE];
    calib_t cal;
} eeprom;
static bms_t bms;
static accounting_t acc;

#ifdef FW_DEBUG
static void debug_startup(const uint8_t image[CONFIG_SIZE], config_status_t status)
{
    static const char *const results[] = {"ok", "bad crc, defaults written", "bad magic, defaults written"};
    fmt_str(hw_put, "# ");
    fmt_str(hw_put, fw_version);
    fmt_str(hw_put, " debug" FRAME_EOL "# eeprom");
    for (uint8_t i = 0; i < CONFIG_SIZE; i++) {
        hw_put(' ');
        fmt_hex(hw_put, image[i], 2);
    }
    fmt_str(hw_put, FRAME_EOL "# config ");
    fmt_str(hw_put, results[status]);
    fmt_str(hw_put, " id=");
    fmt_hex(hw_put, cfg.serial_number, 4);
    fmt_str(hw_put, FRAME_EOL);
}

static void debug_calib(uint8_t valid)
{
    fmt_str(hw_put, valid ? "# calib ok" FRAME_EOL : "# calib none (identity)" FRAME_EOL);
}

#endif

static void load_config(void)
{
    uint8_t *image = eeprom.config;
    _Static_assert(CALIB_OFFSET == CONFIG_SIZE, "the calibration block follows the configuration");
    hw_eeprom_read(0, image, CONFIG_SIZE + CALIB_SIZE);   /* one read for both blocks */
#ifdef FW_DEBUG
    uint8_t before[CONFIG_SIZE];
    for (uint8_t i = 0; i < CONFIG_SIZE; i++) {
        before[i] = image[i];
    }
#endif
    config_status_t status = config_load(image, &cfg);
    if (status != CONFIG_OK) {
        hw_eeprom_write(0, image, CONFIG_SIZE);   /* image now holds the defaults */
    }
#ifdef FW_DEBUG
    debug_startup(before, status);
#endif
    /* the calibration block is only read, never written back: a board without one keeps
     * reading as before */
    uint8_t valid = calib_load(&eeprom.cal);
    if (valid) {
        HW_FLAG_SET(HW_CALIBRATED_bit);
    }
#ifdef FW_DEBUG
    debug_calib(valid);
#endif
}

/* Without a valid calibration block the corrections are the identity (calib_load fills it in),
 * so they are skipped: the same results, without three multiplies and their clamps a second
 * (~200 cycles). One instruction tests the flag (SBIS on GPIOR0). */
static uint8_t calibrated(void)
{
    return (HW_FLAGS & HW_CALIBRATED_bm) != 0;
}

/* A battery or load reading in calibrated mV (docs/calibration.md). Out of line: called twice a
 * second, one copy of the conversion is about 20 B less flash than two. */
__attribute__((noinline)) static uint16_t reading_mv(uint16_t acc, const calib_linear_t *lin)
{
    uint16_t mv = conv_voltage_mv(acc, CHEM_VREF_MV);
    return calibrated() ? calib_voltage(mv, lin) : mv;
}

int main(void)
{
    hw_reading_t r;
    uint8_t gain_shift = CONV_GAIN_SHIFT_MAX;
    uint32_t uptime = 0;
    uint8_t frame_in = 0;    /* seconds until the next frame */
    uint8_t tsense_gain;     /* SIGROW temperature calibration */
    int8_t tsense_offset;

    hw_init();
    fw_sei();   /* from here the UART sends by interrupt (the debug lines at start-up too) */
    load_config();
    tsense_gain = SIGROW_TEMPSENSE0;
    tsense_offset = (int8_t)SIGROW_TEMPSENSE1;
    /* bms_init and accounting_init, less the zeroing: static storage starts zeroed (the
     * start-up code clears .bss, after every reset) */
    bms.state = BMS_STATE_IDLE;

    for (;;) {
        frame_t f;
        bms_input_t in;

        if (!hw_measure(&r, gain_shift)) {
            bms.state = BMS_STATE_ERR;
        }
        /* calibrated before anything looks at a reading (docs/calibration.md); the PGA's
         * auto-gain follows the raw sum, which is what guards the ADC's range */
        in.v_batt_mv = reading_mv(r.batt_acc, &eeprom.cal.vbatt);
        in.v_load_mv = reading_mv(r.load_acc, &eeprom.cal.vload);
        int16_t current_acc = r.current_acc;
        if (calibrated()) {
            current_acc = calib_current_acc(current_acc, &eeprom.cal.current);
        }
        in.current_ma = conv_current_ma(current_acc, CHEM_VREF_MV, r.gain_shift);
        if (calibrated()) {
            in.current_ma = calib_current_ma(in.current_ma, &eeprom.cal.current);
        }
        gain_shift = conv_next_gain_shift(r.current_acc, r.gain_shift);

        hw_set_outputs(bms_evaluate(&bms, &cfg, &in, uptime));
        accounting_add_second(&acc, in.current_ma, in.v_batt_mv);
        hw_i2c_publish(in.current_ma, in.v_batt_mv);

        if (frame_in == 0 || bms_halted(&bms)) {
            frame_in = FRAME_PERIOD_S;
            f.serial_number = cfg.serial_number;
            f.uptime_s = uptime;
            f.v_batt_mv = in.v_batt_mv;
            f.v_load_mv = in.v_load_mv;
            f.current_ma = in.current_ma;
            f.e_dis_mwh = accounting_e_dis_mwh(&acc);
            f.e_chg_mwh = accounting_e_chg_mwh(&acc);
            f.charge_mah = accounting_charge_mah(&acc);
            f.temp_k = conv_temperature_k(r.temp_acc, tsense_gain, tsense_offset,
                                          (int16_t)(cfg.temp_offset + eeprom.cal.temp_offset_cal));
            f.gain = (uint8_t)(1u << r.gain_shift);
            f.state = bms.state;
            frame_write(CHEM_MEASUREMENT, &f, hw_put);
        }
        if (bms_halted(&bms)) {
            hw_halt();
        }

        hw_wait_tick();
        uptime++;
        frame_in--;
#ifdef FW_TEST_HANG_AFTER
        if (uptime > FW_TEST_HANG_AFTER) {
            continue;   /* test only: the watchdog must reset us about 4 s from now */
        }
#endif
        fw_wdr();
    }
}
