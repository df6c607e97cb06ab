/* Unit tests for the core engine: error table, ready queue, timers, operations. */
#include "test_main.h"

#include <string.h>

#include "error.h"
#include "loop.h"
#include "loop_fixture.h"
#include "op.h"
#include "sleep.h"
#include "timer.h"

/* setup and teardown: a fresh loop per test that must close cleanly (loop_fixture.h). */
#define setup    nh_test_loop_setup
#define teardown nh_test_loop_teardown

static void test_error_table(void **state) {
  assert_string_equal(nh_err_name(NH_ETIMEDOUT), "ETIMEDOUT");
  assert_int_equal(NH_ETIMEDOUT, UV_ETIMEDOUT);
  assert_string_equal(nh_err_name(NH_EHOSTKEY), "EHOSTKEY");
  assert_string_equal(nh_strerror(NH_EAUTH), "authentication failed");
  /* Codes outside the table fall back to libuv's. */
  assert_string_equal(nh_err_name(UV_EPIPE), "EPIPE");
  assert_true(strlen(nh_strerror(UV_EPIPE)) > 0);
}

/* Ready queue */

static int order[16];
static int norder;

typedef struct {
  nh_ready_t ready;
  nh_loop_t *loop;
  int id;
  int repost;
} item_t;

static void record_cb(nh_ready_t *r) {
  item_t *it = (item_t *)r;
  order[norder++] = it->id;
  if (it->repost) {
    it->repost = 0;
    it->id += 100;
    nh_loop_post(it->loop, &it->ready, record_cb);
  }
}

static void test_ready_queue_fifo_and_unpost(void **state) {
  nh_loop_t *loop = *state;
  item_t a = {{0}, loop, 1, 1}, b = {{0}, loop, 2, 0}, c = {{0}, loop, 3, 0};
  norder = 0;
  nh_loop_post(loop, &a.ready, record_cb);
  nh_loop_post(loop, &b.ready, record_cb);
  nh_loop_post(loop, &c.ready, record_cb);
  assert_true(nh_ready_is_queued(&b.ready));
  assert_int_equal(nh_loop_unpost(&b.ready), 1);
  assert_int_equal(nh_loop_unpost(&b.ready), 0);
  assert_int_equal(norder, 0); /* nothing runs before the loop does */
  nh_loop_run(loop, UV_RUN_NOWAIT);
  /* a re-posted itself while draining: it runs on the next iteration, after c. */
  assert_int_equal(norder, 2);
  assert_int_equal(order[0], 1);
  assert_int_equal(order[1], 3);
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(norder, 3);
  assert_int_equal(order[2], 101);
}

/* Timers */

typedef struct {
  nh_timer_t timer;
  int id;
} tm_t;

static void timer_record_cb(nh_timer_t *t) {
  order[norder++] = ((tm_t *)t)->id;
}

static void test_timers_fire_in_deadline_then_start_order(void **state) {
  nh_loop_t *loop = *state;
  tm_t t[5];
  uint64_t delays[5] = {30, 10, 20, 10, 1};
  int i;
  norder = 0;
  for (i = 0; i < 5; i++) {
    nh_timer_init(loop, &t[i].timer);
    t[i].id = i;
    assert_int_equal(nh_timer_start(&t[i].timer, timer_record_cb, delays[i]), 0);
  }
  nh_timer_stop(&t[2].timer);
  assert_false(nh_timer_is_active(&t[2].timer));
  assert_int_equal(nh_timer_count(loop), 4);
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(norder, 4);
  assert_int_equal(order[0], 4);
  assert_int_equal(order[1], 1);
  assert_int_equal(order[2], 3);
  assert_int_equal(order[3], 0);
  assert_int_equal(nh_timer_count(loop), 0);
}

/* Many timers with repeated deadlines: each fires once, never before an earlier one. */
static int heap_fired;
static int heap_last_delay;
static int heap_out_of_order;

