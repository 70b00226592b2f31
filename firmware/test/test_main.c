/* test_main.c - runs every suite; prints the counts test/firmware/host-logic.test.ts asserts. */
#include "check.h"
#include "chemistry.h"

int main(void)
{
    suite_crc();
    suite_config();
    suite_convert();
    suite_bms();
    suite_accounting();
    suite_frame();
    suite_ina260();
    suite_calib();
    printf("chemistry=%s tests=%u checks=%u failed=%u\n", CHEM_NAME, check_tests, check_count, check_failed);
    return check_failed ? 1 : 0;
}
