/* nethost core: the generic part of every operation. */
#include "op.h"
#include "error.h"
#include "metrics.h"
#include "timer.h"

#include <stddef.h>

enum { OP_IDLE, OP_ACTIVE, OP_STOPPING, OP_DONE };

#include "container.h"

static void deliver(nh_ready_t *ready) {
  nh_op_t *op = nh_container_of(ready, nh_op_t, ready);
  op->state = OP_IDLE;
  if (op->loop->metrics && op->started_ns)
    nh_metrics_op_done(op->loop->metrics, op->type->name, op->result,
                       (double)(uv_hrtime() - op->started_ns) / 1e9);
  op->cb(op, op->result);
}

static void stop(nh_op_t *op, int reason) {
  op->state = OP_STOPPING;
  op->reason = reason;
  nh_timer_stop(&op->deadline);
  op->type->cancel(op);
}

static void deadline_cb(nh_timer_t *timer) {
  nh_op_t *op = nh_container_of(timer, nh_op_t, deadline);
  if (op->state == OP_ACTIVE) stop(op, NH_ETIMEDOUT);
}

void nh__op_init(nh_op_t *op, nh_loop_t *loop, const nh_op_type_t *type) {
  op->type = type;
  op->loop = loop;
  op->started_ns = 0;
  op->cb = NULL;
  op->state = OP_IDLE;
  op->reason = 0;
  op->result = 0;
  op->ready.next = op->ready.prev = NULL;
  nh_timer_init(loop, &op->deadline);
}

void nh__op_begin(nh_op_t *op, nh_op_cb cb, uint64_t timeout_ms) {
  op->cb = cb;
  op->state = OP_ACTIVE;
  op->reason = 0;
  op->started_ns = uv_hrtime();
  /* A deadline that cannot be armed (no memory for the heap) must not leave the operation
   * unbounded: it fails at once instead. */
  if (timeout_ms && nh_timer_start(&op->deadline, deadline_cb, timeout_ms) < 0) {
    op->reason = NH_ENOMEM;
    op->state = OP_STOPPING;
    op->type->cancel(op);
  }
}

void nh__op_done(nh_op_t *op, int status) {
  if (op->state != OP_ACTIVE && op->state != OP_STOPPING) return;
  nh_timer_stop(&op->deadline);
  op->result = op->reason ? op->reason : status;
  op->state = OP_DONE;
  nh_loop_post(op->loop, &op->ready, deliver);
}

int nh_op_cancel(nh_op_t *op) {
  switch (op->state) {
  case OP_ACTIVE:
    stop(op, NH_ECANCELED);
    return 0;
  case OP_STOPPING:
    return 0;
  case OP_DONE:
    return NH_EBUSY;
  default:
    return NH_EINVAL;
  }
}

int nh_op_is_active(const nh_op_t *op) {
  return op->state != OP_IDLE;
}
