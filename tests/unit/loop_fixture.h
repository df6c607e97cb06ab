/* The cmocka fixture of the unit tests that run a loop: every test gets a fresh loop in
 * *state and must end with one that closes cleanly, so a test that leaks a handle, a timer or
 * a queued callback fails in its teardown. Include after test_main.h. */
#ifndef NH_TEST_LOOP_FIXTURE_H
#define NH_TEST_LOOP_FIXTURE_H

#include "loop.h"

static inline int nh_test_loop_setup(void **state) {
  static nh_loop_t loop;
  assert_int_equal(nh_loop_init(&loop), 0);
  *state = &loop;
  return 0;
}

static inline int nh_test_loop_teardown(void **state) {
  assert_int_equal(nh_loop_close(*state), 0);
  return 0;
}

/* A test with a fresh loop of its own (see above). */
#define NH_LOOP_TEST(fn) \
  cmocka_unit_test_setup_teardown(fn, nh_test_loop_setup, nh_test_loop_teardown)

#endif
