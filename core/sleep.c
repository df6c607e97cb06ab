/* nethost core: sleeping as an operation. */
#include "sleep.h"
#include "error.h"
#include "timer.h"

#include <stddef.h>

static void sleep_cancel(nh_op_t *op) {
  nh_sleep_t *req = (nh_sleep_t *)op;
  nh_timer_stop(&req->timer);
  nh__op_done(op, NH_ECANCELED);
}

static const nh_op_type_t sleep_type = {"sleep", sleep_cancel};

static void wake_cb(nh_timer_t *timer) {
  nh_sleep_t *req = (nh_sleep_t *)((char *)timer - offsetof(nh_sleep_t, timer));
  nh__op_done(&req->op, 0);
}

int nh_sleep_start(nh_loop_t *loop, nh_sleep_t *req, uint64_t ms, nh_op_cb cb) {
  int rc;
  nh__op_init(&req->op, loop, &sleep_type);
  nh_timer_init(loop, &req->timer);
  if (ms == 0) {
    /* No timer needed: the ready queue already defers the callback past this call. */
    nh__op_begin(&req->op, cb, 0);
    nh__op_done(&req->op, 0);
    return 0;
  }
  if ((rc = nh_timer_start(&req->timer, wake_cb, ms)) < 0) return rc;
  nh__op_begin(&req->op, cb, 0);
  return 0;
}
