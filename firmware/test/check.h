/*
 * check.h - a tiny check harness for the host unit tests of the firmware logic.
 *
 * TEST(name) defines a test function; each suite file has a suite_<x>() that RUNs its tests;
 * test_main.c calls the suites and prints "tests=N checks=M failed=F". A failed check prints
 * file:line, the expression and both values, and the run continues; the exit status is 1 if
 * anything failed.
 */
#ifndef LTOBMS_CHECK_H
#define LTOBMS_CHECK_H

#include <stdio.h>
#include <string.h>

extern unsigned check_tests, check_count, check_failed;

void check_bool(int ok, const char *expr, const char *file, int line);
void check_int(long long actual, long long expected, const char *a, const char *e,
               const char *file, int line);
void check_str(const char *actual, const char *expected, const char *a, const char *file, int line);

#define TEST(name) static void name(void)
#define RUN(name) do { check_tests++; name(); } while (0)
#define CHECK(expr) check_bool(!!(expr), #expr, __FILE__, __LINE__)
#define CHECK_EQ(actual, expected) \
    check_int((long long)(actual), (long long)(expected), #actual, #expected, __FILE__, __LINE__)
#define CHECK_STR(actual, expected) check_str((actual), (expected), #actual, __FILE__, __LINE__)

void suite_crc(void);
void suite_config(void);
void suite_convert(void);
void suite_bms(void);
void suite_accounting(void);
void suite_frame(void);
void suite_ina260(void);
void suite_calib(void);

#endif
