/* tests: what every cmocka test program starts with. The cmocka headers in the order
 * cmocka needs them, and the main() that runs a file's tests, so that a test file lists
 * its tests and nothing else. */
#ifndef NH_TEST_MAIN_H
#define NH_TEST_MAIN_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

/* A test run between the file's own static setup() and teardown(). */
#define NH_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* Defines main(): runs the tests given (CMUnitTest entries), in order, with group_setup and
 * group_teardown around all of them (NULL for none). The exit status is the number of
 * failed tests, as cmocka_run_group_tests returns it. */
#define NH_TEST_MAIN(group_setup, group_teardown, ...)                 \
  int main(void) {                                                     \
    const struct CMUnitTest tests[] = {__VA_ARGS__};                   \
    return cmocka_run_group_tests(tests, group_setup, group_teardown); \
  }

#endif
