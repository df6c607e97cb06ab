/* Unit tests for core/timer: restart moves a timer, stop inside a callback, timers started
 * from callbacks, zero timeouts, stop of a stopped timer, and the count per loop. */
#include "test_main.h"

#include "loop.h"
#include "loop_fixture.h"
#include "timer.h"

typedef struct {
  nh_timer_t timer; /* first: the callback gets &timer */
  int fired;
  int order;
  nh_timer_t *other; /* stop_other_cb stops it; chain_cb starts it */
} tm_t;

static int seq;

static void count_cb(nh_timer_t *t) {
  tm_t *m = (tm_t *)t;
  m->fired++;
  m->order = ++seq;
}

static void test_restart_moves_the_deadline(void **state) {
  nh_loop_t *loop = *state;
  tm_t a = {0}, b = {0};
  seq = 0;
  nh_timer_init(loop, &a.timer);
  nh_timer_init(loop, &b.timer);
  assert_false(nh_timer_is_active(&a.timer));
  assert_int_equal(nh_timer_start(&a.timer, count_cb, 1), 0);
  assert_int_equal(nh_timer_start(&b.timer, count_cb, 20), 0);
  /* Restarting a pending timer re-arms it; it does not add a second entry. */
  assert_int_equal(nh_timer_start(&a.timer, count_cb, 40), 0);
  assert_int_equal(nh_timer_count(loop), 2);
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(a.fired, 1);
  assert_int_equal(b.fired, 1);
  assert_int_equal(b.order, 1);
  assert_int_equal(a.order, 2);
  assert_false(nh_timer_is_active(&a.timer));
}

static void stop_other_cb(nh_timer_t *t) {
  tm_t *m = (tm_t *)t;
  m->fired++;
  nh_timer_stop(m->other);
}

/* Two timers due at the same time: the first stops the second, which then never fires. */
static void test_stop_from_a_callback(void **state) {
  nh_loop_t *loop = *state;
  tm_t a = {0}, b = {0};
  nh_timer_init(loop, &a.timer);
  nh_timer_init(loop, &b.timer);
  a.other = &b.timer;
  assert_int_equal(nh_timer_start(&a.timer, stop_other_cb, 5), 0);
  assert_int_equal(nh_timer_start(&b.timer, count_cb, 5), 0);
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(a.fired, 1);
  assert_int_equal(b.fired, 0);
  assert_int_equal(nh_timer_count(loop), 0);
}

static void chain_cb(nh_timer_t *t) {
  tm_t *m = (tm_t *)t;
  m->fired++;
  if (m->fired < 3) assert_int_equal(nh_timer_start(t, chain_cb, 0), 0);
}

/* A timer restarted from its own callback with a zero timeout fires again, on a later
 * iteration, not from inside the callback. */
static void test_zero_timeout_restart_from_callback(void **state) {
  nh_loop_t *loop = *state;
  tm_t a = {0};
  nh_timer_init(loop, &a.timer);
  assert_int_equal(nh_timer_start(&a.timer, chain_cb, 0), 0);
  assert_int_equal(a.fired, 0); /* never from inside the start */
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(a.fired, 3);
  assert_false(nh_timer_is_active(&a.timer));
}

static void test_stop_is_idempotent(void **state) {
  nh_loop_t *loop = *state;
  tm_t a = {0};
  nh_timer_init(loop, &a.timer);
  nh_timer_stop(&a.timer); /* never started */
  assert_int_equal(nh_timer_start(&a.timer, count_cb, 1000), 0);
  assert_true(nh_timer_is_active(&a.timer));
  nh_timer_stop(&a.timer);
  nh_timer_stop(&a.timer);
  assert_false(nh_timer_is_active(&a.timer));
  assert_int_equal(nh_timer_count(loop), 0);
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(a.fired, 0);
}

/* Each loop has its own heap: timers of one loop neither count nor fire in another. */
static void test_timers_belong_to_their_loop(void **state) {
  nh_loop_t *loop = *state;
  nh_loop_t other;
  tm_t a = {0}, b = {0};
  assert_int_equal(nh_loop_init(&other), 0);
  nh_timer_init(loop, &a.timer);
  nh_timer_init(&other, &b.timer);
  assert_int_equal(nh_timer_start(&a.timer, count_cb, 1), 0);
  assert_int_equal(nh_timer_start(&b.timer, count_cb, 1), 0);
  assert_int_equal(nh_timer_count(loop), 1);
  assert_int_equal(nh_timer_count(&other), 1);
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(a.fired, 1);
  assert_int_equal(b.fired, 0);
  nh_loop_run(&other, UV_RUN_DEFAULT);
  assert_int_equal(b.fired, 1);
  assert_int_equal(nh_loop_close(&other), 0);
}

NH_TEST_MAIN(NULL, NULL, NH_LOOP_TEST(test_restart_moves_the_deadline),
             NH_LOOP_TEST(test_stop_from_a_callback),
             NH_LOOP_TEST(test_zero_timeout_restart_from_callback),
             NH_LOOP_TEST(test_stop_is_idempotent), NH_LOOP_TEST(test_timers_belong_to_their_loop))