static void heap_record_cb(nh_timer_t *t) {
  int delay = ((tm_t *)t)->id;
  if (delay < heap_last_delay) heap_out_of_order++;
  heap_last_delay = delay;
  heap_fired++;
}

static void test_timer_heap_many(void **state) {
  nh_loop_t *loop = *state;
  enum { N = 5000 };
  static tm_t t[N];
  int i, delay;
  heap_fired = heap_last_delay = heap_out_of_order = 0;
  for (i = 0; i < N; i++) {
    delay = i * 7919 % 13;
    nh_timer_init(loop, &t[i].timer);
    t[i].id = delay;
    assert_int_equal(nh_timer_start(&t[i].timer, heap_record_cb, (uint64_t)delay), 0);
  }
  /* Stop every third one, including ones deep in the heap. */
  for (i = 0; i < N; i += 3) nh_timer_stop(&t[i].timer);
  assert_int_equal(nh_timer_count(loop), N - (N + 2) / 3);
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(heap_fired, N - (N + 2) / 3);
  assert_int_equal(heap_out_of_order, 0);
  assert_int_equal(nh_timer_count(loop), 0);
}

/* Operations */

static int cb_calls;
static int cb_status;
static int in_start;

static void op_cb(nh_op_t *op, int status) {
  assert_false(in_start); /* never from inside the starting call */
  cb_calls++;
  cb_status = status;
}

static void test_sleep_completes_after_start_returns(void **state) {
  nh_loop_t *loop = *state;
  nh_sleep_t s;
  uint64_t t0 = uv_hrtime();
  cb_calls = 0;
  in_start = 1;
  assert_int_equal(nh_sleep_start(loop, &s, 20, op_cb), 0);
  in_start = 0;
  assert_int_equal(cb_calls, 0);
  assert_true(nh_op_is_active(&s.op));
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(cb_calls, 1);
  assert_int_equal(cb_status, 0);
  assert_true(uv_hrtime() - t0 >= 19 * 1000000ull);
  assert_false(nh_op_is_active(&s.op));
}

static void test_sleep_zero_is_deferred(void **state) {
  nh_loop_t *loop = *state;
  nh_sleep_t s;
  cb_calls = 0;
  in_start = 1;
  assert_int_equal(nh_sleep_start(loop, &s, 0, op_cb), 0);
  in_start = 0;
  assert_int_equal(cb_calls, 0);
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(cb_calls, 1);
  assert_int_equal(cb_status, 0);
}

static void test_cancel_delivers_ecanceled(void **state) {
  nh_loop_t *loop = *state;
  nh_sleep_t s;
  cb_calls = 0;
  assert_int_equal(nh_sleep_start(loop, &s, 10000, op_cb), 0);
  assert_int_equal(nh_op_cancel(&s.op), 0);
  assert_int_equal(cb_calls, 0); /* delivered from the loop, not from cancel */
  assert_int_equal(nh_op_cancel(&s.op), NH_EBUSY);
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(cb_calls, 1);
  assert_int_equal(cb_status, NH_ECANCELED);
  assert_int_equal(nh_op_cancel(&s.op), NH_EINVAL);
}

static void test_cancel_after_completion_keeps_result(void **state) {
  nh_loop_t *loop = *state;
  nh_sleep_t s;
  cb_calls = 0;
  assert_int_equal(nh_sleep_start(loop, &s, 0, op_cb), 0);
  assert_int_equal(nh_op_cancel(&s.op), NH_EBUSY);
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(cb_calls, 1);
  assert_int_equal(cb_status, 0);
}

/* A fake operation that never finishes by itself, like a hung device. */
typedef struct {
  nh_op_t op;
  int cancels;
  int fail_start;
} hang_t;

static void hang_cancel(nh_op_t *op) {
  ((hang_t *)op)->cancels++;
  nh__op_done(op, 0);
}

static const nh_op_type_t hang_type = {"hang", hang_cancel};

