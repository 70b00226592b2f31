/* check.c - the check harness (see check.h). */
#include "check.h"

unsigned check_tests, check_count, check_failed;

void check_bool(int ok, const char *expr, const char *file, int line)
{
    check_count++;
    if (!ok) {
        check_failed++;
        fprintf(stderr, "%s:%d: CHECK(%s) failed\n", file, line, expr);
    }
}

void check_int(long long actual, long long expected, const char *a, const char *e,
               const char *file, int line)
{
    check_count++;
    if (actual != expected) {
        check_failed++;
        fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", file, line, a, actual, e, expected);
    }
}

void check_str(const char *actual, const char *expected, const char *a, const char *file, int line)
{
    check_count++;
    if (strcmp(actual, expected) != 0) {
        check_failed++;
        fprintf(stderr, "%s:%d: %s is\n  \"%s\"\nexpected\n  \"%s\"\n", file, line, a, actual, expected);
    }
}
