/* nethost core: operations.
 *
 * An operation is one piece of asynchronous work (a sleep, an SSH command, an HTTP
 * transfer) with a deadline and a way to cancel it. Every concrete operation embeds an
 * nh_op_t as its first member and follows libuv's rules:
 *
 * - the caller allocates the request and keeps it alive until its callback has returned;
 * - a start function that fails returns a negative NH_E* code and its callback never fires;
 * - a callback never fires from inside the call that started the operation: completions
 *   are delivered through the loop's ready queue;
 * - nh_op_cancel() still delivers the callback, with NH_ECANCELED; a deadline delivers it
 *   with NH_ETIMEDOUT. Either way the operation's I/O is torn down first.
 *
 * Timeouts live here, in the engine, never in Lua.
 */
#ifndef NH_OP_H
#define NH_OP_H

#include "loop.h"

typedef struct nh_op_s nh_op_t;
typedef struct nh_op_type_s nh_op_type_t;

/* Called once per started operation. status is 0 or a negative NH_E* code. */
typedef void (*nh_op_cb)(nh_op_t *op, int status);

/* What a kind of operation provides to the generic machinery. */
struct nh_op_type_s {
  const char *name; /* "sleep", "ssh.exec", "http.transfer", ... */
  /* Stop the I/O. The implementation calls nh__op_done() when the teardown has finished,
   * from this function or later; the status it passes is replaced by the reason. */
  void (*cancel)(nh_op_t *op);
};

struct nh_op_s {
  void *data;               /* the caller's */
  const nh_op_type_t *type; /* read-only */
  nh_loop_t *loop;          /* read-only */
  uint64_t started_ns;      /* uv_hrtime() at start, for elapsed times */
  /* private */
  nh_op_cb cb;
  int state;
  int reason; /* NH_ECANCELED or NH_ETIMEDOUT once a stop was requested */
  int result; /* the status the callback receives */
  nh_timer_t deadline;
  nh_ready_t ready;
};

/* Requests cancellation. Returns 0 if the operation will complete with NH_ECANCELED, or
 * NH_EBUSY when it has already completed and its callback is queued with the real result,
 * or NH_EINVAL when it is not running at all. */
int nh_op_cancel(nh_op_t *op);

/* Whether the operation is started and its callback has not yet run. */
int nh_op_is_active(const nh_op_t *op);

/* For implementations of operations (core-internal). */

/* Prepares op; call before anything else touches it. */
void nh__op_init(nh_op_t *op, nh_loop_t *loop, const nh_op_type_t *type);

/* Marks op running with a deadline (0: none). Call it once the start has succeeded far
 * enough that nothing can fail synchronously any more. */
void nh__op_begin(nh_op_t *op, nh_op_cb cb, uint64_t timeout_ms);

/* The I/O has finished (or been torn down): queue the callback. Extra calls are ignored. */
void nh__op_done(nh_op_t *op, int status);

/* Whether a stop was requested (the implementation should stop doing work). */
static inline int nh__op_stopping(const nh_op_t *op) {
  return op->reason != 0;
}

#endif