static int hang_start(nh_loop_t *loop, hang_t *h, uint64_t timeout_ms, nh_op_cb cb) {
  nh__op_init(&h->op, loop, &hang_type);
  if (h->fail_start) return NH_EINVAL;
  nh__op_begin(&h->op, cb, timeout_ms);
  return 0;
}

static void test_deadline_tears_down_with_etimedout(void **state) {
  nh_loop_t *loop = *state;
  hang_t h = {0};
  uint64_t t0 = uv_hrtime();
  cb_calls = 0;
  assert_int_equal(hang_start(loop, &h, 30, op_cb), 0);
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(cb_calls, 1);
  assert_int_equal(cb_status, NH_ETIMEDOUT);
  assert_int_equal(h.cancels, 1);
  assert_true(uv_hrtime() - t0 >= 29 * 1000000ull);
}

static void test_failed_start_never_calls_back(void **state) {
  nh_loop_t *loop = *state;
  hang_t h = {0};
  h.fail_start = 1;
  cb_calls = 0;
  assert_int_equal(hang_start(loop, &h, 10, op_cb), NH_EINVAL);
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(cb_calls, 0);
}

static void test_cancel_before_deadline_wins(void **state) {
  nh_loop_t *loop = *state;
  hang_t h = {0};
  cb_calls = 0;
  assert_int_equal(hang_start(loop, &h, 10, op_cb), 0);
  assert_int_equal(nh_op_cancel(&h.op), 0);
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(cb_calls, 1);
  assert_int_equal(cb_status, NH_ECANCELED);
  assert_int_equal(h.cancels, 1); /* the deadline did not stop it a second time */
  assert_int_equal(nh_timer_count(loop), 0);
}

typedef struct {
  nh_loop_state_t base;
  nh_timer_t timer;
  int *closed;
} test_state_t;

static void state_close(nh_loop_state_t *base) {
  test_state_t *st = (test_state_t *)base;
  nh_timer_stop(&st->timer); /* the heap still exists here */
  ++*st->closed;
}

/* Per-loop state is found by key on its own loop only, and closed with the loop, once. */
static void test_state_lives_with_its_loop(void **state) {
  static const char key_a, key_b;
  nh_loop_t a, b;
  test_state_t sa, sb;
  int closed_a = 0, closed_b = 0;
  (void)state;
  assert_int_equal(nh_loop_init(&a), 0);
  assert_int_equal(nh_loop_init(&b), 0);
  sa.closed = &closed_a;
  sb.closed = &closed_b;
  nh_timer_init(&a, &sa.timer);
  nh_timer_init(&b, &sb.timer);
  nh_loop_state_attach(&a, &sa.base, &key_a, state_close);
  nh_loop_state_attach(&b, &sb.base, &key_a, state_close);
  nh_timer_start(&sa.timer, NULL, 100000);
  assert_ptr_equal(nh_loop_state_find(&a, &key_a), &sa.base);
  assert_ptr_equal(nh_loop_state_find(&b, &key_a), &sb.base);
  assert_null(nh_loop_state_find(&a, &key_b));
  assert_int_equal(nh_loop_close(&a), 0);
  assert_int_equal(closed_a, 1);
  assert_int_equal(closed_b, 0);
  assert_int_equal(nh_loop_close(&b), 0);
  assert_int_equal(closed_b, 1);
}

NH_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_error_table),
             cmocka_unit_test(test_state_lives_with_its_loop),
             NH_TEST(test_ready_queue_fifo_and_unpost),
             NH_TEST(test_timers_fire_in_deadline_then_start_order), NH_TEST(test_timer_heap_many),
             NH_TEST(test_sleep_completes_after_start_returns),
             NH_TEST(test_sleep_zero_is_deferred), NH_TEST(test_cancel_delivers_ecanceled),
             NH_TEST(test_cancel_after_completion_keeps_result),
             NH_TEST(test_deadline_tears_down_with_etimedout),
             NH_TEST(test_failed_start_never_calls_back), NH_TEST(test_cancel_before_deadline_wins))
