/* Unit tests for core/op with a fake operation type: exactly one callback, never from inside
 * the call that caused it; cancel and deadline replace the status with their reason; a
 * teardown that finishes later; cancel after completion and of an idle operation; reuse of
 * an operation from its own callback. */
#include "test_main.h"

#include "error.h"
#include "loop.h"
#include "loop_fixture.h"
#include "op.h"
#include "timer.h"

/* The fake: its I/O is a timer; cancel either finishes the teardown at once or arms a
 * second timer to finish it later, as a socket close would. */
typedef struct {
  nh_op_t op;
  nh_timer_t io;
  nh_timer_t teardown;
  int async_teardown;
  int cancels;    /* calls of the type's cancel */
  int calls;      /* callbacks */
  int status;     /* the last callback's status */
  int in_start;   /* set while a test is inside a call that must not call back */
  int restart_ms; /* > 0: the callback starts the operation again once */
} fake_t;

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

static void io_done(nh_timer_t *t) {
  fake_t *f = container_of(t, fake_t, io);
  nh__op_done(&f->op, 0);
}

static void teardown_done(nh_timer_t *t) {
  fake_t *f = container_of(t, fake_t, teardown);
  nh__op_done(&f->op, NH_EPROTO); /* replaced by the reason */
}

static void fake_cancel(nh_op_t *op) {
  fake_t *f = container_of(op, fake_t, op);
  f->cancels++;
  nh_timer_stop(&f->io);
  if (f->async_teardown)
    assert_int_equal(nh_timer_start(&f->teardown, teardown_done, 1), 0);
  else
    nh__op_done(op, NH_EPROTO);
}

static const nh_op_type_t fake_type = {"fake", fake_cancel};

static void fake_cb(nh_op_t *op, int status);

static void fake_start(nh_loop_t *loop, fake_t *f, uint64_t io_ms, uint64_t deadline_ms) {
  nh__op_init(&f->op, loop, &fake_type);
  nh_timer_init(loop, &f->io);
  nh_timer_init(loop, &f->teardown);
  assert_int_equal(nh_timer_start(&f->io, io_done, io_ms), 0);
  nh__op_begin(&f->op, fake_cb, deadline_ms);
}

static void fake_cb(nh_op_t *op, int status) {
  fake_t *f = container_of(op, fake_t, op);
  assert_false(f->in_start);
  assert_false(nh_op_is_active(op)); /* idle again: it may be started anew */
  f->calls++;
  f->status = status;
  if (f->restart_ms) {
    uint64_t ms = (uint64_t)f->restart_ms;
    f->restart_ms = 0;
    fake_start(op->loop, f, ms, 0);
  }
}

static void test_completes_once_with_its_status(void **state) {
  nh_loop_t *loop = *state;
  fake_t f = {0};
  fake_start(loop, &f, 1, 0);
  assert_true(nh_op_is_active(&f.op));
  assert_true(f.op.started_ns > 0);
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(f.calls, 1);
  assert_int_equal(f.status, 0);
  assert_int_equal(f.cancels, 0);
  /* A late second completion is ignored. */
  nh__op_done(&f.op, NH_EPROTO);
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(f.calls, 1);
}

/* The type's teardown completes synchronously inside nh_op_cancel: the callback still waits
 * for the loop, and gets NH_ECANCELED, not the status the teardown passed. */
static void test_cancel_replaces_the_status(void **state) {
  nh_loop_t *loop = *state;
  fake_t f = {0};
  fake_start(loop, &f, 10000, 0);
  f.in_start = 1;
  assert_int_equal(nh_op_cancel(&f.op), 0);
  f.in_start = 0;
  assert_int_equal(f.calls, 0);
  assert_true(nh_op_is_active(&f.op));             /* until its callback has run */
  assert_int_equal(nh_op_cancel(&f.op), NH_EBUSY); /* done, callback queued */
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(f.calls, 1);
  assert_int_equal(f.status, NH_ECANCELED);
  assert_int_equal(f.cancels, 1);
}

/* A teardown that takes time: the operation is stopping until it ends; a second cancel is
 * accepted and changes nothing. */
static void test_cancel_with_a_later_teardown(void **state) {
  nh_loop_t *loop = *state;
  fake_t f = {.async_teardown = 1};
  fake_start(loop, &f, 10000, 0);
  assert_int_equal(nh_op_cancel(&f.op), 0);
  assert_true(nh__op_stopping(&f.op));
  assert_int_equal(nh_op_cancel(&f.op), 0);
  assert_int_equal(f.cancels, 1);
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(f.calls, 1);
  assert_int_equal(f.status, NH_ECANCELED);
}

/* Operations left to run to their end: the fake's set-up, its I/O time and deadline, and the
 * callbacks, last status and cancels wanted. */
static const struct run_case {
  const char *what;
  int async_teardown, restart_ms;
  uint64_t io_ms, deadline_ms;
  int calls, status, cancels;
} run_cases[] = {
    {"the deadline cancels; the callback gets NH_ETIMEDOUT", 1, 0, 10000, 5, 1, NH_ETIMEDOUT, 1},
    {"completion before the deadline disarms it: no cancel, the real status", 0, 0, 1, 60000, 1, 0,
     0},
    {"the callback starts the operation again; the second run is a fresh one", 0, 1, 1, 0, 2, 0, 0},
};

static void test_runs_to_the_end(void **state) {
  nh_loop_t *loop = *state;
  for (size_t i = 0; i < sizeof run_cases / sizeof *run_cases; i++) {
    const struct run_case *c = &run_cases[i];
    fake_t f = {.async_teardown = c->async_teardown, .restart_ms = c->restart_ms};
    printf("# %s\n", c->what);
    fake_start(loop, &f, c->io_ms, c->deadline_ms);
    assert_int_equal(nh_timer_count(loop), c->deadline_ms ? 2 : 1); /* I/O and deadline */
    nh_loop_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(f.calls, c->calls);
    assert_int_equal(f.status, c->status);
    assert_int_equal(f.cancels, c->cancels);
    assert_false(nh_op_is_active(&f.op));
    assert_int_equal(nh_timer_count(loop), 0); /* the deadline timer is gone too */
  }
}

static void test_cancel_of_an_idle_operation(void **state) {
  nh_loop_t *loop = *state;
  fake_t f = {0};
  nh__op_init(&f.op, loop, &fake_type);
  assert_false(nh_op_is_active(&f.op));
  assert_int_equal(nh_op_cancel(&f.op), NH_EINVAL);
  assert_int_equal(f.cancels, 0);
}

NH_TEST_MAIN(NULL, NULL, NH_LOOP_TEST(test_completes_once_with_its_status),
             NH_LOOP_TEST(test_cancel_replaces_the_status),
             NH_LOOP_TEST(test_cancel_with_a_later_teardown), NH_LOOP_TEST(test_runs_to_the_end),
             NH_LOOP_TEST(test_cancel_of_an_idle_operation))
